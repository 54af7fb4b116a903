// Shared machinery of the four preconditionings of paper Table 1 (EDM, VP, VE, iDDPM):
//   D_theta(x; sigma) = c_skip(sigma) x + c_out(sigma) F_theta(c_in(sigma) x; c_noise(sigma))   (eq. 7)
// A subclass gives the coefficients as tensor functions of sigma; this base applies them with the model's
// calling convention (the reference's training/networks.py *Precond.forward), in float32.
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone, Denoiser, ForwardOptions } from '../denoiser';
import { checkInteger, checkNHWC, show } from '../validate';

/** Options every preconditioning takes (the reference constructors' common arguments). */
export interface PrecondOptions {
  /** Image resolution H = W (`img_resolution`). */
  imgResolution: number;
  /** Image channels C (`img_channels`). */
  imgChannels: number;
  /** Number of class labels, 0 = unconditional (`label_dim`). Default 0. */
  labelDim?: number;
  /**
   * `use_fp16` of the reference: accepted for compatibility and ignored. @edm/core always computes in
   * float32 (tfjs has no portable float16 compute).
   */
  useFp16?: boolean;
}

/** The four coefficients of paper Table 1 at one noise level. */
export interface Coefficients {
  /** c_skip(sigma): weight of the skip connection x. */
  cSkip: number;
  /** c_out(sigma): scale of the network output F. */
  cOut: number;
  /** c_in(sigma): scale of the network input x. */
  cIn: number;
  /** c_noise(sigma): the noise label given to F. */
  cNoise: number;
}

/** The coefficients as [N] tensors, for a [N] tensor of noise levels. */
export interface CoefficientTensors {
  cSkip: tf.Tensor1D;
  cOut: tf.Tensor1D;
  cIn: tf.Tensor1D;
  cNoise: tf.Tensor1D;
}

/** Class names, as the reference's `class_name` of a checkpoint. */
export type PrecondClassName =
  | 'EDMPrecond' | 'VPPrecond' | 'VEPrecond' | 'iDDPMPrecond'
  | 'training.networks_edm2.Precond';

/** Base of the preconditionings: shape checks, labels, sigma broadcasting, eq. 7. */
export abstract class Precond implements Denoiser {
  /** The reference's class name (`class_name` in checkpoints). */
  abstract readonly className: PrecondClassName;
  abstract readonly sigmaMin: number;
  abstract readonly sigmaMax: number;
  readonly sigmaData?: number;
  readonly imgResolution: number;
  readonly imgChannels: number;
  readonly labelDim: number;
  /** `use_fp16` as given; ignored (float32 compute). */
  readonly useFp16: boolean;
  /** Channels the backbone outputs (imgChannels; 2 imgChannels for iDDPM). */
  protected readonly outChannels: number;

  /**
   * @param model the backbone F_theta, called as F(c_in x, c_noise, classLabels, augmentLabels).
   * @param outChannelsFactor backbone output channels per image channel (2 for iDDPM).
   */
  constructor(readonly model: Backbone, opts: PrecondOptions, className: string, outChannelsFactor = 1) {
    if (model === null || typeof model !== 'object' || typeof (model as Backbone).apply !== 'function') {
      throw new Error(`${className}: model must be a Backbone with an apply(x, noiseLabels, classLabels, ` +
        `augmentLabels) method, got ${show(model)}`);
    }
    if (opts === null || typeof opts !== 'object') {
      throw new Error(`${className}: options {imgResolution, imgChannels, ...} are required, got ${show(opts)}`);
    }
    this.imgResolution = checkInteger(className, 'imgResolution', opts.imgResolution, 1);
    this.imgChannels = checkInteger(className, 'imgChannels', opts.imgChannels, 1);
    this.labelDim = checkInteger(className, 'labelDim', opts.labelDim ?? 0, 0);
    this.useFp16 = opts.useFp16 ?? false;
    this.outChannels = this.imgChannels * outChannelsFactor;
  }

  /** The coefficients of Table 1 as tensors, for sigma of shape [N] (float32). */
  abstract coefficientTensors(sigma: tf.Tensor1D): CoefficientTensors;

  /** Rounds a noise level to one the network supports (identity except iDDPM). */
  roundSigma(sigma: number): number {
    return sigma;
  }

