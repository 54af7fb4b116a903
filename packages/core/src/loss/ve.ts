// VE loss (Song et al. 2021; reference VELoss):
//   sigma = sigma_min (sigma_max / sigma_min)^rnd_uniform   (log-uniform),   lambda(sigma) = 1 / sigma^2
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser';
import { tfRandomSource, type RandomSource } from '../noise/random-source';
import { checkSigmaRange } from '../validate';
import { weightedDenoisingLoss, type Loss, type LossCallOptions, type LossOptions } from './types';

/** Options of `VELoss`. */
export interface VELossOptions extends LossOptions {
  /** sigma_min, smallest training noise level. Default 0.02. */
  sigmaMin?: number;
  /** sigma_max, largest training noise level. Default 100. */
  sigmaMax?: number;
}

/** The VE training loss, per pixel. */
export class VELoss implements Loss {
  readonly sigmaMin: number;
  readonly sigmaMax: number;
  readonly random: RandomSource;

  constructor(opts: VELossOptions = {}) {
    this.sigmaMin = opts.sigmaMin ?? 0.02;
    this.sigmaMax = opts.sigmaMax ?? 100;
    checkSigmaRange('VELoss', this.sigmaMin, this.sigmaMax);
    if (!Number.isFinite(this.sigmaMax)) throw new Error(`VELoss: option sigmaMax must be finite, got ${this.sigmaMax}`);
    this.random = opts.random ?? tfRandomSource;
  }

  /** (1 / sigma^2) (D(images + eps sigma; sigma) - images)^2 with sigma = sigma_min (sigma_max/sigma_min)^rnd. */
  call(net: Denoiser, images: tf.Tensor4D, options: LossCallOptions = {}): tf.Tensor4D {
    return weightedDenoisingLoss('VELoss.call', this.random, net, images, options,
      (shape) => this.random.uniform(shape),
      (rnd) => {
        const sigma = tf.mul(this.sigmaMin, tf.pow(this.sigmaMax / this.sigmaMin, rnd)) as tf.Tensor4D;
        return { sigma, weight: tf.div(1, tf.square(sigma)) as tf.Tensor4D };
      });
  }
}
