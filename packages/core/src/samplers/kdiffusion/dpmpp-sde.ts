// DPM-Solver++ SDE (k-diffusion sample_dpmpp_sde): a stochastic second-order singlestep method. With
// lambda = -ln sigma, h = lambda_{i+1} - lambda_i and s = lambda_i + r h:
//   1. ancestral step sigma_i -> sigma_s: x_2 = (sd/sigma_i) x + (1 - sd/sigma_i) D(x; sigma_i) + su n_1
//   2. ancestral step sigma_i -> sigma_{i+1} with D_d = (1 - 1/(2r)) D(x; sigma_i) + 1/(2r) D(x_2; sigma_s):
//      x' = (sd'/sigma_i) x + (1 - sd'/sigma_i) D_d + su' n_2.
// k-diffusion draws n_1, n_2 from a Brownian tree over sigma (n_1 = W[sigma_s, sigma_i] normalised,
// n_2 = W[sigma_{i+1}, sigma_i] normalised, which contains the first interval). Here both come from
// options.randnLike with that same joint law: n_2 = (sqrt(sigma_i - sigma_s) n_1 + sqrt(sigma_s - sigma_{i+1}) z)
// / sqrt(sigma_i - sigma_{i+1}). What is lost is only the tree's property that the same seed gives the same
// Brownian path whatever the step count. The step to sigma = 0 is an Euler step (x = D).
import * as tf from '@tensorflow/tfjs-core';
import { ancestralStep } from './ancestral';
import { kSampler, type KSamplerOptionsOf } from './runner';

/** Options of `dpmppSdeSampler` (the sampler table's `dpmpp_sde`: noise levels, eta, s_noise and r in (0, 1]). */
export type DpmppSdeOptions = KSamplerOptionsOf<'dpmpp_sde'>;

/** DPM-Solver++ SDE: two evaluations and two noise draws per step (one evaluation on the last step). */
export const dpmppSdeSampler = kSampler('dpmpp_sde', (ctx, { eta, sNoise, r }) => {
  const fac = 1 / (2 * r);
  return {
    step(x, i) {
      const sigma = ctx.sigmas[i]!;
      const sigmaNext = ctx.sigmas[i + 1]!;
      const denoised = ctx.denoise(x, sigma);
      if (sigmaNext === 0) return { x: tf.clone(denoised), denoised };
      const h = Math.log(sigma / sigmaNext);
      const sigmaS = sigma * Math.exp(-r * h);
      const a1 = ancestralStep(sigma, sigmaS, eta);
      const a2 = ancestralStep(sigma, sigmaNext, eta);
      const noisy = sNoise > 0 && (a1.sigmaUp > 0 || a2.sigmaUp > 0);
      const n1 = ctx.draw(x, noisy);
      const z = ctx.draw(x, noisy);
      const x2 = tf.tidy(() => {
        const q = a1.sigmaDown / sigma;
        let y = tf.add(tf.mul(x, q), tf.mul(denoised, 1 - q));
        if (n1 && noisy && a1.sigmaUp > 0) y = tf.add(y, tf.mul(n1, sNoise * a1.sigmaUp));
        return y as tf.Tensor4D;
      });
      const denoised2 = ctx.denoise(x2, sigmaS);
      const next = tf.tidy(() => {
        const q = a2.sigmaDown / sigma;
        const dd = tf.add(tf.mul(denoised, 1 - fac), tf.mul(denoised2, fac));
        let y = tf.add(tf.mul(x, q), tf.mul(dd, 1 - q));
        if (n1 && z && noisy && a2.sigmaUp > 0) {
          const n2 = tf.div(tf.add(tf.mul(n1, Math.sqrt(sigma - sigmaS)), tf.mul(z, Math.sqrt(sigmaS - sigmaNext))),
            Math.sqrt(sigma - sigmaNext));
          y = tf.add(y, tf.mul(n2, sNoise * a2.sigmaUp));
        }
        return y as tf.Tensor4D;
      });
      tf.dispose([denoised, x2]);
      if (n1) n1.dispose();
      if (z) z.dispose();
      return { x: next, denoised: denoised2 };
    },
  };
});
