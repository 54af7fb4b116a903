// Guidance as Denoiser wrappers: usable with every sampler (edmSampler, ablationSampler, the k-diffusion family).
export { classifierFreeGuidance, type ClassifierFreeGuidanceOptions } from './classifier-free';
export { autoguidance, type AutoguidanceOptions } from './autoguidance';
