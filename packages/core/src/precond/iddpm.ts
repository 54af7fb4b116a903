// iDDPM preconditioning (paper Table 1, "iDDPM+DDIM"; reference iDDPMPrecond, Nichol & Dhariwal 2021):
//   c_skip = 1    c_out = -sigma    c_in = 1 / sqrt(sigma^2 + 1)    c_noise = M - 1 - argmin_j |u_j - sigma|
// The backbone outputs 2 C channels (mean and variance); D uses the first C (the reference's F_x[:, :C]).
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../denoiser';
import { checkInteger, checkNumber } from '../validate';
import { Precond, type CoefficientTensors, type PrecondOptions } from './common';
import { iddpmUTable, nearestIndex } from './iddpm-table';

/** Largest M (the number of DDPM timesteps) accepted; the reference uses 1000. */
export const MAX_IDDPM_M = 100_000;

/** Options of `IDDPMPrecond`. */
export interface IDDPMPrecondOptions extends PrecondOptions {
  /** C_1, timestep adjustment at low noise levels (clip of alpha_bar ratios). Default 0.001. */
  C1?: number;
  /** C_2, timestep adjustment at high noise levels. Default 0.008. */
  C2?: number;
  /** M, original number of timesteps of the DDPM formulation. Default 1000. */
  M?: number;
}

/** The iDDPM preconditioning, with its discrete noise levels u_0 > ... > u_M = 0. */
export class IDDPMPrecond extends Precond {
  readonly className = 'iDDPMPrecond' as const;
  /** u_{M-1}. */
  readonly sigmaMin: number;
  /** u_0. */
  readonly sigmaMax: number;
  readonly C1: number;
  readonly C2: number;
  readonly M: number;
  /** The table u_0 .. u_M (float32 values, as the reference's buffer `u`). */
  readonly u: Float64Array;

  constructor(model: Backbone, opts: IDDPMPrecondOptions) {
    super(model, opts, 'iDDPMPrecond', 2);
    this.C1 = checkNumber('iDDPMPrecond', 'C1', opts.C1 ?? 0.001, 'positive');
    this.C2 = checkNumber('iDDPMPrecond', 'C2', opts.C2 ?? 0.008, 'nonnegative');
    // The table u has M + 1 entries, built when a network is declared (before a checkpoint's tensors are
    // checked): a bound keeps a crafted M from allocating gigabytes. The reference uses 1000.
    this.M = checkInteger('iDDPMPrecond', 'M', opts.M ?? 1000, 2, MAX_IDDPM_M);
    this.u = iddpmUTable(this.M, this.C1, this.C2, 'float32');
    this.sigmaMin = this.u[this.M - 1]!;
    this.sigmaMax = this.u[0]!;
  }

  /** The nearest u_j to sigma. */
  override roundSigma(sigma: number): number {
    return this.u[nearestIndex(this.u, sigma)]!;
  }

  /** The index j of the nearest u_j to sigma. */
  roundSigmaIndex(sigma: number): number {
    return nearestIndex(this.u, sigma);
  }

  coefficientTensors(sigma: tf.Tensor1D): CoefficientTensors {
    return tf.tidy(() => {
      const u = tf.tensor1d(Float32Array.from(this.u), 'float32');
      const dist = tf.abs(tf.sub(tf.reshape(sigma, [-1, 1]), tf.reshape(u, [1, -1])));
      const index = tf.cast(tf.argMin(dist, 1), 'float32');
      const s2p1 = tf.add(tf.square(sigma), 1);
      return {
        cSkip: tf.onesLike(sigma),
        cOut: tf.neg(sigma),
        cIn: tf.div(1, tf.sqrt(s2p1)) as tf.Tensor1D,
        cNoise: tf.sub(this.M - 1, index) as tf.Tensor1D,
      };
    });
  }

  protected override selectOutput(f: tf.Tensor4D): tf.Tensor4D {
    return tf.slice(f, [0, 0, 0, 0], [-1, -1, -1, this.imgChannels]);
  }
}
