// (a + b) s with a constant s: the residual sum of both U-Nets' blocks (reference `(x + skip) * skip_scale`).
// tfjs keeps every tensor a gradient saves until the backward pass ends: tf.add saves a and b (for their
// shapes) and tf.mul saves the sum, keeping three activations per residual alive for nothing. This op
// saves none; its value and gradients are tf.mul(tf.add(a, b), s)'s, bit for bit (dy s, then each input's
// share as tfjs's Add gradient forms it).
import * as tf from '@tensorflow/tfjs-core';
import { sumToShape } from './broadcast-grad';

/** (a + b) * s, broadcasting like tf.add; s is a plain number (the skip scale); the gradient keeps no tensors. */
export function scaledSum<T extends tf.Tensor>(a: tf.Tensor, b: tf.Tensor, s: number): T {
  const aShape = a.shape;
  const bShape = b.shape;
  const outShape = tf.broadcast_util.assertAndGetBroadcastShape(aShape, bShape);
  const op = tf.customGrad(((x: tf.Tensor, y: tf.Tensor) => ({
    value: tf.mul(tf.add(x, y), s),
    gradFunc: (dy: tf.Tensor) => {
      const ds = tf.mul(dy, s);
      return [sumToShape(ds, aShape, outShape), sumToShape(ds, bShape, outShape)];
    },
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, b) as T;
}
