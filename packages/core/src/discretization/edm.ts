// EDM time step discretization (paper eq. 5):
//   sigma_i = (sigma_max^(1/rho) + i / (N - 1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho,  sigma_N = 0
import { checkNumber } from '../validate';
import { appendZero, checkDiscretization, stepFractions } from './common';

/** Options of `edmDiscretization`. */
export interface EdmDiscretizationOptions {
  /** sigma_min, the last nonzero noise level. Default 0.002. */
  sigmaMin?: number;
  /** sigma_max, the first noise level. Default 80. */
  sigmaMax?: number;
  /** rho, the time step exponent (larger = shorter steps near sigma_min). Default 7. */
  rho?: number;
}

/** The N + 1 noise levels sigma_0 = sigma_max > ... > sigma_{N-1} = sigma_min > sigma_N = 0. */
export function edmDiscretization(numSteps: number, opts: EdmDiscretizationOptions = {}): number[] {
  const { sigmaMin = 0.002, sigmaMax = 80, rho = 7 } = opts;
  checkDiscretization('edmDiscretization', numSteps, sigmaMin, sigmaMax);
  checkNumber('edmDiscretization', 'rho', rho, 'positive');
  const a = sigmaMax ** (1 / rho);
  const b = sigmaMin ** (1 / rho);
  return appendZero(stepFractions(numSteps).map((f) => (a + f * (b - a)) ** rho));
}
