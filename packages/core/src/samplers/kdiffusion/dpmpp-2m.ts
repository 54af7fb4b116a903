// DPM-Solver++(2M) (Lu et al. 2022, Alg. 2; k-diffusion sample_dpmpp_2m): a second-order multistep
// data-prediction method in lambda = -ln sigma. With h = ln(sigma_i / sigma_{i+1}) and r = h_{i-1} / h:
//   D_d = (1 + 1/(2r)) D_i - 1/(2r) D_{i-1},   x_{i+1} = (sigma_{i+1}/sigma_i) x_i + (1 - sigma_{i+1}/sigma_i) D_d.
// The first step (no history) and the step to sigma = 0 are first order (the latter gives x = D_i).
import * as tf from '@tensorflow/tfjs-core';
import { kSampler, type KSamplerOptionsOf } from './runner';

/** Options of `dpmpp2mSampler` (the sampler table's `dpmpp_2m`: noise levels only). */
export type Dpmpp2mOptions = KSamplerOptionsOf<'dpmpp_2m'>;

/** DPM-Solver++(2M): one evaluation per step, deterministic. */
export const dpmpp2mSampler = kSampler('dpmpp_2m', (ctx) => {
  let oldDenoised: tf.Tensor4D | null = null;
  return {
    step(x, i) {
      const sigma = ctx.sigmas[i]!;
      const sigmaNext = ctx.sigmas[i + 1]!;
      const denoised = ctx.denoise(x, sigma);
      const q = sigmaNext / sigma;
      const next = tf.tidy(() => {
        let dd: tf.Tensor = denoised;
        if (oldDenoised !== null && sigmaNext > 0) {
          const h = Math.log(sigma / sigmaNext);
          const hLast = Math.log(ctx.sigmas[i - 1]! / sigma);
          const r = hLast / h;
          dd = tf.sub(tf.mul(denoised, 1 + 1 / (2 * r)), tf.mul(oldDenoised, 1 / (2 * r)));
        }
        return tf.add(tf.mul(x, q), tf.mul(dd, 1 - q)) as tf.Tensor4D;
      });
      oldDenoised?.dispose();
      oldDenoised = tf.clone(denoised);
      return { x: next, denoised };
    },
    dispose() { oldDenoised?.dispose(); },
  };
});
