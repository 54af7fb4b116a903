import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import '@edm/core';

describe('tfjs setup (packages/core/src/tf-setup.ts)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  test('gradients are registered', () => {
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(a, a)))(tf.tensor1d([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
  });
  test('chained ops are registered', () => {
    const x = tf.tensor1d([1, 2, 3]) as tf.Tensor & { square(): tf.Tensor };
    expect(tf.sum(x.square()).dataSync()[0]).toBe(14);
  });
});
