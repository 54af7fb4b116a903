// The uncertainty head of EDM2 (Karras et al. 2024, eq. 21; reference networks_edm2.py `Precond`'s
// logvar_fourier and logvar_linear): u(sigma) = MPConv(MPFourier(c_noise)), one output, learned alongside
// the U-Net so that the loss weights each noise level by its own uncertainty.
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardOptions, UncertaintyHead } from '@edm/core';
import type { BuildContext } from '../layers/init';
import { MPConv } from '../layers/mp-conv';
import { MPFourier } from '../layers/mp-fourier';

/** The logvar head over `channels` Fourier features. */
export class EDM2Uncertainty implements UncertaintyHead {
  readonly fourier: MPFourier;
  readonly linear: MPConv;

  constructor(ctx: BuildContext, readonly channels: number) {
    this.fourier = new MPFourier(ctx, 'logvar_fourier', channels);
    this.linear = new MPConv(ctx, 'logvar_linear', channels, 1, 0);
  }

  /** c_noise [N] -> u [N]. In training mode logvar_linear's weight is force-normalised first. */
  apply(cNoise: tf.Tensor1D, options?: ForwardOptions): tf.Tensor1D {
    return tf.tidy(() => tf.reshape(this.linear.apply(this.fourier.apply(cNoise), 1, options?.training ?? false), [-1]));
  }
}
