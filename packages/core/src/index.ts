// @edm/core: the EDM method on tfjs-core. Backend-agnostic: no Node APIs, bundles for browsers.
import './tf-setup';

export type { Backbone, Denoiser, ForwardOptions } from './denoiser';
export { wrapDenoiser } from './denoiser';

// Preconditioning (paper Table 1).
export { Precond, toSigmaVector } from './precond/common';
export type { Coefficients, CoefficientTensors, PrecondClassName, PrecondOptions } from './precond/common';
export { EDMPrecond, edmCoefficientTensors, type EDMPrecondOptions } from './precond/edm';
export { EDM2Precond, type EDM2PrecondOptions, type UncertaintyHead } from './precond/edm2';
export { VPPrecond, type VPPrecondOptions } from './precond/vp';
export { VEPrecond, type VEPrecondOptions } from './precond/ve';
export { IDDPMPrecond, type IDDPMPrecondOptions } from './precond/iddpm';
export { iddpmAlphaBar, iddpmUTable } from './precond/iddpm-table';

// Losses.
export type { AugmentPipe, Loss, LossCallOptions, LossOptions } from './loss/types';
export { EDMLoss, type EDMLossOptions } from './loss/edm';
export { EDM2Loss, type EDM2LossOptions } from './loss/edm2';
export { VPLoss, type VPLossOptions } from './loss/vp';
export { VELoss, type VELossOptions } from './loss/ve';

// Discretizations, schedules sigma(t), scalings s(t).
export {
  DISCRETIZATIONS, appendZero, discretization, edmDiscretization, iddpmDiscretization, stepFractions,
  veDiscretization, vpDefaultSigmaRange, vpDiscretization,
} from './discretization';
export type {
  DiscretizationName, DiscretizationOptions, EdmDiscretizationOptions, IddpmDiscretizationOptions,
  VeDiscretizationOptions, VpDiscretizationOptions,
} from './discretization';
export { linearSchedule, veSchedule, vpBetasForRange, vpSchedule, type NoiseSchedule } from './ode/schedule';
export { noScaling, vpScaling, type Scaling } from './ode/scaling';

// Samplers.
export type { Sampler, SamplerCallbackInfo, SamplerOptions } from './samplers/types';
export { SamplerAbortedError, throwIfAborted } from './samplers/abort';
export { edmSampler, type EdmSamplerOptions } from './samplers/edm';
export { ablationSampler, ablationSigmaRange, SCALINGS, SCHEDULES, SOLVERS, type AblationSamplerOptions } from './samplers/ablation';
// The sampler table: every sampler by name, its options (kind, help, default, range) written once.
export {
  ABLATION_OPTIONS, ADAPTIVE_OPTIONS, ANCESTRAL_OPTIONS, API_OPTIONS, CHURN_OPTIONS, NOISE_LEVEL_OPTIONS,
  SAMPLER_OPTIONS, checkOption, describeRange, optionFlag, optionFlagKey, resolveSamplerOptions, samplerOptionNames,
  type BooleanOptionSpec, type ChoiceOptionSpec, type NumberOptionSpec, type OptionInput, type OptionRelation,
  type OptionSpecs, type OptionValue, type ResolvedOptions, type ResolvedSamplerSettings, type SamplerName,
  type SamplerOptionSpec, type SamplerSettings,
} from './samplers/option-table';
export {
  DEFAULT_SAMPLER, SAMPLERS, SAMPLER_NAMES, allSamplerOptions, runSamplerByName, samplerEntry, type SamplerEntry,
} from './samplers/table';

// Noise and seeds.
export { Xoshiro128 } from './noise/prng';
export { StackedRandomGenerator } from './noise/generator';
export { seededRandomSource, tfRandomSource, type RandomSource } from './noise/random-source';
export { recordNoise, replayNoise, type ReplayNoise } from './noise/replay';

// Non-leaking augmentation pipe (paper Appendix F.2; train.py --augment).
export * from './augment';

// Network ops tfjs lacks (fused GroupNorm: op, kernels per backend, one gradient).
export * from './ops';

// Gradients that release memory as the backward pass goes (tf.variableGrads's results, bit for bit).
export { leanVariableGrads } from './autograd/lean-variable-grads';

// EMA.
export { EMA, emaBeta, type EMAOptions } from './ema';
// Adam (torch.optim.Adam's arithmetic; one fused kernel per parameter where the backend has it).
export { Adam, type AdamOptions } from './optim/adam';
// EDM2's learning-rate schedule, power-function EMA and post-hoc EMA reconstruction.
export { edm2LearningRate, type EDM2LearningRateOptions } from './optim/lr-schedule';
export { PowerFunctionEMA } from './power-ema';
export {
  PHEMA_MAX_STD, expToStd, powerFunctionBeta, powerFunctionCorrelation, solveLinear, solvePosthocCoefficients,
  stdToExp, type EmaProfile,
} from './phema';

// k-diffusion samplers, k-diffusion noise schedules (sigmas arrays) and guidance wrappers (their
// modules document them).
export * from './samplers/kdiffusion';
export * from './schedules';
export * from './guidance';
