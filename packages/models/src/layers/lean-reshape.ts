// tf.reshape and multiplication by a constant whose gradients keep no tensors. tfjs keeps every tensor a
// gradient saves until the backward pass ends: its Reshape saves the input only to read its shape, and its
// Multiply by a scalar saves the other input for the scalar's (unused) gradient. In attention that kept the
// qkv activations alive twice over for nothing. Values and gradients are tf.reshape's and tf.mul's, bit for
// bit (reshape(dy, input shape); dy s).
import * as tf from '@tensorflow/tfjs-core';

/** tf.reshape(x, shape); the gradient keeps only x's shape. */
export function leanReshape<T extends tf.Tensor>(x: tf.Tensor, shape: number[]): T {
  const xShape = x.shape;
  const op = tf.customGrad(((xs: tf.Tensor) => ({
    value: tf.reshape(xs, shape),
    gradFunc: (dy: tf.Tensor) => tf.reshape(dy, xShape),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as T;
}

/** tf.mul(x, s) for a plain number s; the gradient keeps nothing. */
export function leanScale<T extends tf.Tensor>(x: T, s: number): T {
  const op = tf.customGrad(((xs: tf.Tensor) => ({
    value: tf.mul(xs, s),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, s),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as T;
}
