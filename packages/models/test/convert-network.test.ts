// The converted NVlabs snapshot runs: loadNetwork(convertSnapshot(pkl)) reproduces the pickled ema
// network's forward pass recorded by PyTorch (fixture.D_x for fixture.x, fixture.sigma), cpu backend.
// Also for ADM: the reference fixtures test/fixtures/edm_{ddpmpp,adm}.safetensors are written into
// snapshot pickles (module tree from their state_dict names), converted back, and run.
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertSnapshot } from '../src/convert/index';
import { decodeSafetensors, loadNetwork, tensorToFloat32, type SafetensorsTensor } from '../src/index';
import { writeSnapshot, type ModuleSpec } from './convert-pickle-writer';

const dir = fileURLToPath(new URL('../../../test/fixtures/pickles/', import.meta.url));
const pkl = new Uint8Array(readFileSync(dir + 'edm-ddpmpp-tiny.pkl'));
const expected = decodeSafetensors(new Uint8Array(readFileSync(dir + 'edm-ddpmpp-tiny.expected.safetensors')));
type Tensors = Map<string, SafetensorsTensor>;
const fixtureOf = (tensors: Tensors) => (name: string) => {
  const t = tensors.get(name)!;
  return { values: tensorToFloat32(t, name), shape: t.shape };
};
const fixture = fixtureOf(expected.tensors);

/** Max abs difference of the network's D(x; sigma) from the recorded fixture.D_x (NCHW), and max |D_x|. */
function dxError(net: Awaited<ReturnType<typeof loadNetwork>>, tensors: Tensors): { maxErr: number; maxRef: number } {
  const f = fixtureOf(tensors);
  const x = f('fixture.x');
  const sigma = f('fixture.sigma');
  const want = f('fixture.D_x');
  const got = tf.tidy(() => {
    const xNhwc = tf.transpose(tf.tensor4d(x.values, x.shape as [number, number, number, number]), [0, 2, 3, 1]) as tf.Tensor4D;
    return tf.transpose(net.forward(xNhwc, tf.tensor1d(sigma.values)), [0, 3, 1, 2]);
  });
  expect(got.shape).toEqual(want.shape);
  const values = got.dataSync();
  got.dispose();
  let maxErr = 0;
  let maxRef = 0;
  for (let i = 0; i < values.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(values[i]! - want.values[i]!));
    maxRef = Math.max(maxRef, Math.abs(want.values[i]!));
  }
  return { maxErr, maxRef };
}

/** A snapshot whose ema network has exactly these state_dict tensors (dotted names -> module tree). */
function snapshotFromStateDict(network: { class_name: string; kwargs: Record<string, unknown> }, tensors: [string, SafetensorsTensor][]): Uint8Array {
  const backbone = String(network.kwargs['model_type']);
  const root: ModuleSpec = { className: network.class_name, initKwargs: Object.entries(network.kwargs) };
  for (const [name, t] of tensors) {
    const parts = name.split('.');
    let m = root;
    for (const [depth, part] of parts.slice(0, -1).entries()) {
      m.modules ??= [];
      let child = m.modules.find(([n]) => n === part)?.[1];
      if (!child) {
        const container = depth === 1 && (part === 'enc' || part === 'dec');
        child = { className: depth === 0 ? backbone : container ? 'ModuleDict' : 'Module', container };
        m.modules.push([part, child]);
      }
      m = child!;
    }
    const leaf = parts.at(-1)!;
    const spec = { storage: tensorToFloat32(t, name), size: t.shape };
    if (leaf === 'resample_filter' || leaf === 'freqs') (m.buffers ??= []).push([leaf, spec]);
    else (m.params ??= []).push([leaf, spec]);
  }
  return writeSnapshot(root);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('loadNetwork(converted) reproduces fixture.D_x within 1e-4, without leaking tensors', async () => {
  const start = tf.memory().numTensors;
  const net = await loadNetwork(convertSnapshot(pkl, { label: 'edm-ddpmpp-tiny.pkl' }), { source: 'converted' });
  expect(net.className).toBe('EDMPrecond');
  expect(fixture('fixture.x').shape).toEqual([2, 3, 8, 8]);
  const { maxErr, maxRef } = dxError(net, expected.tensors);
  console.log(`converted edm-ddpmpp-tiny: D_x max abs err ${maxErr.toExponential(2)} (max |D_x| ${maxRef.toFixed(3)})`);
  expect(maxRef).toBeGreaterThan(0.1);
  expect(maxErr).toBeLessThanOrEqual(1e-4);
  net.dispose();
  expect(tf.memory().numTensors).toBe(start);
});

describe.each(['edm_ddpmpp', 'edm_adm'])('reference fixture %s through a snapshot pickle', (name) => {
  it('converts back bit-exact and reproduces fixture.D_x within 1e-4', async () => {
    const ref = decodeSafetensors(new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../test/fixtures/${name}.safetensors`, import.meta.url)))));
    const network = JSON.parse(ref.metadata['edm.network']!);
    const stateDict = [...ref.tensors].filter(([k]) => !k.startsWith('fixture.'));
    const converted = decodeSafetensors(convertSnapshot(snapshotFromStateDict(network, stateDict), { label: `${name}.pkl` }));
    expect(JSON.parse(converted.metadata['edm.network']!)).toEqual(network);
    expect([...converted.tensors.keys()]).toEqual(stateDict.map(([k]) => k));
    for (const [k, t] of stateDict) expect(Buffer.compare(Buffer.from(converted.tensors.get(k)!.data), Buffer.from(t.data)), k).toBe(0);

    const start = tf.memory().numTensors;
    const bytes = convertSnapshot(snapshotFromStateDict(network, stateDict));
    const net = await loadNetwork(bytes, { source: `${name} converted` });
    const { maxErr, maxRef } = dxError(net, ref.tensors);
    console.log(`${name} via pickle: D_x max abs err ${maxErr.toExponential(2)} (max |D_x| ${maxRef.toFixed(3)})`);
    expect(maxRef).toBeGreaterThan(0.1);
    expect(maxErr).toBeLessThanOrEqual(1e-4);
    net.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
