// One sampling run, seeded exactly as `edm generate`: per-seed latents and churn noise from @edm/core's
// StackedRandomGenerator (latents first, then the sampler's randnLike draws from the same generators), class
// labels one-hot (a fixed class, or seed mod labelDim). So the page's images equal the CLI's for the same
// checkpoint, seeds, class and options, whatever the backend (up to float rounding).
import * as tf from '@tensorflow/tfjs-core';
import { StackedRandomGenerator, autoguidance, runSamplerByName, type Denoiser } from '@edm/core';
import { seedsOf, stepsOf, type SampleSettings } from './settings';

/** What a step reports to the page. */
export interface StepReport {
  /** Step index i (0-based) and the number of steps N (NaN for a sampler that picks its own). */
  i: number;
  steps: number;
  /** t_i at the start of the step and t_{i+1} at its end. */
  sigma: number;
  sigmaNext: number;
  /** The step's denoised estimate D(x; t), NHWC floats (a copy, owned by the caller). */
  denoised: Float32Array;
}

/** Options of {@link generate}. */
export interface GenerateHooks {
  /** Called after each step, awaited (the page draws the preview). */
  onStep?: (report: StepReport) => void | Promise<void>;
  /** Cancels between steps (the sampler rejects with SamplerAbortedError). */
  signal?: AbortSignal;
  /** Autoguidance: the guide network, used with the settings' `guidance` weight (D = w D_net + (1 - w) D_guide). */
  guide?: Denoiser;
}

/** One-hot class labels [N, labelDim] for the seeds, or null for an unconditional network. */
export function classLabels(net: Denoiser, seeds: readonly number[], classIndex: number | null): tf.Tensor2D | null {
  if (net.labelDim === 0) return null;
  const idx = seeds.map((s) => classIndex ?? s % net.labelDim);
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(idx, 'int32'), net.labelDim), 'float32') as tf.Tensor2D);
}

/** Samples one image per seed; resolves to the final images x_N as NHWC floats in about [-1, 1]. */
export async function generate(main: Denoiser, s: SampleSettings, hooks: GenerateHooks = {}): Promise<Float32Array> {
  const net = hooks.guide && s.guidance !== undefined ? autoguidance(main, hooks.guide, { weight: s.guidance }) : main;
  const seeds = seedsOf(s);
  const rnd = new StackedRandomGenerator(seeds);
  const res = net.imgResolution;
  const latents = rnd.randn([seeds.length, res, res, net.imgChannels]) as tf.Tensor4D;
  const labels = classLabels(net, seeds, s.classIndex);
  let out: tf.Tensor4D;
  try {
    out = await runSamplerByName(s.sampler, net, latents, {
      ...s.settings,
      classLabels: labels,
      randnLike: rnd.randnLike,
      signal: hooks.signal,
      onStep: async ({ i, sigma, sigmaNext, denoised }) => {
        if (!hooks.onStep) return;
        const data = (await denoised.data()) as Float32Array;
        await hooks.onStep({ i, steps: stepsOf(s), sigma, sigmaNext, denoised: data });
      },
    });
  } finally {
    latents.dispose();
    labels?.dispose();
  }
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}
