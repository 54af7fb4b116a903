// The DPM-Solver-2 update in the Karras ODE form (k-diffusion sample_dpm_2 and sample_dpm_2_ancestral), from
// (x, sigma) down to sigma_to:
//   d = (x - D(x; sigma)) / sigma,  sigma_mid = exp((ln sigma + ln sigma_to) / 2)   (the midpoint in log sigma)
//   x_mid = x + (sigma_mid - sigma) d,  x_to = x + (sigma_to - sigma) (x_mid - D(x_mid; sigma_mid)) / sigma_mid
// and an Euler step x_to = x + (sigma_to - sigma) d when sigma_to = 0 (the midpoint would be 0).
import * as tf from '@tensorflow/tfjs-core';
import { toD, type StepContext } from './runner';

/**
 * One DPM-Solver-2 step from x at `sigma` to `sigmaTo`: two evaluations, one when sigmaTo = 0. Returns the new
 * x and the last denoiser output (both owned by the caller). Does not dispose x.
 */
export function dpm2Step(
  ctx: StepContext, x: tf.Tensor4D, sigma: number, sigmaTo: number,
): { x: tf.Tensor4D; denoised: tf.Tensor4D } {
  const denoised = ctx.denoise(x, sigma);
  const d = tf.tidy(() => toD(x, denoised, sigma));
  if (sigmaTo === 0) {
    const next = tf.tidy(() => tf.add(x, tf.mul(d, sigmaTo - sigma)) as tf.Tensor4D);
    d.dispose();
    return { x: next, denoised };
  }
  denoised.dispose();
  const sigmaMid = Math.exp(0.5 * (Math.log(sigma) + Math.log(sigmaTo)));
  const xMid = tf.tidy(() => tf.add(x, tf.mul(d, sigmaMid - sigma)) as tf.Tensor4D);
  const denoisedMid = ctx.denoise(xMid, sigmaMid);
  const next = tf.tidy(() => tf.add(x, tf.mul(toD(xMid, denoisedMid, sigmaMid), sigmaTo - sigma)) as tf.Tensor4D);
  tf.dispose([d, xMid]);
  return { x: next, denoised: denoisedMid };
}
