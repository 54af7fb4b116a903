// VP loss (Song et al. 2021; reference VPLoss):
//   t = 1 + rnd_uniform (epsilon_t - 1),  sigma = sigma_VP(t) = sqrt(exp(beta_d t^2 / 2 + beta_min t) - 1)
//   lambda(sigma) = 1 / sigma^2
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser';
import { tfRandomSource, type RandomSource } from '../noise/random-source';
import { checkNumber } from '../validate';
import { weightedDenoisingLoss, type Loss, type LossCallOptions, type LossOptions } from './types';

/** Options of `VPLoss`. */
export interface VPLossOptions extends LossOptions {
  /** beta_d, extent of the noise level schedule. Default 19.9. */
  betaD?: number;
  /** beta_min, initial slope of the noise level schedule. Default 0.1. */
  betaMin?: number;
  /** epsilon_t, minimum t-value used during training. Default 1e-5. */
  epsilonT?: number;
}

/** The VP training loss, per pixel. */
export class VPLoss implements Loss {
  readonly betaD: number;
  readonly betaMin: number;
  readonly epsilonT: number;
  readonly random: RandomSource;

  constructor(opts: VPLossOptions = {}) {
    this.betaD = checkNumber('VPLoss', 'betaD', opts.betaD ?? 19.9, 'positive');
    this.betaMin = checkNumber('VPLoss', 'betaMin', opts.betaMin ?? 0.1, 'nonnegative');
    this.epsilonT = checkNumber('VPLoss', 'epsilonT', opts.epsilonT ?? 1e-5, 'positive');
    this.random = opts.random ?? tfRandomSource;
  }

  /** sigma(t) on tensors (float32). */
  sigma(t: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      tf.sqrt(tf.sub(tf.exp(tf.add(tf.mul(0.5 * this.betaD, tf.square(t)), tf.mul(this.betaMin, t))), 1)));
  }

  /** (1 / sigma^2) (D(images + eps sigma; sigma) - images)^2 with t = 1 + rnd (epsilon_t - 1). */
  call(net: Denoiser, images: tf.Tensor4D, options: LossCallOptions = {}): tf.Tensor4D {
    return weightedDenoisingLoss('VPLoss.call', this.random, net, images, options,
      (shape) => this.random.uniform(shape),
      (rnd) => {
        const sigma = this.sigma(tf.add(1, tf.mul(rnd, this.epsilonT - 1))) as tf.Tensor4D;
        return { sigma, weight: tf.div(1, tf.square(sigma)) as tf.Tensor4D };
      });
  }
}
