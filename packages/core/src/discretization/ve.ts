// VE time step discretization (Song et al. 2021; paper Table 1): geometric in sigma,
//   sigma_i = sqrt(sigma_max^2 (sigma_min^2 / sigma_max^2)^(i / (N - 1)))
import { appendZero, checkDiscretization, stepFractions } from './common';

/** Options of `veDiscretization`. */
export interface VeDiscretizationOptions {
  /** sigma_min, the last nonzero noise level. Default 0.02. */
  sigmaMin?: number;
  /** sigma_max, the first noise level. Default 100. */
  sigmaMax?: number;
}

/** The N + 1 noise levels of the VE discretization, t_N = 0 appended. */
export function veDiscretization(numSteps: number, opts: VeDiscretizationOptions = {}): number[] {
  const { sigmaMin = 0.02, sigmaMax = 100 } = opts;
  checkDiscretization('veDiscretization', numSteps, sigmaMin, sigmaMax);
  const ratio = (sigmaMin * sigmaMin) / (sigmaMax * sigmaMax);
  return appendZero(stepFractions(numSteps).map((f) => Math.sqrt(sigmaMax * sigmaMax * ratio ** f)));
}
