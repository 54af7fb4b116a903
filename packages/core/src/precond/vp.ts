// VP preconditioning (paper Table 1, "VP"; reference VPPrecond, Song et al. 2021):
//   c_skip = 1    c_out = -sigma    c_in = 1 / sqrt(sigma^2 + 1)    c_noise = (M - 1) sigma^{-1}(sigma)
//   sigma(t) = sqrt(exp(beta_d t^2 / 2 + beta_min t) - 1),  t in [epsilon_t, 1]
//   sigma^{-1}(sigma) = (sqrt(beta_min^2 + 2 beta_d ln(sigma^2 + 1)) - beta_min) / beta_d
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../denoiser';
import { vpSchedule } from '../ode/schedule';
import { checkInteger, checkNumber } from '../validate';
import { Precond, type CoefficientTensors, type PrecondOptions } from './common';

/** Options of `VPPrecond`. */
export interface VPPrecondOptions extends PrecondOptions {
  /** beta_d, extent of the noise level schedule. Default 19.9. */
  betaD?: number;
  /** beta_min, initial slope of the noise level schedule. Default 0.1. */
  betaMin?: number;
  /** M, original number of timesteps of the DDPM formulation. Default 1000. */
  M?: number;
  /** epsilon_t, minimum t-value used during training. Default 1e-5. */
  epsilonT?: number;
}

/** The VP preconditioning D(x; sigma) = x - sigma F(x / sqrt(sigma^2 + 1); (M - 1) sigma^{-1}(sigma)). */
export class VPPrecond extends Precond {
  readonly className = 'VPPrecond' as const;
  /** sigma(epsilon_t). */
  readonly sigmaMin: number;
  /** sigma(1). */
  readonly sigmaMax: number;
  readonly betaD: number;
  readonly betaMin: number;
  readonly M: number;
  readonly epsilonT: number;

  constructor(model: Backbone, opts: VPPrecondOptions) {
    super(model, opts, 'VPPrecond');
    this.betaD = checkNumber('VPPrecond', 'betaD', opts.betaD ?? 19.9, 'positive');
    this.betaMin = checkNumber('VPPrecond', 'betaMin', opts.betaMin ?? 0.1, 'nonnegative');
    this.M = checkInteger('VPPrecond', 'M', opts.M ?? 1000, 2);
    this.epsilonT = checkNumber('VPPrecond', 'epsilonT', opts.epsilonT ?? 1e-5, 'positive');
    if (this.epsilonT >= 1) throw new Error(`VPPrecond: option epsilonT must be in (0, 1), got ${this.epsilonT}`);
    // The reference stores float(self.sigma(...)) computed on float32 tensors.
    this.sigmaMin = Math.fround(this.sigma(this.epsilonT));
    this.sigmaMax = Math.fround(this.sigma(1));
  }

  /** sigma(t) = sqrt(exp(beta_d t^2 / 2 + beta_min t) - 1), float64. */
  sigma(t: number): number {
    return vpSchedule(this.betaD, this.betaMin).sigma(t);
  }

  /** sigma^{-1}(sigma) = (sqrt(beta_min^2 + 2 beta_d ln(sigma^2 + 1)) - beta_min) / beta_d, float64. */
  sigmaInv(sigma: number): number {
    return vpSchedule(this.betaD, this.betaMin).sigmaInv(sigma);
  }

  coefficientTensors(sigma: tf.Tensor1D): CoefficientTensors {
    return tf.tidy(() => {
      const s2p1 = tf.add(tf.square(sigma), 1);
      const tInv = tf.div(
        tf.sub(tf.sqrt(tf.add(this.betaMin ** 2, tf.mul(2 * this.betaD, tf.log(s2p1)))), this.betaMin),
        this.betaD,
      );
      return {
        cSkip: tf.onesLike(sigma),
        cOut: tf.neg(sigma),
        cIn: tf.div(1, tf.sqrt(s2p1)) as tf.Tensor1D,
        cNoise: tf.mul(this.M - 1, tInv) as tf.Tensor1D,
      };
    });
  }
}
