// The sampler options of `edm generate` (and of train's snapshot grids), named as generate.py's, in
// kebab-case: --steps, --sigma-min, --sigma-max, --rho, --s-churn, --s-min, --s-max, --s-noise, and the
// ablation sampler's --solver, --disc, --schedule, --scaling.
import { choice, float, int } from '../command/options';
import type { SampleSettings } from './generate-images';

/** Option table fragment for sampler settings. */
export const samplerOptions = {
  steps: int({ help: 'Number of sampling steps N', min: 1, max: 1000, showDefault: '18' }),
  sigmaMin: float({ help: 'Lowest noise level sigma_min', min: 0, max: 1000, exclusiveMin: true, showDefault: '0.002 (edm), per precond', relation: { option: 'sigmaMax', op: '<' } }),
  sigmaMax: float({ help: 'Highest noise level sigma_max', min: 0, max: 1000, exclusiveMin: true, showDefault: '80 (edm), per precond' }),
  rho: float({ help: 'Time step exponent rho', min: 0, max: 100, exclusiveMin: true, showDefault: '7' }),
  sChurn: float({ help: 'Stochasticity strength S_churn', min: 0, max: 1000, showDefault: '0' }),
  sMin: float({ help: 'Stochasticity sigma range start S_min', min: 0, max: 1000, showDefault: '0', relation: { option: 'sMax', op: '<=' } }),
  sMax: float({ help: 'Stochasticity sigma range end S_max', min: 0, max: Infinity, allowInfinity: true, showDefault: 'inf' }),
  sNoise: float({ help: 'Stochasticity noise inflation S_noise', min: 0, max: 2, showDefault: '1' }),
  solver: choice(['euler', 'heun'] as const, { help: 'Ablate ODE solver (uses the ablation sampler)' }),
  disc: choice(['vp', 've', 'iddpm', 'edm'] as const, { help: 'Ablate time step discretization {t_i}' }),
  schedule: choice(['vp', 've', 'linear'] as const, { help: 'Ablate noise schedule sigma(t)' }),
  scaling: choice(['vp', 'none'] as const, { help: 'Ablate signal scaling s(t)' }),
};

type SamplerOptionValues = {
  steps?: number; sigmaMin?: number; sigmaMax?: number; rho?: number; sChurn?: number; sMin?: number; sMax?: number;
  sNoise?: number; solver?: 'euler' | 'heun'; disc?: 'vp' | 've' | 'iddpm' | 'edm'; schedule?: 'vp' | 've' | 'linear';
  scaling?: 'vp' | 'none';
};

/** Maps parsed options to sampler settings. */
export function samplerSettings(o: SamplerOptionValues): SampleSettings {
  return {
    numSteps: o.steps, sigmaMin: o.sigmaMin, sigmaMax: o.sigmaMax, rho: o.rho, sChurn: o.sChurn, sMin: o.sMin,
    sMax: o.sMax, sNoise: o.sNoise, solver: o.solver, discretization: o.disc, schedule: o.schedule, scaling: o.scaling,
  };
}
