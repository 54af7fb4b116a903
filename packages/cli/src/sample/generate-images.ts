// Sampling images for a list of seeds in batches: per-seed latents and churn noise (the core's
// StackedRandomGenerator), so seed s gives the same image whatever batch it lands in; class labels per seed
// (a fixed class, or seed mod labelDim); edmSampler unless an ablation option is given (as generate.py).
import * as tf from '@tensorflow/tfjs-core';
import { StackedRandomGenerator, ablationSampler, edmSampler, type Denoiser } from '@edm/core';
import { batchToImages, type Image8 } from '../io/image';
import { yieldToEventLoop } from '../util/yield';

/** Sampler settings (camelCase of generate.py's options); undefined = the sampler's default. */
export interface SampleSettings {
  /** Number of steps N. */
  numSteps?: number;
  /** sigma_min, sigma_max, rho of the time-step discretization. */
  sigmaMin?: number;
  sigmaMax?: number;
  rho?: number;
  /** Stochasticity S_churn, S_min, S_max, S_noise (Algorithm 2). */
  sChurn?: number;
  sMin?: number;
  sMax?: number;
  sNoise?: number;
  /** Ablation sampler: ODE solver, time-step discretization, noise schedule sigma(t), signal scaling s(t). */
  solver?: 'euler' | 'heun';
  discretization?: 'vp' | 've' | 'iddpm' | 'edm';
  schedule?: 'vp' | 've' | 'linear';
  scaling?: 'vp' | 'none';
}

/** Options of generateImages. */
export interface GenerateImagesOptions extends SampleSettings {
  /** Class of every sample; undefined: seed mod labelDim (conditional nets). */
  classIndex?: number;
  /** Largest batch. */
  batch: number;
  /** Called after each sampler step: (steps done, total steps). */
  onStep?: (done: number, total: number) => void;
  /** Called with each finished batch's images and seeds. */
  onBatch?: (images: Image8[], seeds: number[]) => void | Promise<void>;
  /** Cancels between steps. */
  signal?: AbortSignal;
}

/** Whether the ablation sampler is needed (any of solver/discretization/schedule/scaling given). */
export function usesAblation(s: SampleSettings): boolean {
  return s.solver !== undefined || s.discretization !== undefined || s.schedule !== undefined || s.scaling !== undefined;
}

/** The one-hot class labels for `seeds` (null for an unconditional net). */
export function classLabelsFor(net: Denoiser, seeds: readonly number[], classIndex?: number): tf.Tensor2D | null {
  if (net.labelDim === 0) return null;
  const idx = seeds.map((s) => classIndex ?? s % net.labelDim);
  return tf.tidy(() => tf.oneHot(tf.tensor1d(idx, 'int32'), net.labelDim).toFloat() as tf.Tensor2D);
}

/** Samples one image per seed; returns them in seed order. */
export async function generateImages(net: Denoiser, seeds: readonly number[], opts: GenerateImagesOptions): Promise<Image8[]> {
  const steps = opts.numSteps ?? 18;
  const batches: number[][] = [];
  for (let i = 0; i < seeds.length; i += opts.batch) batches.push(seeds.slice(i, i + opts.batch));
  const total = batches.length * steps;
  const all: Image8[] = [];
  const { classIndex: _c, batch: _b, onStep: _o, onBatch: _ob, signal, ...settings } = opts;
  const sampler = usesAblation(settings) ? ablationSampler : edmSampler;
  const channels = net.imgChannels;
  if (channels !== 1 && channels !== 3) throw new Error(`the network makes ${channels}-channel images; PNG output needs 1 or 3`);
  for (const [b, batchSeeds] of batches.entries()) {
    const rnd = new StackedRandomGenerator(batchSeeds);
    const res = net.imgResolution;
    const latents = rnd.randn([batchSeeds.length, res, res, channels]) as tf.Tensor4D;
    const classLabels = classLabelsFor(net, batchSeeds, opts.classIndex);
    let out: tf.Tensor4D;
    try {
      out = await sampler(net, latents, {
        ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
        classLabels,
        randnLike: rnd.randnLike,
        signal,
        onStep: async ({ i }) => {
          opts.onStep?.(b * steps + i + 1, total);
          await yieldToEventLoop(); // lets Ctrl-C abort between steps
        },
      });
    } finally {
      latents.dispose();
      classLabels?.dispose();
    }
    const data = await out.data() as Float32Array;
    out.dispose();
    const images = batchToImages(data, batchSeeds.length, res, res, channels as 1 | 3);
    await opts.onBatch?.(images, batchSeeds);
    all.push(...images);
  }
  return all;
}
