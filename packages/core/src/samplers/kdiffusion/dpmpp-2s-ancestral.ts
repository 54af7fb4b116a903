// DPM-Solver++(2S) ancestral (Lu et al. 2022, "DPM-Solver++", Alg. 1 singlestep; k-diffusion
// sample_dpmpp_2s_ancestral). In lambda = -ln sigma (the half log-SNR for the EDM/VE ODE), a second-order
// singlestep data-prediction update down to sigma_down with the midpoint s = lambda_i + h/2:
//   x_2 = (sigma_s / sigma_i) x - expm1(-h/2) D(x; sigma_i),
//   x'  = (sigma_down / sigma_i) x - expm1(-h) D(x_2; sigma_s),   h = ln(sigma_i / sigma_down),
// then noise of std sigma_up (none on the last step, where sigma_down = 0 gives an Euler step).
import * as tf from '@tensorflow/tfjs-core';
import { addNoise, ancestralStep } from './ancestral';
import { kSampler, type KSamplerOptionsOf } from './runner';

/** Options of `dpmpp2sAncestralSampler` (the sampler table's `dpmpp_2s_ancestral`: noise levels, eta, s_noise). */
export type Dpmpp2sAncestralOptions = KSamplerOptionsOf<'dpmpp_2s_ancestral'>;

/** DPM-Solver++(2S) ancestral: two evaluations per step (one on the last step). */
export const dpmpp2sAncestralSampler = kSampler('dpmpp_2s_ancestral', (ctx, { eta, sNoise }) => ({
  step(x, i) {
    const sigma = ctx.sigmas[i]!;
    const sigmaNext = ctx.sigmas[i + 1]!;
    const denoised = ctx.denoise(x, sigma);
    const { sigmaDown, sigmaUp } = ancestralStep(sigma, sigmaNext, eta);
    if (sigmaDown === 0) {
      // Euler step to 0: x + (0 - sigma) (x - D) / sigma = D.
      return { x: tf.clone(denoised), denoised };
    }
    const h = Math.log(sigma / sigmaDown);
    const sigmaS = sigma * Math.exp(-0.5 * h);
    const x2 = tf.tidy(() => tf.sub(tf.mul(x, sigmaS / sigma), tf.mul(denoised, Math.expm1(-0.5 * h))) as tf.Tensor4D);
    denoised.dispose();
    const denoised2 = ctx.denoise(x2, sigmaS);
    const down = tf.tidy(() => tf.sub(tf.mul(x, sigmaDown / sigma), tf.mul(denoised2, Math.expm1(-h))) as tf.Tensor4D);
    x2.dispose();
    const next = sigmaNext > 0 ? addNoise(ctx, down, sNoise * sigmaUp) : down;
    if (next !== down) down.dispose();
    return { x: next, denoised: denoised2 };
  },
}));
