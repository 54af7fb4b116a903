// Sampling images for a list of seeds in batches: per-seed latents and churn noise (the core's
// StackedRandomGenerator), so seed s gives the same image whatever batch it lands in; class labels per seed
// (a fixed class, or seed mod labelDim); any sampler of @edm/core's table, by name (edm by default).
import * as tf from '@tensorflow/tfjs-core';
import { NOISE_LEVEL_OPTIONS, StackedRandomGenerator, runSamplerByName, type Denoiser, type SamplerName } from '@edm/core';
import { batchToImages, type Image8 } from '../io/image';
import { yieldToEventLoop } from '../util/yield';

/** Options of generateImages. */
export interface GenerateImagesOptions {
  /** The sampler (default edm). */
  sampler?: SamplerName;
  /** Its settings by table key (`numSteps`, `sChurn`, ...); absent ones take the table's defaults. */
  settings?: Record<string, unknown>;
  /** Class of every sample; undefined: seed mod labelDim (conditional nets). */
  classIndex?: number;
  /** Largest batch. */
  batch: number;
  /** Called after each sampler step: (steps done, total steps); total is NaN for dpm_adaptive (it picks its own). */
  onStep?: (done: number, total: number) => void;
  /** Called with each finished batch's images and seeds. */
  onBatch?: (images: Image8[], seeds: number[]) => void | Promise<void>;
  /** Cancels between steps. */
  signal?: AbortSignal;
}

/** The one-hot class labels for `seeds` (null for an unconditional net). */
export function classLabelsFor(net: Denoiser, seeds: readonly number[], classIndex?: number): tf.Tensor2D | null {
  if (net.labelDim === 0) return null;
  const idx = seeds.map((s) => classIndex ?? s % net.labelDim);
  return tf.tidy(() => tf.oneHot(tf.tensor1d(idx, 'int32'), net.labelDim).toFloat() as tf.Tensor2D);
}

/** Samples one image per seed; returns them in seed order. */
export async function generateImages(net: Denoiser, seeds: readonly number[], opts: GenerateImagesOptions): Promise<Image8[]> {
  const sampler = opts.sampler ?? 'edm';
  const settings = opts.settings ?? {};
  const steps = sampler === 'dpm_adaptive' ? NaN : (settings.numSteps as number | undefined) ?? NOISE_LEVEL_OPTIONS.numSteps.default;
  const batches: number[][] = [];
  for (let i = 0; i < seeds.length; i += opts.batch) batches.push(seeds.slice(i, i + opts.batch));
  const total = batches.length * steps;
  const all: Image8[] = [];
  const channels = net.imgChannels;
  if (channels !== 1 && channels !== 3) throw new Error(`the network makes ${channels}-channel images; PNG output needs 1 or 3`);
  for (const [b, batchSeeds] of batches.entries()) {
    const rnd = new StackedRandomGenerator(batchSeeds);
    const res = net.imgResolution;
    const latents = rnd.randn([batchSeeds.length, res, res, channels]) as tf.Tensor4D;
    const classLabels = classLabelsFor(net, batchSeeds, opts.classIndex);
    let out: tf.Tensor4D;
    try {
      out = await runSamplerByName(sampler, net, latents, {
        ...settings,
        classLabels,
        randnLike: rnd.randnLike,
        signal: opts.signal,
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
