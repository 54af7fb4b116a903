// The four time step discretizations of paper Table 1, by name.
import type { EdmDiscretizationOptions } from './edm';
import { edmDiscretization } from './edm';
import { iddpmDiscretization, type IddpmDiscretizationOptions } from './iddpm';
import { veDiscretization, type VeDiscretizationOptions } from './ve';
import { vpDiscretization, type VpDiscretizationOptions } from './vp';

export { appendZero, stepFractions } from './common';
export { edmDiscretization, type EdmDiscretizationOptions } from './edm';
export { iddpmDiscretization, type IddpmDiscretizationOptions } from './iddpm';
export { veDiscretization, type VeDiscretizationOptions } from './ve';
export { vpDefaultSigmaRange, vpDiscretization, type VpDiscretizationOptions } from './vp';

/** Names of the discretizations (the ablation sampler's `discretization`). */
export const DISCRETIZATIONS = ['vp', 've', 'iddpm', 'edm'] as const;
export type DiscretizationName = (typeof DISCRETIZATIONS)[number];

/** Options of any discretization (each uses its own). */
export type DiscretizationOptions = EdmDiscretizationOptions & VpDiscretizationOptions & VeDiscretizationOptions &
  IddpmDiscretizationOptions;

/** The N + 1 noise levels (t_N = 0 appended) of the named discretization. */
export function discretization(name: DiscretizationName, numSteps: number, opts: DiscretizationOptions = {}): number[] {
  switch (name) {
    case 'edm': return edmDiscretization(numSteps, opts);
    case 'vp': return vpDiscretization(numSteps, opts);
    case 've': return veDiscretization(numSteps, opts);
    case 'iddpm': return iddpmDiscretization(numSteps, opts);
  }
}
