// Normalisation to unit magnitude (EDM2, Karras et al. 2024; reference networks_edm2.py `normalize`): over the
// given axes, x divided by its RMS norm plus eps,
//   normalize(x) = x / (eps + ||x|| sqrt(m / n)),   m / n = 1 / (elements reduced per norm)
// which is the pixel norm of the encoder blocks and of attention's q, k, v (over channels), and the
// weight normalisation of MPConv (eq. 66, over each output channel's fan-in).
// One op with its own gradient, keeping only x for the backward pass (the norm is recomputed there):
//   d = eps + a ||x||, a = sqrt(m / n):   dL/dx = g / d - x a (sum g x) / (d^2 ||x||)
// where ||x|| = 0 gives g / d, as PyTorch's vector_norm gradient (zero at a zero norm) does.
import * as tf from '@tensorflow/tfjs-core';

/** The epsilon of the reference's normalize. */
export const NORMALIZE_EPS = 1e-4;

/** ||x|| over `axes` (kept as size-1 dimensions), and d = eps + a ||x||. */
function normAndDenominator(x: tf.Tensor, axes: number[], eps: number): { norm: tf.Tensor; d: tf.Tensor; a: number } {
  const count = axes.reduce((p, ax) => p * x.shape[ax]!, 1);
  const a = Math.sqrt(1 / count);
  const norm = tf.sqrt(tf.sum(tf.square(x), axes, true));
  return { norm, d: tf.add(tf.mul(norm, a), eps), a };
}

/**
 * x / (eps + ||x||_axes sqrt(1 / count)), count = the product of x's sizes along `axes` (non-negative axis
 * indices). Its gradient keeps only x.
 */
export function normalize<T extends tf.Tensor>(x: T, axes: number[], eps = NORMALIZE_EPS): T {
  const op = tf.customGrad(((xs: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xs]);
    const { d } = normAndDenominator(xs, axes, eps);
    return {
      value: tf.div(xs, d),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sx = saved[0]!;
        const { norm, d: den, a } = normAndDenominator(sx, axes, eps);
        const dot = tf.sum(tf.mul(dy, sx), axes, true);
        // a (sum g x) / (d^2 ||x||), zero where ||x|| = 0 (the division's 0/0 there is not selected).
        const coef = tf.where(tf.greater(norm, 0), tf.div(tf.mul(dot, a), tf.mul(tf.square(den), norm)), tf.zerosLike(norm));
        return tf.sub(tf.div(dy, den), tf.mul(sx, coef));
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as T;
}
