// EDM2 loss (Karras et al. 2024, eqs. 14-16 and 21; reference training_loop.py EDM2Loss): the EDM loss with
// EDM2's noise distribution and the learned uncertainty u(sigma) of the network,
//   ln(sigma) ~ N(P_mean, P_std^2):  sigma = exp(rnd_normal P_std + P_mean)      P_mean -0.4, P_std 1.0
//   lambda(sigma) = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2
//   L = lambda(sigma) / exp(u(sigma)) (D(y + n; sigma) - y)^2 + u(sigma)         (per pixel)
// The network must have an uncertainty head (`Denoiser.logvar`: EDM2 networks do).
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser';
import { tfRandomSource, type RandomSource } from '../noise/random-source';
import { checkNumber } from '../validate';
import { weightedDenoisingLoss, type Loss, type LossCallOptions, type LossOptions } from './types';

/** Options of `EDM2Loss`. */
export interface EDM2LossOptions extends LossOptions {
  /** P_mean, mean of ln(sigma) during training. Default -0.4. */
  PMean?: number;
  /** P_std, standard deviation of ln(sigma) during training. Default 1.0. */
  PStd?: number;
  /** sigma_data, expected standard deviation of the training data. Default 0.5. */
  sigmaData?: number;
}

/** The EDM2 training loss with learned uncertainty, per pixel. */
export class EDM2Loss implements Loss {
  readonly PMean: number;
  readonly PStd: number;
  readonly sigmaData: number;
  readonly random: RandomSource;

  constructor(opts: EDM2LossOptions = {}) {
    this.PMean = checkNumber('EDM2Loss', 'PMean', opts.PMean ?? -0.4);
    this.PStd = checkNumber('EDM2Loss', 'PStd', opts.PStd ?? 1.0, 'nonnegative');
    this.sigmaData = checkNumber('EDM2Loss', 'sigmaData', opts.sigmaData ?? 0.5, 'positive');
    this.random = opts.random ?? tfRandomSource;
  }

  /** lambda(sigma) / exp(u) (D(images + eps sigma; sigma) - images)^2 + u, sigma = exp(rnd P_std + P_mean). */
  call(net: Denoiser, images: tf.Tensor4D, options: LossCallOptions = {}): tf.Tensor4D {
    if (typeof net.logvar !== 'function') {
      throw new Error('EDM2Loss.call: the network has no uncertainty head (Denoiser.logvar); EDM2Loss needs an ' +
        'EDM2 network (training.networks_edm2.Precond)');
    }
    const sd2 = this.sigmaData ** 2;
    const training = options.training ?? true;
    return weightedDenoisingLoss('EDM2Loss.call', this.random, net, images, options,
      (shape) => this.random.normal(shape),
      (rnd) => {
        const sigma = tf.exp(tf.add(tf.mul(rnd, this.PStd), this.PMean)) as tf.Tensor4D;
        const weight = tf.div(tf.add(tf.square(sigma), sd2), tf.square(tf.mul(sigma, this.sigmaData))) as tf.Tensor4D;
        return { sigma, weight };
      },
      (weight, squaredError, sigma) => {
        const u = tf.reshape(net.logvar!(sigma, { training }), [-1, 1, 1, 1]);
        return tf.add(tf.mul(tf.div(weight, tf.exp(u)), squaredError), u) as tf.Tensor4D;
      });
  }
}
