// The Adam step op: the fused kernel registered for 'cpu' (ops/adam-cpu.ts) equals the composed tfjs ops bit
// for bit (gradients with NaN and +-inf included), the optimizer matches a float64 Adam within float32
// rounding, shapes are checked by name, and a step leaks no tensors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, adamStep, composedAdamStep, hasFusedAdam } from '@edm/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

const ATTRS = { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 2e-4 / (1 - 0.9 ** 3), biasCorrection2: 1 - 0.999 ** 3 };

describe('adamStep', () => {
  it('the fused cpu kernel equals the composed ops bit for bit (NaN and +-inf gradients included)', async () => {
    expect(hasFusedAdam('cpu')).toBe(true);
    const n = 1031;
    const grad = values(n, 4, 3);
    grad[0] = NaN;
    grad[1] = Infinity;
    grad[2] = -Infinity;
    grad[3] = 0;
    grad[4] = 1e-30;
    const t = [values(n, 1), values(n, 2, 0.1), Float32Array.from(values(n, 3), (x) => x * x), grad].map((d) => tf.tensor1d(d));
    const [p, m, v, g] = t as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const fused = adamStep(p, m, v, g, ATTRS);
    const composed = composedAdamStep(p, m, v, g, ATTRS);
    for (let i = 0; i < 3; i++) expect(Array.from(await fused[i]!.data()), `output ${i}`).toEqual(Array.from(await composed[i]!.data()));
    const m1 = await fused[1]!.data();
    expect(m1[0]).toBe(Math.fround(Math.fround(m.dataSync()[0]! * Math.fround(0.9)) + 0)); // NaN cleaned to 0
    expect(m1[1]).toBe(Math.fround(Math.fround(m.dataSync()[1]! * Math.fround(0.9)) + Math.fround(1e5 * Math.fround(0.1))));
    tf.dispose([...t, ...fused, ...composed]);
  });

  it('rejects mismatched shapes by name', () => {
    const a = tf.zeros([3, 2]);
    const b = tf.zeros([6]);
    expect(() => adamStep(a, a, b, a, ATTRS)).toThrow(/adamStep: v has shape \[6\], the parameter \[3,2\]/);
    tf.dispose([a, b]);
  });
});

describe('Adam', () => {
  it('follows a float64 Adam over 5 steps within float32 rounding, and leaks no tensors', () => {
    const p0 = values(64, 7);
    const p = tf.variable(tf.tensor1d(p0));
    const start = tf.memory();
    const adam = new Adam(new Map([['w', p]]));
    const before = tf.memory().numTensors;
    // exactly the two moments: no tensor the moments started from stays behind
    expect(before - start.numTensors).toBe(2);
    expect(tf.memory().numBytes - start.numBytes).toBe(2 * 64 * 4);
    // float64 reference
    const ref = Float64Array.from(p0);
    const m = new Float64Array(64);
    const v = new Float64Array(64);
    for (let t = 1; t <= 5; t++) {
      const gData = values(64, 10 + t);
      const g = tf.tensor1d(gData);
      adam.apply({ w: g }, 1e-2);
      g.dispose();
      for (let i = 0; i < 64; i++) {
        m[i] = 0.9 * m[i]! + 0.1 * gData[i]!;
        v[i] = 0.999 * v[i]! + 0.001 * gData[i]! * gData[i]!;
        ref[i] = ref[i]! - (1e-2 / (1 - 0.9 ** t)) * m[i]! / (Math.sqrt(v[i]! / (1 - 0.999 ** t)) + 1e-8);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    const got = p.dataSync();
    let err = 0;
    for (let i = 0; i < 64; i++) err = Math.max(err, Math.abs(got[i]! - ref[i]!));
    expect(err).toBeLessThan(1e-6);
    expect(adam.step).toBe(5);
    expect(tf.memory().numBytes - start.numBytes).toBe(2 * 64 * 4); // the moments, once each
    adam.dispose();
    expect(tf.memory()).toMatchObject({ numTensors: start.numTensors, numBytes: start.numBytes });
    p.dispose();
  });
});
