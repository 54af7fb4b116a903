// Karras et al. (2022) noise levels, paper eq. 5 (the EDM time-step discretization):
//   sigma_i = (sigma_max^(1/rho) + i/(n-1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho,  i = 0..n-1,
// followed by sigma_n = 0. k-diffusion: get_sigmas_karras. The same numbers as `edmDiscretization`, which
// computes them (one implementation); this is the k-diffusion-style positional signature.
import { edmDiscretization } from '../discretization/edm';

/**
 * The Karras/EDM schedule: `n` noise levels from `sigmaMax` down to `sigmaMin` spaced uniformly in
 * sigma^(1/rho), then a final 0 (n + 1 values, n steps).
 * @param n - number of positive noise levels (= number of steps) N, >= 1.
 * @param sigmaMin - sigma_min, the last positive level (paper default 0.002).
 * @param sigmaMax - sigma_max, the first level (paper default 80).
 * @param rho - rho of paper eq. 5 (default 7; 1 = uniform in sigma, 3 = DPM-2's midpoint spacing).
 */
export function karras(n: number, sigmaMin = 0.002, sigmaMax = 80, rho = 7): number[] {
  return edmDiscretization(n, { sigmaMin, sigmaMax, rho });
}
