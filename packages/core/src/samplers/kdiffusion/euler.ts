// Euler steps on the probability-flow ODE dx/dsigma = (x - D(x; sigma)) / sigma (Karras et al. 2022,
// Algorithm 2 with Euler steps; k-diffusion sample_euler), with optional churn.
import * as tf from '@tensorflow/tfjs-core';
import type { Sampler } from '../types';
import { checkChurn } from '../common';
import { applyChurn } from './churn';
import type { ChurnOptions, KSamplerOptions } from './options';
import { runSampler, toD } from './runner';

/** Options of `eulerSampler`. */
export interface EulerOptions extends KSamplerOptions, ChurnOptions {}

/** Euler (first order): x_{i+1} = x_hat + (sigma_{i+1} - sigma_hat) d_i. One evaluation per step. */
export const eulerSampler: Sampler<EulerOptions> = async (net, latents, options = {}) => {
  const churn = checkChurn('eulerSampler', options);
  return runSampler('eulerSampler', net, latents, options, (ctx) => ({
    step(x, i) {
      const { xHat, sigmaHat } = applyChurn(ctx, churn, x, i);
      const denoised = ctx.denoise(xHat, sigmaHat);
      const next = tf.tidy(() => tf.add(xHat, tf.mul(toD(xHat, denoised, sigmaHat), ctx.sigmas[i + 1]! - sigmaHat)) as tf.Tensor4D);
      if (xHat !== x) xHat.dispose();
      return { x: next, denoised };
    },
  }));
};