  /**
   * The coefficients c_skip, c_out, c_in, c_noise at one noise level, computed by the same tensor code as
   * `forward` (float32) and read back synchronously: for tests and inspection, not for WebGPU in Node
   * (where `dataSync` throws; use `coefficientTensors` there).
   */
  coefficients(sigma: number): Coefficients {
    const [cSkip, cOut, cIn, cNoise] = tf.tidy(() => {
      const c = this.coefficientTensors(tf.tensor1d([sigma], 'float32'));
      return [c.cSkip, c.cOut, c.cIn, c.cNoise].map((t) => t.dataSync()[0]!);
    });
    return { cSkip: cSkip!, cOut: cOut!, cIn: cIn!, cNoise: cNoise! };
  }

  /** Selects D's part of the backbone output (all of it, except iDDPM). */
  protected selectOutput(f: tf.Tensor4D): tf.Tensor4D {
    return f;
  }

  forward(
    x: tf.Tensor4D,
    sigma: number | tf.Tensor,
    classLabels?: tf.Tensor2D | null,
    augmentLabels?: tf.Tensor2D | null,
    options?: ForwardOptions,
  ): tf.Tensor4D {
    const where = `${this.className}.forward`;
    checkNHWC(where, 'x', x.shape, { resolution: this.imgResolution, channels: this.imgChannels });
    const n = x.shape[0];
    return tf.tidy(() => {
      const sigmaN = toSigmaVector(where, sigma, n);
      const labels = this.prepareLabels(where, classLabels ?? null, n);
      const c = this.coefficientTensors(sigmaN);
      const col = (t: tf.Tensor1D) => tf.reshape(t, [n, 1, 1, 1]);
      const xf = tf.cast(x, 'float32') as tf.Tensor4D;
      const f = this.model.apply(tf.mul(xf, col(c.cIn)), c.cNoise, labels, augmentLabels ?? null, options);
      checkNHWC(`${where} (backbone output)`, 'F_x', f.shape,
        { resolution: this.imgResolution, channels: this.outChannels });
      if (f.shape[0] !== n) {
        throw new Error(`${where}: backbone output F_x has batch ${f.shape[0]}, expected ${n} (the batch of x)`);
      }
      const fx = tf.cast(this.selectOutput(f), 'float32');
      return tf.add(tf.mul(col(c.cSkip), xf), tf.mul(col(c.cOut), fx)) as tf.Tensor4D;
    });
  }

  /** Reference semantics: no labels when labelDim = 0; zeros when conditional and none are given. */
  private prepareLabels(where: string, classLabels: tf.Tensor2D | null, n: number): tf.Tensor2D | null {
    if (this.labelDim === 0) return null;
    if (classLabels === null) return tf.zeros([n, this.labelDim]);
    const size = classLabels.size;
    if (size !== n * this.labelDim && size !== this.labelDim) {
      throw new Error(`${where}: tensor classLabels must have shape [${n}, ${this.labelDim}] ([N, labelDim]), ` +
        `got [${classLabels.shape.join(', ')}]`);
    }
    const l = tf.reshape(tf.cast(classLabels, 'float32'), [-1, this.labelDim]) as tf.Tensor2D;
    return l.shape[0] === n ? l : tf.tile(l, [n, 1]);
  }
}

/** sigma as a [N] float32 tensor: a number, a 1-element tensor (broadcast) or N elements of any shape. */
export function toSigmaVector(where: string, sigma: number | tf.Tensor, n: number): tf.Tensor1D {
  if (typeof sigma === 'number') {
    if (Number.isNaN(sigma) || sigma < 0) throw new Error(`${where}: sigma must be a number >= 0, got ${sigma}`);
    return tf.fill([n], sigma, 'float32') as tf.Tensor1D;
  }
  if (sigma.size !== n && sigma.size !== 1) {
    throw new Error(`${where}: tensor sigma must have N = ${n} elements ([N] or [N, 1, 1, 1]) or 1, ` +
      `got shape [${sigma.shape.join(', ')}]`);
  }
  const s = tf.reshape(tf.cast(sigma, 'float32'), [-1]) as tf.Tensor1D;
  return sigma.size === n ? s : tf.tile(s, [n]);
}
