// The k-diffusion sampler family on the shared sampler signature
//   sampler(net: Denoiser, latents: tf.Tensor4D, options) => Promise<tf.Tensor4D>
// (latents standard normal, scaled by sigma_0 inside; options.sigmas or the default Karras schedule).
import type { Sampler } from '../types';
import { dpmAdaptiveSampler } from './dpm-adaptive';
import { dpm2Sampler } from './dpm2';
import { dpm2AncestralSampler } from './dpm2-ancestral';
import { dpmpp2mSampler } from './dpmpp-2m';
import { dpmpp2mSdeSampler } from './dpmpp-2m-sde';
import { dpmpp2sAncestralSampler } from './dpmpp-2s-ancestral';
import { dpmpp3mSdeSampler } from './dpmpp-3m-sde';
import { dpmppSdeSampler } from './dpmpp-sde';
import { eulerSampler } from './euler';
import { eulerAncestralSampler } from './euler-ancestral';
import { heunSampler } from './heun';
import { lmsSampler } from './lms';

export type { KSamplerOptions, ChurnOptions, AncestralOptions } from './options';
export { eulerSampler, type EulerOptions } from './euler';
export { eulerAncestralSampler, type EulerAncestralOptions } from './euler-ancestral';
export { heunSampler, type HeunOptions } from './heun';
export { dpm2Sampler, type Dpm2Options } from './dpm2';
export { dpm2AncestralSampler, type Dpm2AncestralOptions } from './dpm2-ancestral';
export { lmsSampler, linearMultistepCoeff, type LmsOptions } from './lms';
export { dpmpp2sAncestralSampler, type Dpmpp2sAncestralOptions } from './dpmpp-2s-ancestral';
export { dpmppSdeSampler, type DpmppSdeOptions } from './dpmpp-sde';
export { dpmpp2mSampler, type Dpmpp2mOptions } from './dpmpp-2m';
export { dpmpp2mSdeSampler, type Dpmpp2mSdeOptions } from './dpmpp-2m-sde';
export { dpmpp3mSdeSampler, type Dpmpp3mSdeOptions } from './dpmpp-3m-sde';
export { dpmAdaptiveSampler, sampleDpmAdaptive, type DpmAdaptiveOptions, type DpmAdaptiveInfo } from './dpm-adaptive';
export { ancestralStep } from './ancestral';

/** The k-diffusion samplers by their k-diffusion names (`sample_<name>`), for CLIs and benchmarks. */
export const K_SAMPLERS = {
  euler: eulerSampler,
  euler_ancestral: eulerAncestralSampler,
  heun: heunSampler,
  dpm_2: dpm2Sampler,
  dpm_2_ancestral: dpm2AncestralSampler,
  lms: lmsSampler,
  dpmpp_2s_ancestral: dpmpp2sAncestralSampler,
  dpmpp_sde: dpmppSdeSampler,
  dpmpp_2m: dpmpp2mSampler,
  dpmpp_2m_sde: dpmpp2mSdeSampler,
  dpmpp_3m_sde: dpmpp3mSdeSampler,
  dpm_adaptive: dpmAdaptiveSampler,
} as const satisfies Record<string, Sampler<never>>;

/** A k-diffusion sampler name. */
export type KSamplerName = keyof typeof K_SAMPLERS;
