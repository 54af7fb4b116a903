// Shared pieces of the time step discretizations: validation, the step fraction i / (N - 1), t_N = 0.
import { checkInteger, checkSigmaRange } from '../validate';

/** i / (N - 1) for i = 0 .. N-1; 0 when N = 1 (a single step starts at sigma_max). */
export function stepFractions(numSteps: number): number[] {
  return Array.from({ length: numSteps }, (_, i) => (numSteps === 1 ? 0 : i / (numSteps - 1)));
}

/** Validates numSteps >= 1 and 0 < sigmaMin < sigmaMax < Infinity. */
export function checkDiscretization(where: string, numSteps: unknown, sigmaMin: unknown, sigmaMax: unknown): void {
  checkInteger(where, 'numSteps', numSteps, 1);
  checkSigmaRange(where, sigmaMin, sigmaMax);
  if (!Number.isFinite(sigmaMax as number)) {
    throw new Error(`${where}: option sigmaMax must be finite, got ${String(sigmaMax)}`);
  }
}

/** Appends t_N = 0. */
export function appendZero(steps: number[]): number[] {
  return [...steps, 0];
}
