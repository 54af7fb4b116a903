// The largest absolute difference between two tensors of the same shape (tests comparing an op with the one it
// replaces; bit-identical means 0). Shared by @edm/core's and @edm/models' tests.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** max |a - b| over all elements; fails the test if the shapes differ. */
export function tensorMaxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}
