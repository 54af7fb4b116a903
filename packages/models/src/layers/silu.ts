// SiLU (swish), x * sigmoid(x): the nonlinearity of both U-Nets (reference torch.nn.functional.silu).
import * as tf from '@tensorflow/tfjs-core';

/** x * sigmoid(x). */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}
