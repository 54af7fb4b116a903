// The denoiser contract: D(x; sigma, classLabels?, augmentLabels?), the preconditioned network of the
// EDM paper (Section 5, Table 1). Every sampler, loss and tool in this project talks to this interface.
// Tensors are NHWC float32.
import type * as tf from '@tensorflow/tfjs-core';

/** Options of a single network evaluation. */
export interface ForwardOptions {
  /** Training mode: enables dropout and label dropout in the backbone. Default false. */
  training?: boolean;
  /**
   * Seed of the training-mode randomness (dropout masks, label dropout), an integer in [0, 2^32): the same seed
   * gives the same masks on every backend, so a resumed run repeats them (a trainer derives it from the run seed
   * and the step). Default: unseeded (tfjs's global generator). Ignored when `training` is false.
   */
  seed?: number;
}

/**
 * A preconditioned denoiser D_theta(x; sigma) (paper eq. 7): c_skip x + c_out F_theta(c_in x; c_noise).
 * `forward` never disposes its inputs and returns a new tensor.
 */
export interface Denoiser {
  /**
   * D(x; sigma). x: [N, H, W, C] NHWC; sigma: a number (same for the batch) or a [N] tensor (or any shape
   * broadcastable to [N, 1, 1, 1]); classLabels: [N, labelDim] one-hot or weights (null = unconditional);
   * augmentLabels: [N, augmentDim] from an augment pipe (null = none). Returns [N, H, W, imgChannels].
   */
  forward(
    x: tf.Tensor4D,
    sigma: number | tf.Tensor,
    classLabels?: tf.Tensor2D | null,
    augmentLabels?: tf.Tensor2D | null,
    options?: ForwardOptions,
  ): tf.Tensor4D;
  /** Smallest noise level the network supports (0 when unbounded). */
  readonly sigmaMin: number;
  /** Largest noise level the network supports (Infinity when unbounded). */
  readonly sigmaMax: number;
  /** sigma_data, the expected standard deviation of the training data (EDM preconditioning only). */
  readonly sigmaData?: number;
  /** Image resolution H = W. */
  readonly imgResolution: number;
  /** Image channels C. */
  readonly imgChannels: number;
  /** Number of class labels (0 = unconditional). */
  readonly labelDim: number;
  /** Rounds a noise level to one the network supports (identity except iDDPM's discrete u_j). */
  roundSigma(sigma: number): number;
  /**
   * The learned uncertainty u(sigma) of EDM2 (eq. 21 of Karras et al. 2024; the log-variance its loss divides
   * by), [N] for a sigma of N elements. Present only on networks with an uncertainty head.
   */
  readonly logvar?: (sigma: tf.Tensor, options?: ForwardOptions) => tf.Tensor1D;
}

/**
 * The raw network F_theta of paper eq. 7, called by a preconditioning with the model's calling convention:
 * F(c_in x, c_noise, classLabels, augmentLabels).
 */
export interface Backbone {
  /**
   * x: [N, H, W, inChannels]; noiseLabels: [N] (c_noise); classLabels: [N, labelDim] or null;
   * augmentLabels: [N, augmentDim] or null. Returns [N, H, W, outChannels].
   */
  apply(
    x: tf.Tensor4D,
    noiseLabels: tf.Tensor1D,
    classLabels?: tf.Tensor2D | null,
    augmentLabels?: tf.Tensor2D | null,
    options?: ForwardOptions,
  ): tf.Tensor4D;
}

/**
 * A Denoiser evaluating `forward`, with `net`'s data shape (resolution, channels, labelDim), sigma_data and
 * sigma rounding, on `net`'s noise range unless `range` narrows it. What every wrapper of a denoiser shares
 * (guidance, a trainer's fixed forward options).
 */
export function wrapDenoiser(
  net: Denoiser,
  forward: Denoiser['forward'],
  range: { sigmaMin: number; sigmaMax: number } = net,
): Denoiser {
  return {
    sigmaMin: range.sigmaMin,
    sigmaMax: range.sigmaMax,
    sigmaData: net.sigmaData,
    imgResolution: net.imgResolution,
    imgChannels: net.imgChannels,
    labelDim: net.labelDim,
    roundSigma: (sigma) => net.roundSigma(sigma),
    forward,
  };
}
