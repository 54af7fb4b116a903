// What the losses share: the call options, the augment pipe hook, and the per-pixel weighted loss
//   L = lambda(sigma) (D(y + n; sigma) - y)^2,  n = eps sigma      (paper eq. 2 and 8; reference training/loss.py)
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser';
import type { RandomSource } from '../noise/random-source';
import { checkNHWC } from '../validate';

/** A data augmentation pipeline (paper Appendix D.2): returns augmented images and their labels (or null). */
export type AugmentPipe = (images: tf.Tensor4D) => { images: tf.Tensor4D; augmentLabels: tf.Tensor2D | null };

/** Options of one loss evaluation. */
export interface LossCallOptions {
  /** Class labels [N, labelDim] (null = unconditional). */
  labels?: tf.Tensor2D | null;
  /** Augmentation applied to the images before noising (the reference's augment_pipe). */
  augmentPipe?: AugmentPipe;
  /**
   * The noise level draw, [N] or [N, 1, 1, 1]: rnd_normal (standard normal) for EDMLoss, rnd_uniform
   * (U[0, 1)) for VPLoss and VELoss. Default: drawn from the loss's random source.
   */
  rnd?: tf.Tensor;
  /** Standard normal noise like the (augmented) images; the noise added is n = eps sigma. Default: drawn. */
  eps?: tf.Tensor4D;
  /** Training mode for the network (dropout). Default true. */
  training?: boolean;
}

/** Options every loss takes. */
export interface LossOptions {
  /** Where rnd and eps come from when not passed. Default `tfRandomSource`. */
  random?: RandomSource;
}

/** A training loss: per-pixel weighted denoising loss [N, H, W, C]. */
export interface Loss {
  call(net: Denoiser, images: tf.Tensor4D, options?: LossCallOptions): tf.Tensor4D;
}

/**
 * The per-pixel loss from its parts: weight(sigma) [N, 1, 1, 1], the squared error (D - y)^2 and sigma
 * [N, 1, 1, 1]. Default: weight (D - y)^2.
 */
export type LossCombine = (weight: tf.Tensor4D, squaredError: tf.Tensor4D, sigma: tf.Tensor4D) => tf.Tensor4D;

/**
 * The shared body: sigma and weight from the draw rnd ([N, 1, 1, 1]), then augment, noise and the weighted
 * squared error (or `combine` of the parts). Random draws in the reference's order: rnd, (augment), eps.
 */
export function weightedDenoisingLoss(
  where: string,
  random: RandomSource,
  net: Denoiser,
  images: tf.Tensor4D,
  options: LossCallOptions,
  drawRnd: (shape: number[]) => tf.Tensor,
  sigmaAndWeight: (rnd: tf.Tensor4D) => { sigma: tf.Tensor4D; weight: tf.Tensor4D },
  combine: LossCombine = (weight, squaredError) => tf.mul(weight, squaredError) as tf.Tensor4D,
): tf.Tensor4D {
  checkNHWC(where, 'images', images.shape, { channels: net.imgChannels });
  const n = images.shape[0];
  return tf.tidy(() => {
    const rndIn = options.rnd ?? drawRnd([n, 1, 1, 1]);
    if (rndIn.size !== n) {
      throw new Error(`${where}: tensor rnd must have shape [${n}] or [${n}, 1, 1, 1] (one draw per image), ` +
        `got [${rndIn.shape.join(', ')}]`);
    }
    const rnd = tf.reshape(tf.cast(rndIn, 'float32'), [n, 1, 1, 1]) as tf.Tensor4D;
    const { sigma, weight } = sigmaAndWeight(rnd);
    const aug = options.augmentPipe ? options.augmentPipe(images) : { images, augmentLabels: null };
    const y = aug.images;
    checkNHWC(`${where} (augmentPipe output)`, 'images', y.shape, { channels: net.imgChannels });
    const eps = options.eps ?? (random.normal([...y.shape]) as tf.Tensor4D);
    if (eps.shape.length !== 4 || eps.shape.some((d, i) => d !== y.shape[i])) {
      throw new Error(`${where}: tensor eps must have the images' shape [${y.shape.join(', ')}], ` +
        `got [${eps.shape.join(', ')}]`);
    }
    const noise = tf.mul(eps, sigma);
    const d = net.forward(tf.add(y, noise) as tf.Tensor4D, tf.reshape(sigma, [n]), options.labels ?? null,
      aug.augmentLabels, { training: options.training ?? true });
    return combine(weight, tf.square(tf.sub(d, y)) as tf.Tensor4D, sigma);
  });
}
