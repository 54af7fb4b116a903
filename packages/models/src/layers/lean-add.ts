// a + b (with broadcasting) whose gradient keeps no tensors. tfjs keeps every tensor a gradient saves until
// the backward pass ends, and its Add saves both inputs only to read their shapes: in a U-Net that kept
// conv outputs alive for the whole backward pass (the embedding add h + affine(emb)). This op saves the
// shapes instead; value and gradients are tfjs's Add's, bit for bit.
import * as tf from '@tensorflow/tfjs-core';
import { sumToShape } from './broadcast-grad';

/** a + b, broadcasting like tf.add; the gradient keeps only the shapes. */
export function leanAdd<T extends tf.Tensor>(a: tf.Tensor, b: tf.Tensor): T {
  const aShape = a.shape;
  const bShape = b.shape;
  const outShape = tf.broadcast_util.assertAndGetBroadcastShape(aShape, bShape);
  const op = tf.customGrad(((x: tf.Tensor, y: tf.Tensor) => ({
    value: tf.add(x, y),
    gradFunc: (dy: tf.Tensor) => [sumToShape(dy, aShape, outShape), sumToShape(dy, bShape, outShape)],
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, b) as T;
}
