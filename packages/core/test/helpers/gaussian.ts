// The ideal denoiser of Gaussian data N(0, s^2 I) and the exact solution of its probability-flow ODE:
//   D(x; sigma) = x s^2 / (s^2 + sigma^2)
//   x(t) = s(t) sqrt(s^2 + sigma(t)^2) c   (c fixed by the start point): the ODE of eq. 4 with this D.
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '@edm/core';

export class GaussianDenoiser implements Denoiser {
  readonly sigmaMin = 0;
  readonly sigmaMax = Infinity;
  readonly labelDim = 0;
  calls: number[] = [];
  constructor(readonly dataStd: number, readonly imgResolution = 1, readonly imgChannels = 1) {}
  roundSigma(sigma: number): number {
    return sigma;
  }
  forward(x: tf.Tensor4D, sigma: number | tf.Tensor): tf.Tensor4D {
    if (typeof sigma !== 'number') throw new Error('GaussianDenoiser: the samplers pass numbers');
    this.calls.push(sigma);
    const s2 = this.dataStd ** 2;
    return tf.mul(x, s2 / (s2 + sigma * sigma));
  }
}

/** The factor x(sigma_to) / x(sigma_from) of the unscaled ODE (s(t) = 1) for data std s. */
export function exactRatio(dataStd: number, sigmaFrom: number, sigmaTo: number): number {
  return Math.sqrt((dataStd ** 2 + sigmaTo ** 2) / (dataStd ** 2 + sigmaFrom ** 2));
}
