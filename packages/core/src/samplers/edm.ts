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
import { churnGamma, clipSigmaRange } from './common';
import { heunStep, type Slope } from './heun-step';
import { runSampler, type Stepper, type StepContext } from './kdiffusion/runner';
import { resolveSamplerOptions, type ResolvedSamplerSettings, type SamplerSettings } from './option-table';
import type { SamplerOptions } from './types';

/**
 * Options of `edmSampler`: the sampler table's `edm` (numSteps, sigmaMin, sigmaMax, rho; S_churn, S_tmin,
 * S_tmax, S_noise as sChurn, sMin, sMax, sNoise; churnDraws), plus per-sample `seeds` of the default churn noise.
 */
export type EdmSamplerOptions = SamplerOptions & SamplerSettings<'edm'> & { seeds?: readonly number[] };

const WHERE = 'edmSampler';

/** Algorithm 2's update from t_i to t_{i+1} on the shared runner (its levels are t_0 .. t_N). */
export function edmStepper(net: Denoiser, ctx: StepContext, o: ResolvedSamplerSettings<'edm'>): Stepper {
  const numSteps = ctx.sigmas.length - 1;
  // The slope of the ODE dx/dt = (x - D(x; t)) / t, with D.
  const slope: Slope = (xx, tt) => {
    const den = ctx.denoise(xx, tt);
    return [tf.div(tf.sub(xx, den), tt) as tf.Tensor4D, den];
  };
  return {
    step(x, i) {
      const tCur = ctx.sigmas[i]!;
      const tNext = ctx.sigmas[i + 1]!;
      // Lines 4-6: raise t_i to t^_i = t_i + gamma_i t_i, by noise of std sqrt(t^_i^2 - t_i^2) S_noise.
      const gamma = churnGamma(o, numSteps, tCur);
      const tHat = net.roundSigma(tCur + gamma * tCur);
      const noiseScale = Math.sqrt(Math.max(tHat * tHat - tCur * tCur, 0)) * o.sNoise;
      // Lines 6-11: x^_i, then Euler's step from t^_i to t_{i+1}, corrected by Heun's unless t_{i+1} = 0.
      const out = heunStep(x, ctx.draw, slope, {
        tHat, tNext, noiseScale, tPrime: tNext, euler: i === numSteps - 1,
        drawAlways: o.churnDraws === 'every-step' || gamma > 0,
      });
      return { x: out.xNext, denoised: out.denoised };
    },
  };
}

/**
 * Samples from `net` starting at standard-normal `latents` [N, H, W, C] (scaled by sigma_max here, as the
 * reference). Returns the final images x_N (a new tensor); `latents` is not disposed.
 */
export async function edmSampler(net: Denoiser, latents: tf.Tensor4D, options: EdmSamplerOptions = {}): Promise<tf.Tensor4D> {
  const o = resolveSamplerOptions('edm', options);
  // t_0 .. t_{N-1} rounded to what the network supports, then t_N = 0.
  const levels = () => {
    const range = clipSigmaRange(WHERE, net, o.sigmaMin, o.sigmaMax);
    return { sigmas: edmDiscretization(o.numSteps, { ...range, rho: o.rho }).map((s, i) => (i < o.numSteps ? net.roundSigma(s) : 0)) };
  };
  return runSampler(WHERE, net, latents, options, levels, (ctx) => edmStepper(net, ctx, o));
}
