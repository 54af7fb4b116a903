// Options of the k-diffusion sampler family (k-diffusion `sampling.py`), on top of the shared
// `SamplerOptions` (classLabels, randnLike, onStep, signal). The churn options (sChurn, sMin, sMax, sNoise)
// are the EDM samplers' `ChurnOptions` (samplers/common.ts).
import type { SamplerOptions } from '../types';

export type { ChurnOptions } from '../common';

/**
 * Noise levels of a k-diffusion sampler: either explicit `sigmas` (for example from `karras`,
 * `exponential`, `polyexponential` or `vp`), or the Karras/EDM schedule built from `numSteps`, `sigmaMin`,
 * `sigmaMax` and `rho` (paper eq. 5, then a final 0).
 */
export interface KSamplerOptions extends SamplerOptions {
  /**
   * Noise levels sigma_0 > sigma_1 > ... > sigma_N, strictly decreasing, all > 0 except possibly the last
   * (normally 0). One step per interval. Overrides numSteps, sigmaMin, sigmaMax and rho.
   */
  sigmas?: ArrayLike<number>;
  /** N, the number of positive noise levels (= steps) of the default Karras schedule. Default 18. */
  numSteps?: number;
  /** sigma_min of the default schedule (default 0.002, raised to the denoiser's sigmaMin). */
  sigmaMin?: number;
  /** sigma_max of the default schedule (default 80, lowered to the denoiser's sigmaMax). */
  sigmaMax?: number;
  /** rho of the default schedule, paper eq. 5 (default 7). */
  rho?: number;
  /**
   * Per-sample seeds of the default noise when `randnLike` is not given (default 0 .. N-1), as `edmSampler`:
   * sample i with seed s gets the same noise alone or in any batch.
   */
  seeds?: readonly number[];
}

/** Ancestral noise of the ancestral and SDE samplers. */
export interface AncestralOptions {
  /** eta: fraction of the ancestral (DDPM-like) noise; 0 = deterministic ODE step, 1 = full ancestral. Default 1. */
  eta?: number;
  /** s_noise: multiplier of the added noise. Default 1. */
  sNoise?: number;
}
