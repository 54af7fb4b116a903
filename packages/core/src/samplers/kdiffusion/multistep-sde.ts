// What the SDE-DPM-Solver++ multistep methods share (Lu et al. 2022; k-diffusion sample_dpmpp_2m_sde and
// sample_dpmpp_3m_sde): with h = ln(sigma_i / sigma_{i+1}) and eta h the share of noise, a step is
//   x_{i+1} = e^{-(1+eta) h} x_i + (1 - e^{-(1+eta) h}) D_i + correction(D_i, D_{i-1}, ...)
//             + sigma_{i+1} sqrt(1 - e^{-2 eta h}) S_noise n
// where only the correction (from the past steps' D and h) differs by method; the step to sigma = 0 returns D_i.
// k-diffusion draws n from a Brownian tree; the increments over the disjoint intervals [sigma_{i+1}, sigma_i]
// are independent standard normals, so options.randnLike draws have exactly the tree's law (only the path's
// consistency across step counts is lost).
import * as tf from '@tensorflow/tfjs-core';
import type { StepContext, Stepper } from './runner';

/** A past step of a multistep method: its denoiser output D_{i-k} and its h_{i-k}. */
export interface PastStep {
  readonly denoised: tf.Tensor4D;
  readonly h: number;
}

/** What a method's update gets for the step sigma_i -> sigma_{i+1} > 0. */
export interface SdeStep {
  /** x_i. */
  x: tf.Tensor4D;
  /** D_i = D(x_i; sigma_i). */
  denoised: tf.Tensor4D;
  /** sigma_i. */
  sigma: number;
  /** sigma_{i+1} (> 0). */
  sigmaNext: number;
  /** h = ln(sigma_i / sigma_{i+1}). */
  h: number;
  /** The past steps, newest first (D_{i-1}, h_{i-1}), ...: at most `history` of them, fewer at the start. */
  past: readonly PastStep[];
}

/**
 * The stepper of an SDE-DPM-Solver++ multistep method that keeps `history` past steps. `update` returns
 * x_{i+1} without the noise (called inside a tf.tidy); the noise n is drawn wherever k-diffusion calls its
 * noise sampler (eta > 0), from the default source only when it is added (eta > 0, S_noise > 0).
 */
export function sdeMultistepStepper(
  ctx: StepContext,
  eta: number,
  sNoise: number,
  history: number,
  update: (step: SdeStep) => tf.Tensor,
): Stepper {
  const past: PastStep[] = [];
  return {
    step(x, i) {
      const sigma = ctx.sigmas[i]!;
      const sigmaNext = ctx.sigmas[i + 1]!;
      const denoised = ctx.denoise(x, sigma);
      if (sigmaNext === 0) return { x: tf.clone(denoised), denoised };
      const h = Math.log(sigma / sigmaNext);
      const noisy = eta > 0 && sNoise > 0;
      const noise = ctx.draw(x, noisy, eta > 0);
      const next = tf.tidy(() => {
        const y = update({ x, denoised, sigma, sigmaNext, h, past });
        const std = sigmaNext * Math.sqrt(-Math.expm1(-2 * (eta * h))) * sNoise;
        return (noise && noisy ? tf.add(y, tf.mul(noise, std)) : y) as tf.Tensor4D;
      });
      noise?.dispose();
      past.unshift({ denoised: tf.clone(denoised), h });
      for (const old of past.splice(history)) old.denoised.dispose();
      return { x: next, denoised };
    },
    dispose() {
      for (const old of past.splice(0)) old.denoised.dispose();
    },
  };
}
