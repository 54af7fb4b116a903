// The loop every sampler shares (the k-diffusion family, edmSampler and ablationSampler): validate the
// latents, lay out the noise levels, scale the latents, call a stepper once per interval
// [sigma_i, sigma_{i+1}], report each step (onStep), honour the AbortSignal, and leave no tensor behind but
// the result.
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../../denoiser';
import { checkLatents, churnNoise, clipSigmaRange, reportStep } from '../common';
import { karras } from '../../schedules/karras';
import { checkSigmas } from '../../schedules/final-zero';
import { throwIfAborted } from '../abort';
import {
  SAMPLER_OPTIONS, resolveSamplerOptions, type ResolvedSamplerSettings, type SamplerName, type SamplerSettings,
} from '../option-table';
import type { Sampler, SamplerOptions } from '../types';
import type { KSamplerOptions } from './options';

/** What a stepper gets: the denoiser call, the noise source and the noise levels. */
export interface StepContext {
  /** The noise levels sigma_0 > ... > sigma_N (last usually 0). */
  readonly sigmas: readonly number[];
  /** D(x; sigma) with the run's class labels. Returns a new tensor (the caller disposes it). */
  denoise(x: tf.Tensor4D, sigma: number): tf.Tensor4D;
  /**
   * A standard-normal draw shaped like x (options.randnLike, else the seeded per-sample source), or null.
   * `needed`: the step uses the draw. `called` (default true): k-diffusion calls its noise sampler here.
   * The default source draws only when needed (its skipped draws are unobservable); a user's randnLike is
   * called wherever k-diffusion calls its noise sampler, so recorded draws line up. The caller disposes it.
   */
  draw(x: tf.Tensor4D, needed: boolean, called?: boolean): tf.Tensor4D | null;
  /** Number of denoiser evaluations so far. */
  readonly nfe: number;
}

/** One sampler's update rule. */
export interface Stepper {
  /**
   * Advances x from sigmas[i] to sigmas[i + 1]. Must not dispose `x`. Returns the new x and the last
   * denoiser output of the step (both owned by the caller from then on).
   */
  step(x: tf.Tensor4D, i: number): { x: tf.Tensor4D; denoised: tf.Tensor4D };
  /** Disposes tensors the stepper keeps between steps (history of multistep methods). */
  dispose?(): void;
}

/** The noise levels a run goes through and how the latents are scaled at its start. */
export interface NoiseLevels {
  /** sigma_0 > ... > sigma_N (the last usually 0): one step per interval; reported to onStep. */
  readonly sigmas: readonly number[];
  /** The factor of the standard-normal latents at the start. Default sigmas[0]. */
  readonly initialScale?: number;
}

/** The checked noise-level settings of a k-diffusion run (samplers/option-table.ts NOISE_LEVEL_OPTIONS). */
export interface NoiseLevelSettings {
  numSteps: number;
  sigmaMin: number;
  sigmaMax: number;
  rho: number;
}

/**
 * The noise levels of a k-diffusion run: `sigmas` as given (checked), else karras(numSteps, sigmaMin,
 * sigmaMax, rho) with the range clipped to the network's and each level rounded to what it supports.
 */
export function resolveSigmas(name: string, net: Denoiser, settings: NoiseLevelSettings, sigmas?: ArrayLike<number>): number[] {
  if (sigmas !== undefined) return checkSigmas(name, sigmas);
  const { sigmaMin, sigmaMax } = clipSigmaRange(name, net, settings.sigmaMin, settings.sigmaMax);
  return karras(settings.numSteps, sigmaMin, sigmaMax, settings.rho).map((s) => (s > 0 ? net.roundSigma(s) : 0));
}

/**
 * Runs a stepper over the noise levels `levels(net)` gives (called once the latents are checked). The
 * returned promise resolves to a new tensor.
 */
export async function runSampler(
  name: string,
  net: Denoiser,
  latents: tf.Tensor4D,
  options: SamplerOptions & { seeds?: readonly number[] },
  levels: () => NoiseLevels,
  makeStepper: (ctx: StepContext) => Stepper,
): Promise<tf.Tensor4D> {
  checkLatents(name, net, latents);
  const { sigmas, initialScale = sigmas[0]! } = levels();
  const classLabels = options.classLabels ?? null;
  const noise = churnNoise(name, options, latents.shape[0]);
  let nfe = 0;
  const ctx: StepContext = {
    sigmas,
    denoise: (x, sigma) => {
      nfe++;
      return tf.tidy(() => net.forward(x, sigma, classLabels));
    },
    draw: (x, needed, called = true) => (needed || (called && !noise.lazy) ? noise.randnLike(x) : null),
    get nfe() { return nfe; },
  };
  const stepper = makeStepper(ctx);
  let x = tf.tidy(() => tf.mul(tf.cast(latents, 'float32'), initialScale) as tf.Tensor4D);
  try {
    for (let i = 0; i < sigmas.length - 1; i++) {
      throwIfAborted(options.signal, name, i);
      const out = stepper.step(x, i);
      x.dispose();
      x = out.x;
      await reportStep(options.onStep, { i, sigma: sigmas[i]!, sigmaNext: sigmas[i + 1]!, x, denoised: out.denoised });
    }
    return x;
  } catch (err) {
    x.dispose();
    throw err;
  } finally {
    stepper.dispose?.();
  }
}

/** (x - D) / sigma, the Karras ODE derivative dx/dsigma (paper eq. 3 with s(t) = 1, sigma(t) = t). */
export function toD(x: tf.Tensor4D, denoised: tf.Tensor4D, sigma: number): tf.Tensor4D {
  return tf.div(tf.sub(x, denoised), sigma) as tf.Tensor4D;
}


/** The samplers that step through k-diffusion's noise levels (they take `sigmas`). */
export type FixedStepSamplerName = {
  [K in SamplerName]: (typeof SAMPLER_OPTIONS)[K]['sigmas'] extends true ? K : never
}[SamplerName];

/** The options of a fixed-step k-diffusion sampler: its noise levels (or `sigmas`) and its own settings. */
export type KSamplerOptionsOf<N extends FixedStepSamplerName> = KSamplerOptions & SamplerSettings<N>;

/**
 * A k-diffusion sampler from its name in the sampler table and its update rule: options are checked against
 * the table (unknown ones rejected, defaults filled in), the noise levels are `sigmas` or the Karras schedule.
 */
export function kSampler<N extends FixedStepSamplerName>(
  name: N,
  makeStepper: (ctx: StepContext, settings: ResolvedSamplerSettings<N>) => Stepper,
): Sampler<KSamplerOptionsOf<N>> {
  const where = SAMPLER_OPTIONS[name].fn;
  return async (net, latents, options = {} as KSamplerOptionsOf<N>) => {
    const settings = resolveSamplerOptions(name, options);
    const levels = () => ({ sigmas: resolveSigmas(where, net, settings as unknown as NoiseLevelSettings, options.sigmas) });
    return runSampler(where, net, latents, options, levels, (ctx) => makeStepper(ctx, settings));
  };
}
