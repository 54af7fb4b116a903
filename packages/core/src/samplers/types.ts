// Shared sampler types: one signature for every sampler of the project (EDM Algorithm 1/2, the ablation
// sampler, the k-diffusion samplers), in the style of k-diffusion's `sampling.py`:
//   sampler(net: Denoiser, latents: tf.Tensor4D, options?: SamplerOptions & ...) => Promise<tf.Tensor4D>
// Tensors are NHWC float32.
import type * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser';

/**
 * What a sampler reports after each step i (x_i -> x_{i+1}). The tensors are owned by the sampler and valid
 * only during the callback (and until the promise it returns settles): clone them to keep them.
 */
export interface SamplerCallbackInfo {
  /** Step index i, 0-based (0 .. numSteps-1). */
  i: number;
  /** Noise level t_i (sigma) at the start of the step (before churn). */
  sigma: number;
  /** Noise level t_{i+1} at the end of the step (0 on the last step). */
  sigmaNext: number;
  /** The state x_{i+1} after the step, NHWC. */
  x: tf.Tensor4D;
  /** The last denoiser output D(x; sigma) evaluated in the step, NHWC (a preview of the final image). */
  denoised: tf.Tensor4D;
}

/** Options shared by every sampler. */
export interface SamplerOptions {
  /** Class labels [N, labelDim] (one-hot or weights) for conditional denoisers; null = unconditional. */
  classLabels?: tf.Tensor2D | null;
  /**
   * Standard-normal noise shaped like x (the reference's `randn_like`), for the stochastic parts (S_churn).
   * Called once per step, in step order, so recorded draws can be replayed (`replayNoise`); the sampler
   * disposes what it returns. Pass `generator.randnLike` of the `StackedRandomGenerator` that drew the
   * latents to reproduce the reference's generate.py. Default: per-sample seeded noise (a
   * `StackedRandomGenerator` on stream 1 over the sampler's `seeds`, else 0..N-1), drawn only where used.
   */
  randnLike?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** Called after each step; may return a promise (for example to draw a preview), which is awaited. */
  onStep?: (info: SamplerCallbackInfo) => void | Promise<void>;
  /** Cancels sampling: checked between steps; an aborted signal rejects with a `SamplerAbortedError`. */
  signal?: AbortSignal;
}

/** The one signature every sampler shares. Returns a new tensor; never disposes `latents`. */
export type Sampler<O extends SamplerOptions = SamplerOptions> = (
  net: Denoiser,
  latents: tf.Tensor4D,
  options?: O,
) => Promise<tf.Tensor4D>;
