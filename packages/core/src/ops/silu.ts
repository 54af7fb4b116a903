// SiLU (swish), x * sigmoid(x): the nonlinearity of both EDM U-Nets (reference torch.nn.functional.silu).
// With a custom gradient that keeps only x for the backward pass (d/dx = s (1 + x (1 - s)), s = sigmoid(x)
// recomputed): training memory is dominated by saved activations. The value and the backward arithmetic
// are shared with the fused GroupNorm + SiLU op (ops/group-norm-silu.ts), so the two agree bit for bit.
import * as tf from '@tensorflow/tfjs-core';

/** x * sigmoid(x), no gradient recorded. */
export function siluForward<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

/** dy * d silu / dx at x: dy (s (1 + x (1 - s))), s = sigmoid(x). */
export function siluBackward(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const s = tf.sigmoid(x);
  return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(x, tf.sub(1, s)))));
}

const siluOp = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: siluForward(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => siluBackward(dy, saved[0]!),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** x * sigmoid(x); its gradient keeps only x. */
export function silu<T extends tf.Tensor>(x: T): T {
  return siluOp(x) as T;
}
