// @edm/core: the EDM method on tfjs-core. Backend-agnostic: no Node APIs, bundles for browsers.
import './tf-setup';

export type { Backbone, Denoiser, ForwardOptions } from './denoiser';
export type { Sampler, SamplerCallbackInfo, SamplerOptions } from './samplers/types';
export { SamplerAbortedError, throwIfAborted } from './samplers/abort';
