// Heun's second-order method (Karras et al. 2022, Algorithm 2; k-diffusion sample_heun) on any noise
// levels, with optional churn. The step to sigma = 0 is an Euler step (d' would divide by 0).
import * as tf from '@tensorflow/tfjs-core';
import type { Sampler } from '../types';
import { checkChurn } from '../common';
import { applyChurn } from './churn';
import type { ChurnOptions, KSamplerOptions } from './options';
import { runSampler, toD } from './runner';

/** Options of `heunSampler`. */
export interface HeunOptions extends KSamplerOptions, ChurnOptions {}

/**
 * Heun: x' = x_hat + h d_i, then x_{i+1} = x_hat + h (d_i + d'_i) / 2 with h = sigma_{i+1} - sigma_hat.
 * Two evaluations per step (one on the last step to 0).
 */
export const heunSampler: Sampler<HeunOptions> = async (net, latents, options = {}) => {
  const churn = checkChurn('heunSampler', options);
  return runSampler('heunSampler', net, latents, options, (ctx) => ({
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
};
