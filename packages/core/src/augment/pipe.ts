// The paper's non-leaking augmentation pipe (EDM paper Appendix F.2 and Table 7: CIFAR-10 trained with
// "augment probability 12%" and augment_dim 9; geometric transforms from Karras et al. 2020, "Training
// Generative Adversarial Networks with Limited Data"). Each image gets its own random geometric transform;
// the transform's parameters are returned as 9 augmentation labels that the network is conditioned on
// (map_augment), so at sampling time (labels all zero) it generates un-augmented images: the augmentations
// do not leak into the generated distribution.
//
// Transforms, applied in this order (each with probability min(1, multiplier * p), independently per image):
//   x-flip, y-flip, isotropic scale 2^s, rotation by theta, anisotropic scale 2^w along direction phi (and 2^-w
//   across it), translation by (tx W, ty H). They are composed into one affine map and the image is resampled
//   once (bilinear, reflect padding; see warp.ts).
//
// Augmentation labels [N, 9] (0 when the transform was not applied):
//   0: x-flip, 1 if mirrored left-right, else 0        1: y-flip, 1 if mirrored top-bottom, else 0
//   2: s, log2 of the isotropic scale: the content is magnified 2^s times (s ~ N(0, scaleStd^2))
//   3: cos(theta) - 1,  4: sin(theta)  (theta ~ U(-pi, pi) rotateFracMax; from +x towards +y, i.e. clockwise
//      on screen since rows grow downwards)
//   5: w cos(2 phi),  6: w sin(2 phi)  (w ~ N(0, anisoStd^2): log2 of the stretch along direction phi, where
//      phi ~ U(-pi, pi) with probability anisoRotateProb, else 0). Together they are the traceless symmetric
//      log2 of the stretch matrix, w [[cos 2phi, sin 2phi], [sin 2phi, -cos 2phi]]: one label pair per distinct
//      stretch (the pair w cos(phi), w sin(phi) would give (w, phi) and (-w, phi + pi) the same labels although
//      one stretches and the other squeezes along phi).
//   7: tx, 8: ty  (translation in units of the image width / height, each ~ N(0, translateFracStd^2))
//
// Differences from the NVlabs implementation (our own code, written from the papers): always 9 labels (a
// disabled transform's labels stay 0 rather than being left out), the stretch labels use 2 phi (above), the
// random draws come in our own order, and the resampling is bilinear rather than 2x-supersampled through a
// wavelet filter. Labels of a network trained by the reference therefore differ in meaning (irrelevant for
// sampling, where all labels are 0).
import * as tf from '@tensorflow/tfjs-core';
import type { AugmentPipe as AugmentHook } from '../loss/types';
import { tfRandomSource, type RandomSource } from '../noise/random-source';
import { checkNHWC, checkNumber, show } from '../validate';
import { affineWarp } from './warp';

/** Number of augmentation labels (the networks' `augment_dim`). */
export const AUGMENT_DIM = 9;

/** Options of {@link EDMAugmentPipe}: the probability p and per-transform multipliers (train.py `--augment`). */
export interface EDMAugmentPipeOptions {
  /** p, the augment probability (train.py `--augment`; 0.12 for the paper's CIFAR-10 runs). In [0, 1]. Default 0. */
  p?: number;
  /** x-flip multiplier: applied with probability min(1, xflip p), then mirrored with probability 1/2. Default 1e8. */
  xflip?: number;
  /** y-flip multiplier (as xflip). Default 1. */
  yflip?: number;
  /** Isotropic scale multiplier. Default 1. */
  scale?: number;
  /** Arbitrary-rotation multiplier (`rotate_frac`). Default 1. */
  rotateFrac?: number;
  /** Anisotropic scale multiplier (`aniso`). Default 1. */
  aniso?: number;
  /** Fractional translation multiplier (`translate_frac`). Default 1. */
  translateFrac?: number;
  /** Standard deviation of s = log2 of the isotropic scale (`scale_std`). Default 0.2. */
  scaleStd?: number;
  /** Largest rotation as a fraction of a half turn: theta ~ U(-pi, pi) rotateFracMax (`rotate_frac_max`). Default 1. */
  rotateFracMax?: number;
  /** Standard deviation of w = log2 of the anisotropic stretch (`aniso_std`). Default 0.2. */
  anisoStd?: number;
  /** Probability that the stretch direction phi is random rather than the x axis (`aniso_rotate_prob`). Default 0.5. */
  anisoRotateProb?: number;
  /** Standard deviation of the translation, in image sizes (`translate_frac_std`). Default 0.125. */
  translateFracStd?: number;
  /** Where the random draws come from when a call passes none. Default `tfRandomSource` (unseeded). */
  random?: RandomSource;
}

