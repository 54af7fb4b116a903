// VE preconditioning (paper Table 1, "VE"; reference VEPrecond, Song et al. 2021):
//   c_skip = 1    c_out = sigma    c_in = 1    c_noise = ln(sigma / 2)
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../denoiser';
import { checkSigmaRange } from '../validate';
import { Precond, type CoefficientTensors, type PrecondOptions } from './common';

/** Options of `VEPrecond`. */
export interface VEPrecondOptions extends PrecondOptions {
  /** Minimum supported noise level sigma_min. Default 0.02. */
  sigmaMin?: number;
  /** Maximum supported noise level sigma_max. Default 100. */
  sigmaMax?: number;
}

/** The VE preconditioning D(x; sigma) = x + sigma F(x; ln(sigma/2)). */
export class VEPrecond extends Precond {
  readonly className = 'VEPrecond' as const;
  readonly sigmaMin: number;
  readonly sigmaMax: number;

  constructor(model: Backbone, opts: VEPrecondOptions) {
    super(model, opts, 'VEPrecond');
    this.sigmaMin = opts.sigmaMin ?? 0.02;
    this.sigmaMax = opts.sigmaMax ?? 100;
    checkSigmaRange('VEPrecond', this.sigmaMin, this.sigmaMax);
  }

  coefficientTensors(sigma: tf.Tensor1D): CoefficientTensors {
    return tf.tidy(() => ({
      cSkip: tf.onesLike(sigma),
      cOut: tf.clone(sigma),
      cIn: tf.onesLike(sigma),
      cNoise: tf.log(tf.mul(sigma, 0.5)) as tf.Tensor1D,
    }));
  }
}
