// The continuous VP noise levels of Song et al. (2021) in the EDM notation (paper Table 1, "VP"):
//   sigma(t) = sqrt(exp(beta_d t^2 / 2 + beta_min t) - 1),  t uniform from 1 down to epsilon_s,
// then 0. k-diffusion: get_sigmas_vp.
import { withFinalZero } from './final-zero';
import { checkInteger, checkNumber } from '../validate';
import { ramp } from './ramp';

/** Options of the VP schedule (paper Table 1 defaults). */
export interface VpScheduleOptions {
  /** beta_d, the linear slope of beta(t) (default 19.9). */
  betaD?: number;
  /** beta_min, beta(0) (default 0.1). */
  betaMin?: number;
  /** epsilon_s, the last time step t_{n-1} (default 1e-3). */
  epsilonS?: number;
}

/**
 * `n` VP noise levels sigma(t_i) with t_i uniform from 1 to epsilon_s, then a final 0.
 * @param n - number of positive noise levels (= number of steps), >= 1.
 */
export function vp(n: number, options: VpScheduleOptions = {}): number[] {
  const { betaD = 19.9, betaMin = 0.1, epsilonS = 1e-3 } = options;
  checkInteger('vp', 'n', n, 1);
  checkNumber('vp', 'betaD', betaD, 'positive');
  checkNumber('vp', 'betaMin', betaMin, 'nonnegative');
  if (!(checkNumber('vp', 'epsilonS', epsilonS, 'positive') < 1)) {
    throw new Error(`vp: option epsilonS must be in (0, 1), got ${epsilonS}`);
  }
  const sigmas = ramp(n).map((r) => {
    const t = 1 + r * (epsilonS - 1);
    return Math.sqrt(Math.expm1(0.5 * betaD * t * t + betaMin * t));
  });
  return withFinalZero(sigmas);
}
