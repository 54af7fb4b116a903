// EDM loss (paper Section 5, eq. 8 and Table 1; reference EDMLoss):
//   ln(sigma) ~ N(P_mean, P_std^2):  sigma = exp(rnd_normal P_std + P_mean)
//   lambda(sigma) = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser';
import { tfRandomSource, type RandomSource } from '../noise/random-source';
import { checkNumber } from '../validate';
import { weightedDenoisingLoss, type Loss, type LossCallOptions, type LossCombine, type LossOptions } from './types';

/** Options of `EDMLoss`. */
export interface EDMLossOptions extends LossOptions {
  /** P_mean, mean of ln(sigma) during training. Default -1.2. */
  PMean?: number;
  /** P_std, standard deviation of ln(sigma) during training. Default 1.2. */
  PStd?: number;
  /** sigma_data, expected standard deviation of the training data. Default 0.5. */
  sigmaData?: number;
}

/** The EDM training loss, per pixel. */
export class EDMLoss implements Loss {
  readonly PMean: number;
  readonly PStd: number;
  readonly sigmaData: number;
  readonly random: RandomSource;

  /** @param where the class name in error messages (EDM2Loss shares this constructor). */
  constructor(opts: EDMLossOptions = {}, protected readonly where = 'EDMLoss') {
    this.PMean = checkNumber(where, 'PMean', opts.PMean ?? -1.2);
    this.PStd = checkNumber(where, 'PStd', opts.PStd ?? 1.2, 'nonnegative');
    this.sigmaData = checkNumber(where, 'sigmaData', opts.sigmaData ?? 0.5, 'positive');
    this.random = opts.random ?? tfRandomSource;
  }

  /** weight(sigma) (D(images + eps sigma; sigma) - images)^2 with sigma = exp(rnd P_std + P_mean). */
  call(net: Denoiser, images: tf.Tensor4D, options: LossCallOptions = {}): tf.Tensor4D {
    return this.weightedLoss(net, images, options);
  }

  /** The loss with EDM's sigma draw and weighting, its parts combined by `combine` (default weight (D - y)^2). */
  protected weightedLoss(net: Denoiser, images: tf.Tensor4D, options: LossCallOptions, combine?: LossCombine): tf.Tensor4D {
    const sd2 = this.sigmaData ** 2;
    return weightedDenoisingLoss(`${this.where}.call`, this.random, net, images, options,
      (shape) => this.random.normal(shape),
      (rnd) => {
        const sigma = tf.exp(tf.add(tf.mul(rnd, this.PStd), this.PMean)) as tf.Tensor4D;
        const weight = tf.div(tf.add(tf.square(sigma), sd2), tf.square(tf.mul(sigma, this.sigmaData))) as tf.Tensor4D;
        return { sigma, weight };
      },
      combine);
  }
}
