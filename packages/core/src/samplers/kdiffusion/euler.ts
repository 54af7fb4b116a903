// Euler steps on the probability-flow ODE dx/dsigma = (x - D(x; sigma)) / sigma (Karras et al. 2022,
// Algorithm 2 with Euler steps; k-diffusion sample_euler), with optional churn.
import * as tf from '@tensorflow/tfjs-core';
import { applyChurn } from './churn';
import { kSampler, toD, type KSamplerOptionsOf } from './runner';

/** Options of `eulerSampler` (the sampler table's `euler`: noise levels and churn). */
export type EulerOptions = KSamplerOptionsOf<'euler'>;

/** Euler (first order): x_{i+1} = x_hat + (sigma_{i+1} - sigma_hat) d_i. One evaluation per step. */
export const eulerSampler = kSampler('euler', (ctx, churn) => ({
  step(x, i) {
    const { xHat, sigmaHat } = applyChurn(ctx, churn, x, i);
    const denoised = ctx.denoise(xHat, sigmaHat);
    const next = tf.tidy(() => tf.add(xHat, tf.mul(toD(xHat, denoised, sigmaHat), ctx.sigmas[i + 1]! - sigmaHat)) as tf.Tensor4D);
    if (xHat !== x) xHat.dispose();
    return { x: next, denoised };
  },
}));
