// Heun's second-order method (Karras et al. 2022, Algorithm 2; k-diffusion sample_heun) on any noise
// levels, with optional churn. The step to sigma = 0 is an Euler step (d' would divide by 0).
import * as tf from '@tensorflow/tfjs-core';
import { applyChurn } from './churn';
import { kSampler, toD, type KSamplerOptionsOf } from './runner';

/** Options of `heunSampler` (the sampler table's `heun`: noise levels and churn). */
export type HeunOptions = KSamplerOptionsOf<'heun'>;

/**
 * Heun: x' = x_hat + h d_i, then x_{i+1} = x_hat + h (d_i + d'_i) / 2 with h = sigma_{i+1} - sigma_hat.
 * Two evaluations per step (one on the last step to 0).
 */
export const heunSampler = kSampler('heun', (ctx, churn) => ({
  step(x, i) {
    const { xHat, sigmaHat } = applyChurn(ctx, churn, x, i);
    const sigmaNext = ctx.sigmas[i + 1]!;
    const h = sigmaNext - sigmaHat;
    const denoised = ctx.denoise(xHat, sigmaHat);
    const d = tf.tidy(() => toD(xHat, denoised, sigmaHat));
    const euler = tf.tidy(() => tf.add(xHat, tf.mul(d, h)) as tf.Tensor4D);
    if (sigmaNext === 0) {
      d.dispose();
      if (xHat !== x) xHat.dispose();
      return { x: euler, denoised };
    }
    denoised.dispose();
    const denoised2 = ctx.denoise(euler, sigmaNext);
    const next = tf.tidy(() => {
      const d2 = toD(euler, denoised2, sigmaNext);
      return tf.add(xHat, tf.mul(tf.add(d, d2), h / 2)) as tf.Tensor4D;
    });
    tf.dispose([d, euler]);
    if (xHat !== x) xHat.dispose();
    return { x: next, denoised: denoised2 };
  },
}));
