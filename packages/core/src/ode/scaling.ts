// Scaling schedules s(t) of the generalised ODE (paper eq. 4, Table 1), x = s(t) (y + n):
//   vp:   s(t) = 1 / sqrt(1 + sigma(t)^2),  s'(t) = -sigma(t) sigma'(t) s(t)^3
//   none: s(t) = 1,                         s'(t) = 0
import type { NoiseSchedule } from './schedule';

/** A scaling schedule s(t) with s'(t). */
export interface Scaling {
  readonly name: 'vp' | 'none';
  /** s(t). */
  s(t: number): number;
  /** ds / dt. */
  sDeriv(t: number): number;
}

/** VP scaling s(t) = 1/sqrt(1 + sigma(t)^2) for the given noise schedule. */
export function vpScaling(schedule: NoiseSchedule): Scaling {
  const s = (t: number) => 1 / Math.sqrt(1 + schedule.sigma(t) ** 2);
  return { name: 'vp', s, sDeriv: (t) => -schedule.sigma(t) * schedule.sigmaDeriv(t) * s(t) ** 3 };
}

/** No scaling: s(t) = 1. */
export function noScaling(): Scaling {
  return { name: 'none', s: () => 1, sDeriv: () => 0 };
}
