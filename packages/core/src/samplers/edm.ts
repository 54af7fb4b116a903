// The EDM sampler (paper Algorithm 2; reference generate.py edm_sampler): Heun's 2nd order method on the
// probability-flow ODE dx/dt = (x - D(x; t)) / t with sigma(t) = t, s(t) = 1, the EDM discretization
// (eq. 5), and optional stochastic churn; deterministic Algorithm 1 when S_churn = 0; the last step
// (to t_N = 0) is Euler.
//   gamma_i = min(S_churn/N, sqrt(2)-1) if t_i in [S_tmin, S_tmax]     t^_i = t_i + gamma_i t_i
//   x^_i = x_i + sqrt(t^_i^2 - t_i^2) S_noise eps                     d_i = (x^_i - D(x^_i; t^_i)) / t^_i
//   x_{i+1} = x^_i + (t_{i+1} - t^_i) d_i
//   if t_{i+1} != 0:  d'_i = (x_{i+1} - D(x_{i+1}; t_{i+1})) / t_{i+1}
//                     x_{i+1} = x^_i + (t_{i+1} - t^_i) (d_i + d'_i) / 2
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser';
import { edmDiscretization } from '../discretization/edm';
import { checkInteger, checkNumber } from '../validate';
import { throwIfAborted } from './abort';
import { checkChurn, checkLatents, churnGamma, churnNoise, clipSigmaRange, reportStep, type ChurnOptions } from './common';
import { heunStep, type Slope } from './heun-step';
import type { SamplerOptions } from './types';

/** Options of `edmSampler` (camelCase of the reference's edm_sampler arguments). */
export interface EdmSamplerOptions extends SamplerOptions, ChurnOptions {
  /** N, number of steps (the network is evaluated 2N - 1 times). Default 18. */
  numSteps?: number;
  /** sigma_min, lowest noise level (raised to the network's sigmaMin). Default 0.002. */
  sigmaMin?: number;
  /** sigma_max, highest noise level (lowered to the network's sigmaMax). Default 80. */
  sigmaMax?: number;
  /** rho, time step exponent of eq. 5. Default 7. */
  rho?: number;
}

const WHERE = 'edmSampler';

/**
 * Samples from `net` starting at standard-normal `latents` [N, H, W, C] (scaled by sigma_max here, as the
 * reference). Returns the final images x_N (a new tensor); `latents` is not disposed.
 */
export async function edmSampler(net: Denoiser, latents: tf.Tensor4D, options: EdmSamplerOptions = {}): Promise<tf.Tensor4D> {
  checkLatents(WHERE, net, latents);
  const numSteps = checkInteger(WHERE, 'numSteps', options.numSteps ?? 18, 1);
  const rho = checkNumber(WHERE, 'rho', options.rho ?? 7, 'positive');
  const range = clipSigmaRange(WHERE, net, options.sigmaMin ?? 0.002, options.sigmaMax ?? 80);
  const churn = checkChurn(WHERE, options);
  const noise = churnNoise(WHERE, options, latents.shape[0]);
  const classLabels = options.classLabels ?? null;

  // t_0 .. t_{N-1} rounded to what the network supports, then t_N = 0.
  const t = edmDiscretization(numSteps, { ...range, rho }).map((s, i) => (i < numSteps ? net.roundSigma(s) : 0));

  // The slope of the ODE dx/dt = (x - D(x; t)) / t, with D.
  const slope: Slope = (xx, tt) => {
    const den = net.forward(xx, tt, classLabels);
    return [tf.div(tf.sub(xx, den), tt) as tf.Tensor4D, den];
  };

  let x = tf.tidy(() => tf.mul(tf.cast(latents, 'float32'), t[0]!) as tf.Tensor4D);
  try {
    for (let i = 0; i < numSteps; i++) {
      throwIfAborted(options.signal, WHERE, i);
      const tCur = t[i]!;
      const tNext = t[i + 1]!;
      // Lines 4-6: raise t_i to t^_i = t_i + gamma_i t_i, by noise of std sqrt(t^_i^2 - t_i^2) S_noise.
      const gamma = churnGamma(churn, numSteps, tCur);
      const tHat = net.roundSigma(tCur + gamma * tCur);
      const noiseScale = Math.sqrt(Math.max(tHat * tHat - tCur * tCur, 0)) * churn.sNoise;
      // Lines 6-11: x^_i, then Euler's step from t^_i to t_{i+1}, corrected by Heun's unless t_{i+1} = 0.
      const step = heunStep(x, noise, slope, { tHat, tNext, noiseScale, tPrime: tNext, euler: i === numSteps - 1 });
      x.dispose();
      x = step.xNext;
      await reportStep(options.onStep, { i, sigma: tCur, sigmaNext: tNext, x, denoised: step.denoised });
    }
  } catch (e) {
    x.dispose();
    throw e;
  }
  return x;
}