/** Options of one {@link EDMAugmentPipe.call}. */
export interface EDMAugmentCallOptions {
  /** Random source of this call (e.g. `seededRandomSource(f(seed, step))`); default the pipe's. */
  random?: RandomSource;
}

const MULTIPLIERS = ['xflip', 'yflip', 'scale', 'rotateFrac', 'aniso', 'translateFrac'] as const;

/**
 * The non-leaking augment pipe with the reference train.py's `--augment` settings as defaults. Draws per call,
 * in this order: one uniform [N, 11] (gates, flips, angles) and one standard normal [N, 4] (s, w, tx, ty).
 */
export class EDMAugmentPipe {
  readonly p: number;
  readonly xflip: number;
  readonly yflip: number;
  readonly scale: number;
  readonly rotateFrac: number;
  readonly aniso: number;
  readonly translateFrac: number;
  readonly scaleStd: number;
  readonly rotateFracMax: number;
  readonly anisoStd: number;
  readonly anisoRotateProb: number;
  readonly translateFracStd: number;
  readonly random: RandomSource;
  /** Number of augmentation labels per image (9). */
  readonly augmentDim = AUGMENT_DIM;

  constructor(opts: EDMAugmentPipeOptions = {}) {
    const where = 'EDMAugmentPipe';
    if (opts === null || typeof opts !== 'object') throw new Error(`${where}: options must be an object, got ${show(opts)}`);
    this.p = checkNumber(where, 'p', opts.p ?? 0, 'nonnegative');
    if (this.p > 1) throw new Error(`${where}: option p (augment probability) must be in [0, 1], got ${this.p}`);
    const mult = (k: (typeof MULTIPLIERS)[number], dflt: number) => checkNumber(where, k, opts[k] ?? dflt, 'nonnegative');
    this.xflip = mult('xflip', 1e8);
    this.yflip = mult('yflip', 1);
    this.scale = mult('scale', 1);
    this.rotateFrac = mult('rotateFrac', 1);
    this.aniso = mult('aniso', 1);
    this.translateFrac = mult('translateFrac', 1);
    this.scaleStd = checkNumber(where, 'scaleStd', opts.scaleStd ?? 0.2, 'nonnegative');
    this.rotateFracMax = checkNumber(where, 'rotateFracMax', opts.rotateFracMax ?? 1, 'nonnegative');
    this.anisoStd = checkNumber(where, 'anisoStd', opts.anisoStd ?? 0.2, 'nonnegative');
    this.anisoRotateProb = checkNumber(where, 'anisoRotateProb', opts.anisoRotateProb ?? 0.5, 'nonnegative');
    if (this.anisoRotateProb > 1) throw new Error(`${where}: option anisoRotateProb must be in [0, 1], got ${this.anisoRotateProb}`);
    this.translateFracStd = checkNumber(where, 'translateFracStd', opts.translateFracStd ?? 0.125, 'nonnegative');
    this.random = opts.random ?? tfRandomSource;
  }

