// DPM-Solver-2 in the Karras ODE form (k-diffusion sample_dpm_2): a midpoint step whose midpoint is the
// geometric mean sigma_mid = sqrt(sigma_hat sigma_{i+1}) (the midpoint in log sigma), with optional churn.
// The step to sigma = 0 is an Euler step.
import { applyChurn } from './churn';
import { dpm2Step } from './dpm2-step';
import { kSampler, type KSamplerOptionsOf } from './runner';

/** Options of `dpm2Sampler` (the sampler table's `dpm_2`: noise levels and churn). */
export type Dpm2Options = KSamplerOptionsOf<'dpm_2'>;

/**
 * DPM-Solver-2: x_mid = x_hat + (sigma_mid - sigma_hat) d_i, x_{i+1} = x_hat + (sigma_{i+1} - sigma_hat) d_mid.
 * Two evaluations per step (one on the last step to 0).
 */
export const dpm2Sampler = kSampler('dpm_2', (ctx, churn) => ({
  step(x, i) {
    const { xHat, sigmaHat } = applyChurn(ctx, churn, x, i);
    const out = dpm2Step(ctx, xHat, sigmaHat, ctx.sigmas[i + 1]!);
    if (xHat !== x) xHat.dispose();
    return out;
  },
}));
