// The loop every k-diffusion sampler shares: validate, build the noise levels, scale the latents by sigma_0,
// call a stepper once per interval [sigma_i, sigma_{i+1}], report each step (onStep), honour the
// AbortSignal, and leave no tensor behind but the result.
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../../denoiser';
import { checkInteger, checkNumber } from '../../validate';
import { checkLatents, churnNoise, clipSigmaRange, reportStep } from '../common';
import { karras } from '../../schedules/karras';
import { checkSigmas } from '../../schedules/final-zero';
import { throwIfAborted } from '../abort';
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

/** The noise levels of a run: options.sigmas as given, else karras(numSteps, sigmaMin, sigmaMax, rho). */
export function resolveSigmas(name: string, net: Denoiser, options: KSamplerOptions): number[] {
  if (options.sigmas !== undefined) return checkSigmas(name, options.sigmas);
  const numSteps = checkInteger(name, 'numSteps', options.numSteps ?? 18, 1);
  const rho = checkNumber(name, 'rho', options.rho ?? 7, 'positive');
  const { sigmaMin, sigmaMax } = clipSigmaRange(name, net, options.sigmaMin ?? 0.002, options.sigmaMax ?? 80);
  const sigmas = karras(numSteps, sigmaMin, sigmaMax, rho);
  return sigmas.map((s) => (s > 0 ? net.roundSigma(s) : 0));
}

/** Runs a stepper over all noise levels. The returned promise resolves to a new tensor. */
export async function runSampler(
  name: string,
  net: Denoiser,
  latents: tf.Tensor4D,
  options: KSamplerOptions,
  makeStepper: (ctx: StepContext) => Stepper,
): Promise<tf.Tensor4D> {
  checkLatents(name, net, latents);
  const sigmas = resolveSigmas(name, net, options);
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
  let x = tf.tidy(() => tf.mul(latents, sigmas[0]!) as tf.Tensor4D);
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