  /**
   * Augments a batch: images [N, H, W, C] float32 -> { images [N, H, W, C], augmentLabels [N, 9] } (new
   * tensors; the input is not disposed). Labels are described in this module's header.
   */
  call(images: tf.Tensor4D, options: EDMAugmentCallOptions = {}): { images: tf.Tensor4D; augmentLabels: tf.Tensor2D } {
    checkNHWC('EDMAugmentPipe.call', 'images', images.shape);
    if (images.dtype !== 'float32') {
      throw new Error(`EDMAugmentPipe.call: tensor images must be float32, got ${images.dtype}`);
    }
    const random = options.random ?? this.random;
    const [n, h, w] = images.shape;
    return tf.tidy(() => {
      const u = tf.unstack(random.uniform([n, 11]), 1) as tf.Tensor1D[]; // 11 x [N]
      const z = tf.unstack(random.normal([n, 4]), 1) as tf.Tensor1D[]; // 4 x [N]
      const zero = tf.zeros([n]) as tf.Tensor1D;
      const gate = (uniform: tf.Tensor1D, multiplier: number, value: tf.Tensor1D) =>
        tf.where(tf.less(uniform, multiplier * this.p), value, zero) as tf.Tensor1D;
      const halfTurns = (uniform: tf.Tensor1D, max: number) => tf.mul(tf.sub(tf.mul(uniform, 2), 1), Math.PI * max) as tf.Tensor1D;

      const flipX = gate(u[0]!, this.xflip, tf.cast(tf.greaterEqual(u[1]!, 0.5), 'float32') as tf.Tensor1D);
      const flipY = gate(u[2]!, this.yflip, tf.cast(tf.greaterEqual(u[3]!, 0.5), 'float32') as tf.Tensor1D);
      const s = gate(u[4]!, this.scale, tf.mul(z[0]!, this.scaleStd));
      const theta = gate(u[5]!, this.rotateFrac, halfTurns(u[6]!, this.rotateFracMax));
      const stretch = gate(u[7]!, this.aniso, tf.mul(z[1]!, this.anisoStd));
      // phi only where the stretch is applied, so an image left alone gets exactly the identity map.
      const phi = gate(u[7]!, this.aniso,
        tf.where(tf.less(u[9]!, this.anisoRotateProb), halfTurns(u[8]!, 1), zero) as tf.Tensor1D);
      const tx = gate(u[10]!, this.translateFrac, tf.mul(z[2]!, this.translateFracStd));
      const ty = gate(u[10]!, this.translateFrac, tf.mul(z[3]!, this.translateFracStd));

      // The inverse linear map A = F S^-1 R(theta)^-1 An^-1 (output -> input), see the header for the order.
      const cosT = tf.cos(theta);
      const sinT = tf.sin(theta);
      const cosP = tf.cos(phi);
      const sinP = tf.sin(phi);
      const flip = mat2(tf.sub(1, tf.mul(flipX, 2)), zero, zero, tf.sub(1, tf.mul(flipY, 2)));
      const invScale = tf.pow(2, tf.neg(s));
      const scaleInv = mat2(invScale, zero, zero, invScale);
      const rotateInv = mat2(cosT, sinT, tf.neg(sinT), cosT);
      const anisoInv = tf.matMul(tf.matMul(mat2(cosP, tf.neg(sinP), sinP, cosP),
        mat2(tf.pow(2, tf.neg(stretch)), zero, zero, tf.pow(2, stretch))), mat2(cosP, sinP, tf.neg(sinP), cosP));
      const inverse = tf.matMul(tf.matMul(flip, scaleInv), tf.matMul(rotateInv, anisoInv)) as tf.Tensor3D;
      const translation = tf.stack([tf.mul(tx, w), tf.mul(ty, h)], 1) as tf.Tensor2D;

      const augmentLabels = tf.stack([
        flipX, flipY, s, tf.sub(cosT, 1), sinT, tf.mul(stretch, tf.cos(tf.mul(phi, 2))), tf.mul(stretch, tf.sin(tf.mul(phi, 2))), tx, ty,
      ], 1) as tf.Tensor2D;
      return { images: affineWarp(images, inverse, translation), augmentLabels };
    });
  }

  /**
   * This pipe as the losses' `augmentPipe` hook (`LossCallOptions.augmentPipe`), drawing from `random` (default
   * the pipe's source): e.g. `loss.call(net, images, { augmentPipe: pipe.hook(seededRandomSource(seed)) })`.
   */
  hook(random?: RandomSource): AugmentHook {
    return (images) => this.call(images, { random: random ?? this.random });
  }
}

/** A [N, 2, 2] batch of matrices [[a, b], [c, d]] from [N] entries. */
function mat2(a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor): tf.Tensor3D {
  return tf.reshape(tf.stack([a, b, c, d], 1), [-1, 2, 2]) as tf.Tensor3D;
}
