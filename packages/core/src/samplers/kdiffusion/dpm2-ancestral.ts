// Ancestral sampling with DPM-Solver-2 steps (k-diffusion sample_dpm_2_ancestral): a DPM-Solver-2 step
// (midpoint at sqrt(sigma_i sigma_down)) down to sigma_down, then noise of std sigma_up. When
// sigma_down = 0 (the last step) it takes an Euler step and adds no noise.
import { addNoise, ancestralStep } from './ancestral';
import { dpm2Step } from './dpm2-step';
import { kSampler, type KSamplerOptionsOf } from './runner';

/** Options of `dpm2AncestralSampler` (the sampler table's `dpm_2_ancestral`: noise levels, eta, s_noise). */
export type Dpm2AncestralOptions = KSamplerOptionsOf<'dpm_2_ancestral'>;

/** DPM-2 ancestral: two evaluations and one noise draw per step (one evaluation on the last). */
export const dpm2AncestralSampler = kSampler('dpm_2_ancestral', (ctx, { eta, sNoise }) => ({
  step(x, i) {
    const { sigmaDown, sigmaUp } = ancestralStep(ctx.sigmas[i]!, ctx.sigmas[i + 1]!, eta);
    const down = dpm2Step(ctx, x, ctx.sigmas[i]!, sigmaDown);
    if (sigmaDown === 0) return down;
    const next = addNoise(ctx, down.x, sNoise * sigmaUp);
    if (next !== down.x) down.x.dispose();
    return { x: next, denoised: down.denoised };
  },
}));
