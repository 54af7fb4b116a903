// The same numbers on every engine available here: the edm_ddpmpp reference fixture's D_x and 5-step Heun
// sample on cpu, wasm and WebGPU (Node + Dawn on SwiftShader), within 1e-4 abs (D_x) and
// 1e-3 x max(1, max|ref|) (sampler), and one training step's gradients (EDM loss with the fixture's draws,
// every parameter) agreeing across the engines within 1e-3 relative. Engines are chosen with
// useNodeBackend, so the selection is exercised too.
import * as tf from '@tensorflow/tfjs-core';
import { EDMLoss, edmSampler } from '@edm/core';
import { loadNetwork } from '@edm/models';
import { useNodeBackend } from '@edm/backend-node';
import type { NodeEngine } from '@edm/backend-node';
import { SWIFTSHADER_ICD } from '@edm/backend-webgpu/node';
import { describe, expect, it } from 'vitest';
import { requireSystemDep, skipWithout } from '../system-deps';
import { compare, ddpmppFixture, fixtureNHWC, fixtureValues, readNCHW } from './fixture';

const ENGINES = ['cpu', 'wasm', 'webgpu'] as const satisfies readonly NodeEngine[];
type Engine = (typeof ENGINES)[number];

const gradients = new Map<Engine, Map<string, Float32Array>>();
/** WebGPU here runs on SwiftShader; without it (and not under CI) its cases are skipped with a loud line. */
const skipWebGPU = skipWithout('swiftshader', 'cross-engine parity on webgpu');

async function select(engine: Engine): Promise<void> {
  if (engine === 'webgpu') requireSystemDep('swiftshader');
  const report = await useNodeBackend({ backend: engine, strict: true, allowSoftwareAdapter: true,
    webgpu: { vulkanICD: SWIFTSHADER_ICD } });
  expect(report.engine).toBe(engine);
  expect(tf.getBackend()).toBe(engine);
}

describe('cross-engine parity (edm_ddpmpp fixture)', () => {
  for (const engine of ENGINES) {
    it.skipIf(engine === 'webgpu' && skipWebGPU)(`${engine}: D_x, 5-step Heun and the EDM loss gradients vs the reference`, async () => {
      await select(engine);
      const f = ddpmppFixture();
      const before = tf.memory().numTensors;
      const net = await loadNetwork(f.bytes, { source: 'edm_ddpmpp.safetensors' });

      const x = fixtureNHWC(f, 'fixture.x');
      const sigma = tf.tensor1d(Float32Array.from(fixtureValues(f, 'fixture.sigma').values));
      const d = net.forward(x, sigma);
      const dx = compare(await readNCHW(d), fixtureValues(f, 'fixture.D_x').values);

      const latents = fixtureNHWC(f, 'fixture.latents');
      const sample = await edmSampler(net, latents, { numSteps: 5 });
      const heun = compare(await readNCHW(sample), fixtureValues(f, 'fixture.sample.heun').values);
      const heunErr = heun.maxAbsErr / Math.max(1, heun.maxRef);

      // One training step's gradients: the summed EDM loss with the fixture's sigma draw and noise.
      const images = fixtureNHWC(f, 'fixture.loss.images');
      const eps = fixtureNHWC(f, 'fixture.loss.eps');
      const rnd = tf.tensor(Float32Array.from(fixtureValues(f, 'fixture.loss.rnd').values), [2, 1, 1, 1]);
      const loss = new EDMLoss({ PMean: -1.2, PStd: 1.2, sigmaData: 0.5 });
      const params = net.parameters();
      const { value, grads } = tf.variableGrads(() => tf.sum(loss.call(net, images, { rnd, eps, training: false })) as tf.Scalar,
        [...params.values()]);
      const byName = new Map<string, Float32Array>();
      for (const [name, v] of params) byName.set(name, (await grads[v.name]!.data()) as Float32Array);
      gradients.set(engine, byName);
      // The reference's gradients (PyTorch layout OIHW; ours HWIO) for the parameters it recorded.
      let refGradErr = 0;
      for (const key of [...f.tensors.keys()].filter((k) => k.startsWith('fixture.grad.'))) {
        const g = grads[params.get(key.slice('fixture.grad.'.length))!.name]!;
        const oihw = tf.transpose(g, [3, 2, 0, 1]);
        const c = compare((await oihw.data()) as Float32Array, fixtureValues(f, key).values);
        oihw.dispose();
        refGradErr = Math.max(refGradErr, c.maxAbsErr / c.maxRef);
      }
      console.log(`${engine}: D_x max abs err ${dx.maxAbsErr.toExponential(2)}; heun max abs err / max(1, max|ref| = ` +
        `${heun.maxRef.toFixed(2)}) = ${heunErr.toExponential(2)}; grads vs reference (max err / max|g|) ${refGradErr.toExponential(2)}`);
      expect(dx.maxAbsErr).toBeLessThanOrEqual(1e-4);
      expect(heunErr).toBeLessThanOrEqual(1e-3);
      expect(refGradErr).toBeLessThanOrEqual(1e-3);

      tf.dispose([x, sigma, d, latents, sample, images, eps, rnd, value, grads]);
      net.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('one training step: every parameter gradient agrees across cpu, wasm and webgpu within 1e-3 relative', () => {
    const cpu = gradients.get('cpu');
    expect(cpu, 'the cpu run must have passed').toBeDefined();
    for (const engine of skipWebGPU ? ['wasm'] as const : ['wasm', 'webgpu'] as const) {
      const other = gradients.get(engine);
      expect(other, `the ${engine} run must have passed`).toBeDefined();
      let worst = { name: '', rel: 0 };
      for (const [name, ref] of cpu!) {
        const c = compare(other!.get(name)!, ref);
        const rel = c.maxRef === 0 ? c.maxAbsErr : c.maxAbsErr / c.maxRef;
        if (rel > worst.rel) worst = { name, rel };
      }
      console.log(`${engine} vs cpu: ${cpu!.size} parameter gradients, worst max abs err / max|g| ${worst.rel.toExponential(2)} (${worst.name})`);
      expect(worst.rel, worst.name).toBeLessThanOrEqual(1e-3);
    }
  });
});
