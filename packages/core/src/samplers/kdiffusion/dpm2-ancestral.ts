// Ancestral sampling with DPM-Solver-2 steps (k-diffusion sample_dpm_2_ancestral): a DPM-Solver-2 step
// (midpoint at sqrt(sigma_i sigma_down)) down to sigma_down, then noise of std sigma_up. When
// sigma_down = 0 (the last step) it takes an Euler step and adds no noise.
import * as tf from '@tensorflow/tfjs-core';
import type { Sampler } from '../types';
import { addNoise, ancestralStep, resolveAncestral } from './ancestral';
import type { AncestralOptions, KSamplerOptions } from './options';
import { runSampler, toD } from './runner';

/** Options of `dpm2AncestralSampler`. */
export interface Dpm2AncestralOptions extends KSamplerOptions, AncestralOptions {}

/** DPM-2 ancestral: two evaluations and one noise draw per step (one evaluation on the last). */
export const dpm2AncestralSampler: Sampler<Dpm2AncestralOptions> = async (net, latents, options = {}) => {
  const { eta, sNoise } = resolveAncestral('dpm2AncestralSampler', options);
  return runSampler('dpm2AncestralSampler', net, latents, options, (ctx) => ({
    step(x, i) {
      const sigma = ctx.sigmas[i]!;
      const sigmaNext = ctx.sigmas[i + 1]!;
      const denoised = ctx.denoise(x, sigma);
      const { sigmaDown, sigmaUp } = ancestralStep(sigma, sigmaNext, eta);
      const d = tf.tidy(() => toD(x, denoised, sigma));
      if (sigmaDown === 0) {
        const next = tf.tidy(() => tf.add(x, tf.mul(d, sigmaDown - sigma)) as tf.Tensor4D);
        d.dispose();
        return { x: next, denoised };
      }
      denoised.dispose();
      const sigmaMid = Math.exp(0.5 * (Math.log(sigma) + Math.log(sigmaDown)));
      const xMid = tf.tidy(() => tf.add(x, tf.mul(d, sigmaMid - sigma)) as tf.Tensor4D);
      const denoisedMid = ctx.denoise(xMid, sigmaMid);
      const down = tf.tidy(() => tf.add(x, tf.mul(toD(xMid, denoisedMid, sigmaMid), sigmaDown - sigma)) as tf.Tensor4D);
      tf.dispose([d, xMid]);
      const next = addNoise(ctx, down, sNoise * sigmaUp);
      if (next !== down) down.dispose();
      return { x: next, denoised: denoisedMid };
    },
  }));
};
