// The GroupNorm op: the fused kernels registered for 'cpu' (ops/group-norm-cpu.ts, loops of
// ops/group-norm-math.ts) against the composed-op path and against a float64 closed form, values and
// gradients (x, weight, bias) on odd shapes; errors by name; no leaks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { composedGroupNorm, groupNorm, hasFusedGroupNorm } from '@edm/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CASES: { shape: [number, number, number, number]; groups: number }[] = [
  { shape: [2, 3, 5, 8], groups: 2 },
  { shape: [3, 4, 4, 12], groups: 3 },
  { shape: [1, 7, 3, 6], groups: 1 },
  { shape: [2, 2, 2, 16], groups: 16 },
];

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  return err / scale;
}

/** y in float64 from the definition (biased variance over each group's H*W*C/G values). */
function closedForm(x: Float32Array, w: Float32Array, b: Float32Array, [n, h, wd, c]: number[], g: number, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  const cg = c / g;
  const p = h * wd;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < g; k++) {
      let s = 0;
      for (let q = 0; q < p; q++) for (let j = k * cg; j < (k + 1) * cg; j++) s += x[(i * p + q) * c + j]!;
      const mu = s / (p * cg);
      let v = 0;
      for (let q = 0; q < p; q++) for (let j = k * cg; j < (k + 1) * cg; j++) v += (x[(i * p + q) * c + j]! - mu) ** 2;
      const inv = 1 / Math.sqrt(v / (p * cg) + eps);
      for (let q = 0; q < p; q++) {
        for (let j = k * cg; j < (k + 1) * cg; j++) {
          const o = (i * p + q) * c + j;
          y[o] = (x[o]! - mu) * inv * w[j]! + b[j]!;
        }
      }
    }
  }
  return y;
}

describe('groupNorm op (fused cpu kernels)', () => {
  it('the cpu backend has the fused kernels', () => {
    expect(hasFusedGroupNorm('cpu')).toBe(true);
    expect(hasFusedGroupNorm('no-such-backend')).toBe(false);
  });

  for (const { shape, groups } of CASES) {
    it(`values and gradients = composed ops and the closed form (${shape.join('x')}, ${groups} groups)`, async () => {
      const c = shape[3];
      const x = tf.randomNormal(shape, 0.7, 2, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([c], 1, 0.4, 'float32', 2) as tf.Tensor1D;
      const b = tf.randomNormal([c], 0, 0.4, 'float32', 3) as tf.Tensor1D;
      const dy = tf.randomNormal(shape, 0, 1, 'float32', 4) as tf.Tensor4D;
      const fused = groupNorm(x, w, b, groups, 1e-5);
      const composed = composedGroupNorm(x, w, b, groups, 1e-5);
      const exact = closedForm(await x.data() as Float32Array, await w.data() as Float32Array, await b.data() as Float32Array, shape, groups, 1e-5);
      expect(fused.shape).toEqual(shape);
      expect(maxRel(await fused.data(), exact)).toBeLessThan(2e-6);
      expect(maxRel(await composed.data(), exact)).toBeLessThan(2e-5);
      const grads = (fn: typeof groupNorm) => tf.grads((a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        fn(a as tf.Tensor4D, ww as tf.Tensor1D, bb as tf.Tensor1D, groups, 1e-5))([x, w, b], dy);
      const gf = grads(groupNorm);
      const gc = grads(composedGroupNorm);
      for (let i = 0; i < 3; i++) {
        expect(gf[i]!.shape, `gradient ${i}`).toEqual(gc[i]!.shape);
        expect(maxRel(await gf[i]!.data(), await gc[i]!.data()), `gradient ${i}`).toBeLessThan(5e-5);
      }
      tf.dispose([x, w, b, dy, fused, composed, ...gf, ...gc]);
    });
  }

  it('no tensor growth across repeated forward + backward passes', () => {
    const x = tf.randomNormal([2, 4, 4, 8]) as tf.Tensor4D;
    const w = tf.variable(tf.ones([8])) as unknown as tf.Tensor1D;
    const b = tf.variable(tf.zeros([8])) as unknown as tf.Tensor1D;
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(groupNorm(x, w, b, 4, 1e-5))) as tf.Scalar);
      tf.dispose([value, grads]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, b]);
  });

  it('rejects groups that do not divide the channels, and mismatched weight/bias, by name', () => {
    const x = tf.zeros([1, 2, 2, 6]) as tf.Tensor4D;
    expect(() => groupNorm(x, tf.ones([6]), tf.zeros([6]), 4, 1e-5)).toThrow(/groupNorm: 4 groups do not divide 6 channels/);
    expect(() => groupNorm(x, tf.ones([5]), tf.zeros([6]), 3, 1e-5)).toThrow(/groupNorm: weight 5 and bias 6 must have 6 entries/);
  });
});
