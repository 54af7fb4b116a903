// VP time step discretization (Song et al. 2021; paper Table 1): uniform t from 1 to epsilon_s,
//   t_i = 1 + i / (N - 1) (epsilon_s - 1),  sigma_i = sigma_VP(t_i)
// with beta_d, beta_min chosen so that sigma_VP(1) = sigma_max and sigma_VP(epsilon_s) = sigma_min.
import { vpBetasForRange, vpSchedule } from '../ode/schedule';
import { checkNumber } from '../validate';
import { appendZero, checkDiscretization, stepFractions } from './common';

/**
 * beta_d of the default VP noise range: generate.py's ablation sampler takes its vp range from sigma_VP with
 * beta_d 19.1 (not VPPrecond's training value 19.9), so --disc vp starts at sigma_VP(1) = 124.58.
 */
export const VP_DEFAULT_RANGE_BETA_D = 19.1;

/**
 * The reference's default VP noise range for epsilon_s: [sigma_VP(epsilon_s), sigma_VP(1)] with beta_d 19.1,
 * beta_min 0.1 (generate.py's ablation_sampler): [0.010467, 124.58] for epsilon_s 1e-3.
 */
export function vpDefaultSigmaRange(epsilonS = 1e-3): { sigmaMin: number; sigmaMax: number } {
  const s = vpSchedule(VP_DEFAULT_RANGE_BETA_D, 0.1);
  return { sigmaMin: s.sigma(epsilonS), sigmaMax: s.sigma(1) };
}

/** Options of `vpDiscretization`. */
export interface VpDiscretizationOptions {
  /** sigma_min = sigma(epsilon_s). Default sigma_VP(epsilon_s) with beta_d 19.1, beta_min 0.1 (0.010467 for epsilon_s 1e-3). */
  sigmaMin?: number;
  /** sigma_max = sigma(1). Default sigma_VP(1) with beta_d 19.1, beta_min 0.1 (124.58). */
  sigmaMax?: number;
  /** epsilon_s, the last time step t_{N-1}. Default 1e-3. */
  epsilonS?: number;
}

/** The N + 1 noise levels of the VP discretization, t_N = 0 appended. */
export function vpDiscretization(numSteps: number, opts: VpDiscretizationOptions = {}): number[] {
  const epsilonS = checkNumber('vpDiscretization', 'epsilonS', opts.epsilonS ?? 1e-3, 'positive');
  const def = vpDefaultSigmaRange(epsilonS);
  const { sigmaMin = def.sigmaMin, sigmaMax = def.sigmaMax } = opts;
  checkDiscretization('vpDiscretization', numSteps, sigmaMin, sigmaMax);
  if (epsilonS >= 1) throw new Error(`vpDiscretization: option epsilonS must be in (0, 1), got ${epsilonS}`);
  const { betaD, betaMin } = vpBetasForRange(sigmaMin, sigmaMax, epsilonS);
  const sigma = vpSchedule(betaD, betaMin).sigma;
  return appendZero(stepFractions(numSteps).map((f) => sigma(1 + f * (epsilonS - 1))));
}
