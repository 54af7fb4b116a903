// groupNormSilu: silu(groupNorm(x)) as one op whose gradient keeps only x, weight and bias. Against the
// two-op path it replaces, values and gradients (x, weight, bias) bit for bit, on the fused cpu kernels
// (EdmGroupNormSilu and its gradient kernel against EdmGroupNorm, Sigmoid, Multiply and their gradients) and
// on the composed ops (composedGroupNormSilu against silu(composedGroupNorm)); against a float64 closed form;
// the bytes saved for the backward pass, from the shapes; errors by name; no leaks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { composedGroupNorm, composedGroupNormSilu, groupNorm, groupNormSilu, hasFusedGroupNorm, hasFusedGroupNormSilu, silu } from '@edm/core';
import { savedBytes } from './helpers/saved-bytes';
import { tensorMaxAbsDiff } from './helpers/tensor-diff';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Shape = [number, number, number, number];
const CASES: { shape: Shape; groups: number }[] = [
  { shape: [2, 3, 5, 8], groups: 2 },
  { shape: [3, 4, 4, 12], groups: 3 },
  { shape: [1, 7, 3, 6], groups: 1 },
  { shape: [2, 2, 2, 16], groups: 16 },
];
const EPS = 1e-5;
type Op = (x: tf.Tensor4D, w: tf.Tensor1D, b: tf.Tensor1D, g: number, eps: number) => tf.Tensor4D;
const twoOps = (norm: Op): Op => (x, w, b, g, eps) => silu(norm(x, w, b, g, eps));

/** The value and the gradients with respect to x, weight and bias for the cotangent dy. */
function valueAndGrads(op: Op, x: tf.Tensor4D, w: tf.Tensor1D, b: tf.Tensor1D, g: number, dy: tf.Tensor): tf.Tensor[] {
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
    op(a as tf.Tensor4D, ww as tf.Tensor1D, bb as tf.Tensor1D, g, EPS))([x, w, b], dy as tf.Tensor4D);
  return [value, ...grads];
}

/** silu(GroupNorm(x) w + b) in float64 from the definition (biased variance per group). */
function closedForm(x: Float32Array, w: Float32Array, b: Float32Array, [n, h, wd, c]: Shape, g: number): Float64Array {
  const y = new Float64Array(x.length);
  const cg = c / g;
  const p = h * wd;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < g; k++) {
      const idx: number[] = [];
      for (let q = 0; q < p; q++) for (let j = k * cg; j < (k + 1) * cg; j++) idx.push((i * p + q) * c + j);
      const mu = idx.reduce((s, o) => s + x[o]!, 0) / idx.length;
      const v = idx.reduce((s, o) => s + (x[o]! - mu) ** 2, 0) / idx.length;
      for (const o of idx) {
        const z = (x[o]! - mu) / Math.sqrt(v + EPS) * w[o % c]! + b[o % c]!;
        y[o] = z / (1 + Math.exp(-z));
      }
    }
  }
  return y;
}

function inputs(shape: Shape): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor4D] {
  const c = shape[3];
  return [
    tf.randomNormal(shape, 0.7, 2, 'float32', 1) as tf.Tensor4D,
    tf.randomNormal([c], 1, 0.4, 'float32', 2) as tf.Tensor1D,
    tf.randomNormal([c], 0, 0.4, 'float32', 3) as tf.Tensor1D,
    tf.randomNormal(shape, 0, 1, 'float32', 4) as tf.Tensor4D,
  ];
}

describe('groupNormSilu', () => {
  it('runs the fused kernels on cpu (so the cases below cover both paths)', () => {
    expect(hasFusedGroupNorm('cpu')).toBe(true);
    expect(hasFusedGroupNormSilu('cpu')).toBe(true);
  });

  for (const { shape, groups } of CASES) {
    it(`value and gradients bit-identical to silu(groupNorm), fused and composed (${shape.join('x')}, ${groups} groups)`, async () => {
      const [x, w, b, dy] = inputs(shape);
      const pairs: [string, Op, Op][] = [
        ['fused', groupNormSilu, twoOps(groupNorm)],
        ['composed', composedGroupNormSilu, twoOps(composedGroupNorm)],
      ];
      const exact = closedForm(await x.data() as Float32Array, await w.data() as Float32Array, await b.data() as Float32Array, shape, groups);
      for (const [path, lean, plain] of pairs) {
        const ours = valueAndGrads(lean, x, w, b, groups, dy);
        const ref = valueAndGrads(plain, x, w, b, groups, dy);
        ['value', 'dx', 'dweight', 'dbias'].forEach((what, i) => expect(tensorMaxAbsDiff(ours[i]!, ref[i]!), `${path} ${what}`).toBe(0));
        const v = await ours[0]!.data();
        let err = 0;
        for (let i = 0; i < v.length; i++) err = Math.max(err, Math.abs(v[i]! - exact[i]!));
        expect(err, `${path} value vs float64 closed form`).toBeLessThan(2e-5);
        tf.dispose([...ours, ...ref]);
      }
      tf.dispose([x, w, b, dy]);
    });
  }

  it('keeps only x, weight and bias for the backward pass (the two-op path also keeps the normalised tensor)', () => {
    const shape: Shape = [2, 4, 4, 12];
    const [n, , , c] = shape;
    const g = 3;
    const [x, w, b, dy] = inputs(shape);
    const f32 = 4;
    const act = x.size * f32;
    // Lean: x, weight, bias. Fused two-op path: x and weight (GroupNorm kernel), its mean and invStd [N, G],
    // and SiLU's input (the normalised tensor). Composed two-op path: the same, its statistics [N, 1, G, 1].
    expect(savedBytes(() => groupNormSilu(x, w, b, g, EPS))).toBe(act + 2 * c * f32);
    expect(savedBytes(() => composedGroupNormSilu(x, w, b, g, EPS))).toBe(act + 2 * c * f32);
    expect(savedBytes(() => silu(groupNorm(x, w, b, g, EPS)))).toBe(2 * act + c * f32 + 2 * n * g * f32);
    expect(savedBytes(() => silu(composedGroupNorm(x, w, b, g, EPS)))).toBe(2 * act + c * f32 + 2 * n * g * f32);
    tf.dispose([x, w, b, dy]);
  });

  it('no tensor growth across repeated forward + backward passes (both paths)', () => {
    const x = tf.randomNormal([2, 4, 4, 8]) as tf.Tensor4D;
    const w = tf.variable(tf.ones([8])) as unknown as tf.Tensor1D;
    const b = tf.variable(tf.zeros([8])) as unknown as tf.Tensor1D;
    for (const op of [groupNormSilu, composedGroupNormSilu]) {
      const step = () => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(op(x, w, b, 4, EPS))) as tf.Scalar);
        tf.dispose([value, grads]);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(op(x, w, b, 4, EPS));
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([x, w, b]);
  });

  it('rejects groups that do not divide the channels, and mismatched weight/bias, by name', () => {
    const x = tf.zeros([1, 2, 2, 6]) as tf.Tensor4D;
    const w6 = tf.ones([6]) as tf.Tensor1D;
    const b6 = tf.zeros([6]) as tf.Tensor1D;
    const w5 = tf.ones([5]) as tf.Tensor1D;
    expect(() => groupNormSilu(x, w6, b6, 4, EPS)).toThrow(/groupNormSilu: 4 groups do not divide 6 channels/);
    expect(() => composedGroupNormSilu(x, w5, b6, 3, EPS)).toThrow(/composedGroupNormSilu: weight 5 and bias 6 must have 6 entries/);
    tf.dispose([x, w6, b6, w5]);
  });
});
