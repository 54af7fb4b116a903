// EDM2 preconditioning with uncertainty estimation (Karras et al. 2024, "Analyzing and Improving the Training
// Dynamics of Diffusion Models"; reference networks_edm2.py `Precond`): the EDM coefficients of Table 1 of the
// EDM paper (sigma_data 0.5 by default, no noise-level bounds),
//   D(x; sigma) = c_skip x + c_out F(c_in x; ln(sigma) / 4)
// plus the learned uncertainty u(sigma) of eq. 21 (the log-variance the EDM2 loss divides by), computed by an
// uncertainty head from c_noise alone.
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone, ForwardOptions } from '../denoiser';
import { checkNumber } from '../validate';
import { Precond, toSigmaVector, type CoefficientTensors, type PrecondOptions } from './common';
import { edmCoefficientTensors } from './edm';

/** The uncertainty head of EDM2: u(sigma) [N] from c_noise [N] (reference: logvar_linear(logvar_fourier(c_noise))). */
export interface UncertaintyHead {
  apply(cNoise: tf.Tensor1D, options?: ForwardOptions): tf.Tensor1D;
}

/** Options of `EDM2Precond`. */
export interface EDM2PrecondOptions extends PrecondOptions {
  /** sigma_data, expected standard deviation of the training data. Default 0.5. */
  sigmaData?: number;
}

/** The EDM2 preconditioning; `logvar` gives u(sigma) when an uncertainty head is attached. */
export class EDM2Precond extends Precond {
  readonly className = 'training.networks_edm2.Precond' as const;
  readonly sigmaMin = 0;
  readonly sigmaMax = Infinity;
  override readonly sigmaData: number;

  constructor(model: Backbone, opts: EDM2PrecondOptions, readonly uncertainty: UncertaintyHead | null = null) {
    super(model, opts, 'EDM2Precond');
    this.sigmaData = checkNumber('EDM2Precond', 'sigmaData', opts.sigmaData ?? 0.5, 'positive');
  }

  coefficientTensors(sigma: tf.Tensor1D): CoefficientTensors {
    return edmCoefficientTensors(sigma, this.sigmaData);
  }

  /**
   * u(sigma), the uncertainty of eq. 21, as [N] for sigma of N elements (any shape: [N], [N, 1, 1, 1]). Throws
   * when no uncertainty head is attached.
   */
  logvar(sigma: tf.Tensor, options?: ForwardOptions): tf.Tensor1D {
    if (!this.uncertainty) throw new Error('EDM2Precond.logvar: this network has no uncertainty head');
    const head = this.uncertainty;
    return tf.tidy(() => {
      const s = toSigmaVector('EDM2Precond.logvar', sigma, sigma.size);
      return head.apply(this.coefficientTensors(s).cNoise, options);
    });
  }
}
