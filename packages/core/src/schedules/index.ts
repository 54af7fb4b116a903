// Noise schedules as separate functions (k-diffusion style): each returns n noise levels from high to low
// followed by a final 0, ready for the `sigmas` option of every sampler.
export { karras } from './karras';
export { exponential } from './exponential';
export { polyexponential } from './polyexponential';
export { vp, type VpScheduleOptions } from './vp';
export { withFinalZero, checkSigmas } from './final-zero';
