// What the samplers share: option checks, the sigma range clipped to the network's, the churn noise source,
// the report of each step to onStep.
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser';
import { StackedRandomGenerator } from '../noise/generator';
import { checkNHWC, checkSigmaRange } from '../validate';
import type { CHURN_OPTIONS, OptionInput } from './option-table';
import type { SamplerCallbackInfo, SamplerOptions } from './types';

/**
 * Options of the stochastic part of Algorithm 2 (paper Section 4, Table 5): S_churn, S_tmin (`sMin`), S_tmax
 * (`sMax`), S_noise; their help, defaults and ranges are in samplers/option-table.ts (CHURN_OPTIONS).
 * `seeds`: per-sample seeds of the default churn noise when `randnLike` is not given (default 0 .. N-1):
 * sample i with seed s gets the same noise alone or in any batch (`StackedRandomGenerator` stream 1).
 */
export type ChurnOptions = OptionInput<typeof CHURN_OPTIONS> & { seeds?: readonly number[] };

/** Checked churn options with defaults. */
export interface Churn {
  sChurn: number;
  sMin: number;
  sMax: number;
  sNoise: number;
}

/** Validates the latents: NHWC matching the denoiser's resolution and channels. */
export function checkLatents(where: string, net: Denoiser, latents: tf.Tensor4D): void {
  if (net === null || typeof net !== 'object' || typeof (net as Denoiser).forward !== 'function') {
    throw new Error(`${where}: net must be a Denoiser (with forward(x, sigma, ...)), got ${String(net)}`);
  }
  if (latents === null || typeof latents !== 'object' || !Array.isArray((latents as tf.Tensor).shape)) {
    throw new Error(`${where}: latents must be a tf.Tensor4D [N, H, W, C], got ${String(latents)}`);
  }
  checkNHWC(where, 'latents', latents.shape, { resolution: net.imgResolution, channels: net.imgChannels });
}

/** gamma_i = min(S_churn / N, sqrt(2) - 1) where S_tmin <= sigma <= S_tmax, else 0 (Algorithm 2). */
export function churnGamma(churn: Churn, numSteps: number, sigma: number): number {
  return churn.sMin <= sigma && sigma <= churn.sMax ? Math.min(churn.sChurn / numSteps, Math.SQRT2 - 1) : 0;
}

/**
 * Checks the requested range, then clips it to the network's (as the reference); throws when nothing is left.
 */
export function clipSigmaRange(where: string, net: Denoiser, sigmaMin: number, sigmaMax: number):
  { sigmaMin: number; sigmaMax: number } {
  checkSigmaRange(where, sigmaMin, sigmaMax);
  const lo = Math.max(sigmaMin, net.sigmaMin);
  const hi = Math.min(sigmaMax, net.sigmaMax);
  if (!(lo < hi) || !Number.isFinite(hi)) {
    throw new Error(`${where}: the noise range [sigmaMin, sigmaMax] = [${sigmaMin}, ${sigmaMax}] clipped to the ` +
      `network's [${net.sigmaMin}, ${net.sigmaMax}] is empty or unbounded: [${lo}, ${hi}]`);
  }
  return { sigmaMin: lo, sigmaMax: hi };
}

/** A source of standard-normal noise shaped like x for the stochastic parts of the samplers. */
export interface ChurnNoise {
  /** A new standard-normal tensor shaped like x (the caller disposes it). */
  randnLike: (x: tf.Tensor4D) => tf.Tensor4D;
  /** True when the draws are unobservable (the default source), so deterministic runs may skip them. */
  lazy: boolean;
}

/** The churn noise source: the user's randnLike, else per-sample seeded noise. */
export function churnNoise(where: string, options: SamplerOptions & { seeds?: readonly number[] }, n: number): ChurnNoise {
  if (options.randnLike !== undefined) {
    if (typeof options.randnLike !== 'function') {
      throw new Error(`${where}: option randnLike must be a function (x: Tensor4D) => Tensor4D, got ` +
        `${String(options.randnLike)}`);
    }
    const user = options.randnLike;
    return {
      lazy: false,
      randnLike: (x) => {
        const e = user(x);
        if (e === null || typeof e !== 'object' || e.shape.length !== 4 || e.shape.some((d, i) => d !== x.shape[i])) {
          if (e !== null && typeof e === 'object' && typeof e.dispose === 'function') e.dispose();
          throw new Error(`${where}: option randnLike must return a tensor shaped like x [${x.shape.join(', ')}], ` +
            `got ${e && Array.isArray(e.shape) ? `[${e.shape.join(', ')}]` : String(e)}`);
        }
        return e;
      },
    };
  }
  const seeds = options.seeds ?? Array.from({ length: n }, (_, i) => i);
  if (seeds.length !== n) {
    throw new Error(`${where}: option seeds must have one seed per sample (${n}), got ${seeds.length}`);
  }
  const gen = new StackedRandomGenerator(seeds, { stream: 1 });
  return { lazy: true, randnLike: (x) => gen.randnLike(x) };
}

/** Calls `onStep` (awaited) with a step's tensors, then disposes `info.denoised` (also when onStep throws). */
export async function reportStep(onStep: SamplerOptions['onStep'], info: SamplerCallbackInfo): Promise<void> {
  try {
    if (onStep) await onStep(info);
  } finally {
    info.denoised.dispose();
  }
}
