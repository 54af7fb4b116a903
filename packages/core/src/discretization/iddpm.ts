// iDDPM time step discretization (Nichol & Dhariwal 2021; paper Table 1): N of the u_j that lie in
// [sigma_min, sigma_max], evenly spaced in j:  sigma_i = u_{j_0 + floor((J - 1) i / (N - 1) + 1/2)}
// (rounding half to even, as torch.round), from the table of the reference's ablation_sampler.
import { iddpmUTable } from '../precond/iddpm-table';
import { checkInteger, checkNumber } from '../validate';
import { appendZero, checkDiscretization, stepFractions } from './common';

/** Options of `iddpmDiscretization`. */
export interface IddpmDiscretizationOptions {
  /** sigma_min: u_j below are skipped. Default 0.002. */
  sigmaMin?: number;
  /** sigma_max: u_j above are skipped. Default 81. */
  sigmaMax?: number;
  /** C_1, clip of the alpha_bar ratios. Default 0.001. */
  C1?: number;
  /** C_2, offset of the cosine schedule. Default 0.008. */
  C2?: number;
  /** M, number of DDPM timesteps. Default 1000. */
  M?: number;
}

/** Rounds half to even (torch.round). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The N + 1 noise levels of the iDDPM discretization, t_N = 0 appended. */
export function iddpmDiscretization(numSteps: number, opts: IddpmDiscretizationOptions = {}): number[] {
  const where = 'iddpmDiscretization';
  const { sigmaMin = 0.002, sigmaMax = 81 } = opts;
  checkDiscretization(where, numSteps, sigmaMin, sigmaMax);
  const C1 = checkNumber(where, 'C1', opts.C1 ?? 0.001, 'positive');
  const C2 = checkNumber(where, 'C2', opts.C2 ?? 0.008, 'nonnegative');
  const M = checkInteger(where, 'M', opts.M ?? 1000, 2);
  const u = iddpmUTable(M, C1, C2, 'float64');
  const filtered = Array.from(u).filter((v) => v >= sigmaMin && v <= sigmaMax);
  if (filtered.length === 0) {
    throw new Error(`${where}: no iDDPM noise level u_j lies in [sigmaMin, sigmaMax] = [${sigmaMin}, ${sigmaMax}] ` +
      `(u ranges over [${u[M - 1]}, ${u[0]}])`);
  }
  return appendZero(stepFractions(numSteps).map((f) => filtered[roundHalfEven((filtered.length - 1) * f)]!));
}
