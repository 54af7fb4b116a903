// upsampleNearest2x: 2x nearest-neighbour upsampling as one op (fused cpu kernels, composed ops elsewhere)
// whose gradient keeps no tensor. Against the two-tile composition the U-Nets used before, values and
// gradients bit for bit on both paths; against the definition; the bytes saved; errors by name; no leaks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { composedUpsampleNearest2x, hasFusedUpsampleNearest, upsampleNearest2x } from '@edm/core';
import { savedBytes } from './helpers/saved-bytes';
import { tensorMaxAbsDiff } from './helpers/tensor-diff';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The composition it replaces: two rank-4 tiles and reshapes (tfjs's own Tile gradient). */
function twoTiles(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const cols = tf.reshape(tf.tile(tf.reshape(x, [n * h, w, 1, c]), [1, 1, 2, 1]), [n, h, 1, 2 * w * c]);
  return tf.reshape(tf.tile(cols, [1, 1, 2, 1]), [n, 2 * h, 2 * w, c]) as tf.Tensor4D;
}

const SHAPES: [number, number, number, number][] = [[2, 3, 4, 5], [1, 7, 7, 24], [3, 1, 2, 1]];

describe('upsampleNearest2x', () => {
  it('runs the fused kernels on cpu (so the cases below cover both paths)', () => {
    expect(hasFusedUpsampleNearest('cpu')).toBe(true);
  });

  for (const shape of SHAPES) {
    it(`value and gradient bit-identical to the two-tile composition, fused and composed (${shape.join('x')})`, async () => {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 5) as tf.Tensor4D;
      const [n, h, w, c] = shape;
      const dy = tf.randomNormal([n, 2 * h, 2 * w, c], 0, 1, 'float32', 6) as tf.Tensor4D;
      const run = (op: (t: tf.Tensor4D) => tf.Tensor4D) => {
        const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => op(t as tf.Tensor4D))([x], dy);
        return [value, grads[0]!];
      };
      const ref = run(twoTiles);
      for (const [path, op] of [['fused', upsampleNearest2x], ['composed', composedUpsampleNearest2x]] as const) {
        const ours = run(op);
        expect(tensorMaxAbsDiff(ours[0]!, ref[0]!), `${path} value`).toBe(0);
        expect(tensorMaxAbsDiff(ours[1]!, ref[1]!), `${path} gradient`).toBe(0);
        tf.dispose(ours);
      }
      // The definition: y[2i + a, 2j + b] = x[i, j]; dx = the sum of each 2x2 block of dy.
      const xv = await x.data();
      const yv = await ref[0]!.data();
      const dyv = await dy.data();
      const dxv = await ref[1]!.data();
      for (let b = 0; b < n; b++) for (let i = 0; i < 2 * h; i++) for (let j = 0; j < 2 * w; j++) for (let k = 0; k < c; k++) {
        expect(yv[((b * 2 * h + i) * 2 * w + j) * c + k]).toBe(xv[((b * h + (i >> 1)) * w + (j >> 1)) * c + k]);
      }
      for (let b = 0; b < n; b++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) {
        const at = (r: number, q: number) => dyv[((b * 2 * h + r) * 2 * w + q) * c + k]!;
        const sum = at(2 * i, 2 * j) + at(2 * i + 1, 2 * j) + at(2 * i, 2 * j + 1) + at(2 * i + 1, 2 * j + 1);
        expect(Math.abs(dxv[((b * h + i) * w + j) * c + k]! - sum)).toBeLessThan(1e-5);
      }
      tf.dispose([x, dy, ...ref]);
    });
  }

  it('keeps no tensor for the backward pass (the two-tile composition keeps its inputs)', () => {
    const x = tf.randomNormal([2, 4, 4, 6]) as tf.Tensor4D;
    expect(savedBytes(() => upsampleNearest2x(x))).toBe(0);
    expect(savedBytes(() => composedUpsampleNearest2x(x))).toBe(0);
    expect(savedBytes(() => twoTiles(x))).toBeGreaterThan(x.size * 4); // tiles and reshapes keep their inputs
    x.dispose();
  });

  it('no tensor growth across repeated forward + backward passes; rank other than 4 refused by name', () => {
    const x = tf.variable(tf.randomNormal([2, 3, 3, 4])) as unknown as tf.Tensor4D;
    for (const op of [upsampleNearest2x, composedUpsampleNearest2x]) {
      const step = () => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(op(x))) as tf.Scalar);
        tf.dispose([value, grads]);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(() => upsampleNearest2x(tf.zeros([2, 3, 4]) as unknown as tf.Tensor4D)).toThrow(/upsampleNearest2x: x must be NHWC \(rank 4\), got shape \[2,3,4\]/);
    tf.dispose(x);
  });
});
