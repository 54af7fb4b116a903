// EDM preconditioning (paper Table 1, "Ours"; reference EDMPrecond):
//   c_skip = sigma_data^2 / (sigma^2 + sigma_data^2)      c_out = sigma sigma_data / sqrt(sigma^2 + sigma_data^2)
//   c_in   = 1 / sqrt(sigma^2 + sigma_data^2)             c_noise = ln(sigma) / 4
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../denoiser';
import { checkNumber, checkSigmaRange } from '../validate';
import { Precond, type CoefficientTensors, type PrecondOptions } from './common';

/** Options of `EDMPrecond`. */
export interface EDMPrecondOptions extends PrecondOptions {
  /** Minimum supported noise level sigma_min. Default 0. */
  sigmaMin?: number;
  /** Maximum supported noise level sigma_max. Default Infinity. */
  sigmaMax?: number;
  /** sigma_data, expected standard deviation of the training data. Default 0.5. */
  sigmaData?: number;
}

/** The EDM preconditioning D(x; sigma) = c_skip x + c_out F(c_in x; ln(sigma)/4). */
export class EDMPrecond extends Precond {
  readonly className = 'EDMPrecond' as const;
  readonly sigmaMin: number;
  readonly sigmaMax: number;
  override readonly sigmaData: number;

  constructor(model: Backbone, opts: EDMPrecondOptions) {
    super(model, opts, 'EDMPrecond');
    this.sigmaMin = opts.sigmaMin ?? 0;
    this.sigmaMax = opts.sigmaMax ?? Infinity;
    checkSigmaRange('EDMPrecond', this.sigmaMin, this.sigmaMax, true);
    this.sigmaData = checkNumber('EDMPrecond', 'sigmaData', opts.sigmaData ?? 0.5, 'positive');
  }

  coefficientTensors(sigma: tf.Tensor1D): CoefficientTensors {
    return edmCoefficientTensors(sigma, this.sigmaData);
  }
}

/** The EDM coefficients of Table 1 for sigma [N] and sigma_data (shared with EDM2's preconditioning). */
export function edmCoefficientTensors(sigma: tf.Tensor1D, sigmaData: number): CoefficientTensors {
  return tf.tidy(() => {
    const sd2 = sigmaData ** 2;
    const s2PlusSd2 = tf.add(tf.square(sigma), sd2);
    const root = tf.sqrt(s2PlusSd2);
    return {
      cSkip: tf.div(sd2, s2PlusSd2) as tf.Tensor1D,
      cOut: tf.div(tf.mul(sigma, sigmaData), root) as tf.Tensor1D,
      cIn: tf.div(1, root) as tf.Tensor1D,
      cNoise: tf.div(tf.log(sigma), 4) as tf.Tensor1D,
    };
  });
}
