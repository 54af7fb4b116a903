// Polyexponential noise levels: a polynomial ramp in log sigma,
//   ln sigma_i = ln sigma_min + (1 - i/(n-1))^rho (ln sigma_max - ln sigma_min),
// then 0. k-diffusion: get_sigmas_polyexponential. rho = 1 is the exponential schedule; rho > 1 spends
// more steps at low noise.
import { withFinalZero } from './final-zero';
import { checkInteger, checkNumber, checkSigmaRange } from '../validate';
import { ramp } from './ramp';

/**
 * `n` noise levels with ln sigma following a degree-`rho` ramp from `sigmaMax` to `sigmaMin`, then 0.
 * @param n - number of positive noise levels (= number of steps), >= 1.
 * @param sigmaMin - sigma_min, the last positive level.
 * @param sigmaMax - sigma_max, the first level.
 * @param rho - the ramp's power rho (default 1 = exponential).
 */
export function polyexponential(n: number, sigmaMin = 0.002, sigmaMax = 80, rho = 1): number[] {
  checkInteger('polyexponential', 'n', n, 1);
  checkSigmaRange('polyexponential', sigmaMin, sigmaMax);
  checkNumber('polyexponential', 'sigmaMax', sigmaMax, 'positive');
  checkNumber('polyexponential', 'rho', rho, 'positive');
  const lo = Math.log(sigmaMin);
  const hi = Math.log(sigmaMax);
  const sigmas = ramp(n).map((r) => Math.exp(lo + (1 - r) ** rho * (hi - lo)));
  sigmas[0] = sigmaMax;
  if (n > 1) sigmas[n - 1] = sigmaMin;
  return withFinalZero(sigmas);
}
