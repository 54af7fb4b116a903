// DPM-Solver-2 in the Karras ODE form (k-diffusion sample_dpm_2): a midpoint step whose midpoint is the
// geometric mean sigma_mid = sqrt(sigma_hat sigma_{i+1}) (the midpoint in log sigma), with optional churn.
// The step to sigma = 0 is an Euler step.
import type { Sampler } from '../types';
import { checkChurn } from '../common';
import { applyChurn } from './churn';
import type { ChurnOptions, KSamplerOptions } from './options';
import { dpm2Step } from './dpm2-step';
import { runSampler } from './runner';

/** Options of `dpm2Sampler`. */
export interface Dpm2Options extends KSamplerOptions, ChurnOptions {}

/**
 * DPM-Solver-2: x_mid = x_hat + (sigma_mid - sigma_hat) d_i, x_{i+1} = x_hat + (sigma_{i+1} - sigma_hat) d_mid.
 * Two evaluations per step (one on the last step to 0).
 */
export const dpm2Sampler: Sampler<Dpm2Options> = async (net, latents, options = {}) => {
  const churn = checkChurn('dpm2Sampler', options);
  return runSampler('dpm2Sampler', net, latents, options, (ctx) => ({
    step(x, i) {
      const { xHat, sigmaHat } = applyChurn(ctx, churn, x, i);
      const out = dpm2Step(ctx, xHat, sigmaHat, ctx.sigmas[i + 1]!);
      if (xHat !== x) xHat.dispose();
      return out;
    },
  }));
};
