// GroupNorm from tfjs ops (the path for backends without the fused kernels), split into the pieces its
// custom gradient and the fused GroupNorm + SiLU op share, so both run the same ops in the same order:
// the per-group statistics, the normalised-and-scaled value, and the gradient
//   dx = (g - mean_g(g) - x_hat mean_g(g x_hat)) / sqrt(var_g + eps),  g = dy w.
import * as tf from '@tensorflow/tfjs-core';

/** x [N,H,W,C] viewed as [N, H*W, G, C/G] (the statistics reduce axes 1 and 3). */
export function groupedShape(x: tf.Tensor4D, numGroups: number): number[] {
  const [n, h, w, c] = x.shape;
  return [n, h * w, numGroups, c / numGroups];
}

/** Per-group mean and 1 / sqrt(var + eps) (biased variance), each [N, 1, G, 1]. */
export function composedGroupStats(x: tf.Tensor4D, numGroups: number, eps: number): { mean: tf.Tensor; invStd: tf.Tensor } {
  const { mean, variance } = tf.moments(tf.reshape(x, groupedShape(x, numGroups)), [1, 3], true);
  return { mean, invStd: tf.rsqrt(tf.add(variance, eps)) };
}

/** x_hat = (x - mean) invStd in the grouped shape [N, H*W, G, C/G]. */
export function composedNormalised(x: tf.Tensor4D, mean: tf.Tensor, invStd: tf.Tensor, numGroups: number): tf.Tensor {
  return tf.mul(tf.sub(tf.reshape(x, groupedShape(x, numGroups)), mean), invStd);
}

/** y = x_hat w + b, [N,H,W,C], from x_hat in the grouped shape. */
export function composedAffine(xhat: tf.Tensor, weight: tf.Tensor1D, bias: tf.Tensor1D, shape: number[]): tf.Tensor4D {
  return tf.add(tf.mul(tf.reshape(xhat, shape), weight), bias) as tf.Tensor4D;
}

/** [dx [N,H,W,C], dWeight [C], dBias [C]] of y = GroupNorm(x) w + b given dy and the statistics. */
export function composedGroupNormBackward(
  dy: tf.Tensor, x: tf.Tensor4D, weight: tf.Tensor, mean: tf.Tensor, invStd: tf.Tensor, numGroups: number,
): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  const [n, h, w, c] = x.shape;
  const g = numGroups;
  const grouped = groupedShape(x, g);
  const xh = composedNormalised(x, mean, invStd, g);
  const dyr = tf.reshape(dy, grouped);
  const dBias = tf.sum(dy, [0, 1, 2]) as tf.Tensor1D;
  const dWeight = tf.reshape(tf.sum(tf.mul(dyr, xh), [0, 1]), [c]) as tf.Tensor1D;
  const gx = tf.mul(dyr, tf.reshape(weight, [1, 1, g, c / g]));
  const dx = tf.mul(invStd, tf.sub(tf.sub(gx, tf.mean(gx, [1, 3], true)), tf.mul(xh, tf.mean(tf.mul(gx, xh), [1, 3], true))));
  return [tf.reshape(dx, [n, h, w, c]) as tf.Tensor4D, dWeight, dBias];
}
