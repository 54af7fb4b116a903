// @edm/core's fused kernels in WGSL (GroupNorm + SiLU, Adam, 2x nearest upsampling) on WebGPU over SwiftShader,
// against the cpu backend's kernels: values and gradients within float32 rounding (the WGSL sums are float32,
// the cpu ones float64), upsampling and its gradient exactly; and the dispatches each takes.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { adamStep, groupNormSilu, upsampleNearest2x, type AdamStepAttrs } from '@edm/core';
import { beforeAll, expect, it } from 'vitest';
import { describeWith, requireSystemDep } from '../../../test/system-deps';
import { SWIFTSHADER_ICD, useWebGPUInNode } from '../src/dawn.node';

/** Deterministic values in [-1, 1) (an LCG, the same on every backend). */
function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

/** Runs f on a backend with fresh tensors of the given data; returns each output's values. */
async function on(backend: string, inputs: [Float32Array, number[]][], f: (...xs: tf.Tensor[]) => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const ts = inputs.map(([d, s]) => tf.tensor(d, s));
  const outs = f(...ts);
  const data = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose([...ts, ...outs]);
  return data;
}

/** Largest |a - b| over the largest |b| (at least 1). */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let s = 1;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / s;
}

/** Dispatches f records on WebGPU. */
async function dispatches(f: () => tf.Tensor[]): Promise<number> {
  const backend = tf.backend() as unknown as { recordAndSubmit: (...a: unknown[]) => unknown };
  const record = backend.recordAndSubmit;
  let count = 0;
  backend.recordAndSubmit = (...a: unknown[]) => {
    count++;
    return record.apply(backend, a);
  };
  try {
    const outs = f();
    await Promise.all(outs.map((t) => t.data()));
    tf.dispose(outs);
  } finally {
    backend.recordAndSubmit = record;
  }
  return count;
}

describeWith('swiftshader', 'fused WGSL kernels on SwiftShader', () => {
  beforeAll(async () => {
    requireSystemDep('swiftshader');
    await useWebGPUInNode({ vulkanICD: SWIFTSHADER_ICD, allowSoftwareAdapter: true });
  });

  for (const { shape, groups, scale } of [{ shape: [2, 5, 4, 12], groups: 3, scale: 1 }, { shape: [1, 7, 7, 64], groups: 16, scale: 1 },
    { shape: [2, 6, 6, 8], groups: 2, scale: 30 }]) {
    it(`GroupNorm + SiLU, value and gradients = cpu within float32 rounding (${shape.join('x')}, ${groups} groups)`, async () => {
      const size = shape.reduce((a, b) => a * b, 1);
      const c = shape[3]!;
      const inputs: [Float32Array, number[]][] = [[values(size, 1, 3), shape], [values(c, 2, scale), [c]], [values(c, 3), [c]], [values(size, 4), shape]];
      const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, dy: tf.Tensor) => {
        const op = (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => groupNormSilu(a as tf.Tensor4D, ww as tf.Tensor1D, bb as tf.Tensor1D, groups, 1e-5);
        return [op(x, w, b), ...tf.grads(op)([x, w, b], dy)];
      };
      const gpu = await on('webgpu', inputs, f);
      const cpu = await on('cpu', inputs, f);
      ['value', 'dx', 'dweight', 'dbias'].forEach((what, i) => expect(relDiff(gpu[i]!, cpu[i]!), what).toBeLessThan(2e-5));
    });
  }

  it('GroupNorm + SiLU takes 2 dispatches forward, 5 more backward', async () => {
    await tf.setBackend('webgpu');
    const x = tf.tensor4d(values(2 * 4 * 4 * 8, 5), [2, 4, 4, 8]);
    const w = tf.ones([8]) as tf.Tensor1D;
    const b = tf.zeros([8]) as tf.Tensor1D;
    const op = (a: tf.Tensor) => groupNormSilu(a as tf.Tensor4D, w, b, 2, 1e-5);
    expect(await dispatches(() => [op(x)])).toBe(2);
    expect(await dispatches(() => tf.grads((a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      groupNormSilu(a as tf.Tensor4D, ww as tf.Tensor1D, bb as tf.Tensor1D, 2, 1e-5))([x, w, b]))).toBe(2 + 5);
    tf.dispose([x, w, b]);
  });

  it('Adam step = cpu within float32 rounding (NaN and +-inf gradients cleaned), 3 dispatches', async () => {
    const n = 1031;
    const grad = values(n, 6, 3);
    grad[0] = NaN;
    grad[1] = Infinity;
    grad[2] = -Infinity;
    const attrs: AdamStepAttrs = { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 1e-3 / (1 - 0.9 ** 3), biasCorrection2: 1 - 0.999 ** 3 };
    const inputs: [Float32Array, number[]][] = [[values(n, 7), [n]], [values(n, 8, 0.1), [n]], [values(n, 9).map(Math.abs), [n]], [grad, [n]]];
    const f = (p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor) => adamStep(p, m, v, g, attrs);
    const gpu = await on('webgpu', inputs, f);
    const cpu = await on('cpu', inputs, f);
    ['param', 'm', 'v'].forEach((what, i) => expect(relDiff(gpu[i]!, cpu[i]!), what).toBeLessThan(1e-6));
    await tf.setBackend('webgpu');
    const ts = inputs.map(([d, s]) => tf.tensor(d, s));
    expect(await dispatches(() => adamStep(ts[0]!, ts[1]!, ts[2]!, ts[3]!, attrs))).toBe(3);
    tf.dispose(ts);
  });

  it('2x nearest upsampling and its gradient = cpu exactly, 1 dispatch each', async () => {
    const shape = [2, 3, 5, 6];
    const size = shape.reduce((a, b) => a * b, 1);
    const inputs: [Float32Array, number[]][] = [[values(size, 10), shape], [values(4 * size, 11), [2, 6, 10, 6]]];
    const f = (x: tf.Tensor, dy: tf.Tensor) => {
      const op = (a: tf.Tensor) => upsampleNearest2x(a as tf.Tensor4D);
      return [op(x), ...tf.grads(op)([x], dy)];
    };
    const gpu = await on('webgpu', inputs, f);
    const cpu = await on('cpu', inputs, f);
    expect(Array.from(gpu[0]!)).toEqual(Array.from(cpu[0]!));
    expect(Array.from(gpu[1]!)).toEqual(Array.from(cpu[1]!));
    await tf.setBackend('webgpu');
    const x = tf.tensor4d(inputs[0]![0], shape as [number, number, number, number]);
    expect(await dispatches(() => [upsampleNearest2x(x)])).toBe(1);
    x.dispose();
  });
});
