// Ancestral sampling with Euler steps (k-diffusion sample_euler_ancestral): an Euler step down to
// sigma_down, then noise of std sigma_up (see ancestral.ts). No noise on the final step to 0.
import * as tf from '@tensorflow/tfjs-core';
import type { Sampler } from '../types';
import { addNoise, ancestralStep, resolveAncestral } from './ancestral';
import type { AncestralOptions, KSamplerOptions } from './options';
import { runSampler, toD } from './runner';

/** Options of `eulerAncestralSampler`. */
export interface EulerAncestralOptions extends KSamplerOptions, AncestralOptions {}

/** Euler ancestral: one evaluation and (except on the last step) one noise draw per step. */
export const eulerAncestralSampler: Sampler<EulerAncestralOptions> = async (net, latents, options = {}) => {
  const { eta, sNoise } = resolveAncestral('eulerAncestralSampler', options);
  return runSampler('eulerAncestralSampler', net, latents, options, (ctx) => ({
    step(x, i) {
      const sigma = ctx.sigmas[i]!;
      const sigmaNext = ctx.sigmas[i + 1]!;
      const denoised = ctx.denoise(x, sigma);
      const { sigmaDown, sigmaUp } = ancestralStep(sigma, sigmaNext, eta);
      const down = tf.tidy(() => tf.add(x, tf.mul(toD(x, denoised, sigma), sigmaDown - sigma)) as tf.Tensor4D);
      if (sigmaNext === 0) return { x: down, denoised };
      const next = addNoise(ctx, down, sNoise * sigmaUp);
      if (next !== down) down.dispose();
      return { x: next, denoised };
    },
  }));
};
