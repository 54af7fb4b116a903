// The converted NVlabs snapshot runs: loadNetwork(convertSnapshot(pkl)) reproduces the pickled ema
// network's forward pass recorded by PyTorch (fixture.D_x for fixture.x, fixture.sigma), cpu backend.
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { convertSnapshot } from '../src/convert/index';
import { decodeSafetensors, loadNetwork, tensorToFloat32 } from '../src/index';

const dir = fileURLToPath(new URL('../../../test/fixtures/pickles/', import.meta.url));
const pkl = new Uint8Array(readFileSync(dir + 'edm-ddpmpp-tiny.pkl'));
const expected = decodeSafetensors(new Uint8Array(readFileSync(dir + 'edm-ddpmpp-tiny.expected.safetensors')));
const fixture = (name: string) => {
  const t = expected.tensors.get(name)!;
  return { values: tensorToFloat32(t, name), shape: t.shape };
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('loadNetwork(converted) reproduces fixture.D_x within 1e-4, without leaking tensors', async () => {
  const start = tf.memory().numTensors;
  const net = await loadNetwork(convertSnapshot(pkl, { label: 'edm-ddpmpp-tiny.pkl' }), { source: 'converted' });
  expect(net.className).toBe('EDMPrecond');
  const x = fixture('fixture.x');
  const sigma = fixture('fixture.sigma');
  const want = fixture('fixture.D_x');
  const got = tf.tidy(() => {
    const xNhwc = tf.transpose(tf.tensor4d(x.values, x.shape as [number, number, number, number]), [0, 2, 3, 1]) as tf.Tensor4D;
    const d = net.forward(xNhwc, tf.tensor1d(sigma.values));
    return tf.transpose(d, [0, 3, 1, 2]);
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
  console.log(`converted edm-ddpmpp-tiny: D_x max abs err ${maxErr.toExponential(2)} (max |D_x| ${maxRef.toFixed(3)})`);
  expect(maxRef).toBeGreaterThan(0.1);
  expect(maxErr).toBeLessThanOrEqual(1e-4);
  net.dispose();
  expect(tf.memory().numTensors).toBe(start);
});
