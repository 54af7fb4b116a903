// Ancestral sampling with Euler steps (k-diffusion sample_euler_ancestral): an Euler step down to
// sigma_down, then noise of std sigma_up (see ancestral.ts). No noise on the final step to 0.
import * as tf from '@tensorflow/tfjs-core';
import { addNoise, ancestralStep } from './ancestral';
import { kSampler, toD, type KSamplerOptionsOf } from './runner';

/** Options of `eulerAncestralSampler` (the sampler table's `euler_ancestral`: noise levels, eta, s_noise). */
export type EulerAncestralOptions = KSamplerOptionsOf<'euler_ancestral'>;

/** Euler ancestral: one evaluation and (except on the last step) one noise draw per step. */
export const eulerAncestralSampler = kSampler('euler_ancestral', (ctx, { eta, sNoise }) => ({
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
