// SiLU (swish), x * sigmoid(x): the nonlinearity of both U-Nets (reference torch.nn.functional.silu).
// With a custom gradient that keeps only x for the backward pass (d/dx = s (1 + x (1 - s)), s = sigmoid(x)
// recomputed): training memory is dominated by saved activations.
import * as tf from '@tensorflow/tfjs-core';

const siluOp = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.mul(x, tf.sigmoid(x)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs] = saved as [tf.Tensor];
      const s = tf.sigmoid(xs);
      return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(xs, tf.sub(1, s)))));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** x * sigmoid(x). */
export function silu<T extends tf.Tensor>(x: T): T {
  return siluOp(x) as T;
}
