// Exponential noise levels: uniform in log sigma from sigma_max to sigma_min, then 0.
// k-diffusion: get_sigmas_exponential (= polyexponential with rho = 1, = karras in the limit rho -> inf).
import { withFinalZero } from './final-zero';
import { checkInteger, checkNumber, checkSigmaRange } from '../validate';
import { ramp } from './ramp';

/**
 * `n` noise levels uniformly spaced in ln(sigma) from `sigmaMax` to `sigmaMin`, then a final 0.
 * @param n - number of positive noise levels (= number of steps), >= 1.
 * @param sigmaMin - sigma_min, the last positive level.
 * @param sigmaMax - sigma_max, the first level.
 */
export function exponential(n: number, sigmaMin = 0.002, sigmaMax = 80): number[] {
  checkInteger('exponential', 'n', n, 1);
  checkSigmaRange('exponential', sigmaMin, sigmaMax);
  checkNumber('exponential', 'sigmaMax', sigmaMax, 'positive');
  const lo = Math.log(sigmaMin);
  const hi = Math.log(sigmaMax);
  const sigmas = ramp(n).map((r) => Math.exp(hi + r * (lo - hi)));
  sigmas[0] = sigmaMax;
  if (n > 1) sigmas[n - 1] = sigmaMin;
  return withFinalZero(sigmas);
}
