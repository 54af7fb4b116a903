// The churn of Karras et al. (2022) Algorithm 2, lines 4-6, as k-diffusion applies it to Euler, Heun and
// DPM-Solver-2 on any noise levels: raise sigma_i to sigma_hat = (1 + gamma_i) sigma_i by adding noise,
//   x_hat = x + sqrt(sigma_hat^2 - sigma_i^2) S_noise eps,  gamma_i = min(S_churn / N, sqrt 2 - 1)
// where S_tmin <= sigma_i <= S_tmax (else gamma_i = 0). Options and gamma are the EDM samplers' own
// (samplers/common.ts churnGamma; their options are samplers/option-table.ts CHURN_OPTIONS).
import * as tf from '@tensorflow/tfjs-core';
import { churnGamma, type Churn } from '../common';
import type { StepContext } from './runner';

/**
 * Applies the churn at step i. Returns sigma_hat and x_hat (a new tensor when noise was added, else `x`
 * itself: check `xHat !== x` before disposing). Like k-diffusion, a user's randnLike is called on every
 * step (so recorded draws line up); the default seeded source is skipped when gamma_i = 0.
 */
export function applyChurn(ctx: StepContext, churn: Churn, x: tf.Tensor4D, i: number): { xHat: tf.Tensor4D; sigmaHat: number } {
  const sigma = ctx.sigmas[i]!;
  const gamma = churnGamma(churn, ctx.sigmas.length - 1, sigma);
  const sigmaHat = sigma * (gamma + 1);
  const eps = ctx.draw(x, gamma > 0);
  if (!(gamma > 0) || eps === null) {
    eps?.dispose();
    return { xHat: x, sigmaHat: sigma };
  }
  const xHat = tf.tidy(() => tf.add(x, tf.mul(eps, churn.sNoise * Math.sqrt(sigmaHat ** 2 - sigma ** 2))) as tf.Tensor4D);
  eps.dispose();
  return { xHat, sigmaHat };
}
