// Options of the k-diffusion sampler family (k-diffusion `sampling.py`), on top of the shared
// `SamplerOptions` (classLabels, randnLike, onStep, signal). Their help, defaults and ranges are written once,
// in samplers/option-table.ts; these are the types callers see. The churn options (sChurn, sMin, sMax,
// sNoise) are the EDM samplers' `ChurnOptions` (samplers/common.ts).
import type { ANCESTRAL_OPTIONS, NOISE_LEVEL_OPTIONS, OptionInput } from '../option-table';
import type { SamplerOptions } from '../types';

export type { ChurnOptions } from '../common';

/**
 * Noise levels of a k-diffusion sampler: either explicit `sigmas` (for example from `karras`,
 * `exponential`, `polyexponential` or `vp`), or the Karras/EDM schedule built from `numSteps`, `sigmaMin`,
 * `sigmaMax` and `rho` (paper eq. 5, then a final 0; NOISE_LEVEL_OPTIONS).
 */
export type KSamplerOptions = SamplerOptions & OptionInput<typeof NOISE_LEVEL_OPTIONS> & {
  /**
   * Noise levels sigma_0 > sigma_1 > ... > sigma_N, strictly decreasing, all > 0 except possibly the last
   * (normally 0). One step per interval. Overrides numSteps, sigmaMin, sigmaMax and rho.
   */
  sigmas?: ArrayLike<number>;
  /**
   * Per-sample seeds of the default noise when `randnLike` is not given (default 0 .. N-1), as `edmSampler`:
   * sample i with seed s gets the same noise alone or in any batch.
   */
  seeds?: readonly number[];
};

/** Ancestral noise of the ancestral and SDE samplers: eta and s_noise (ANCESTRAL_OPTIONS). */
export type AncestralOptions = OptionInput<typeof ANCESTRAL_OPTIONS>;
