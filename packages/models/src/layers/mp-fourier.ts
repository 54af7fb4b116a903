// Magnitude-preserving Fourier features (EDM2, eq. 75; reference networks_edm2.py `MPFourier`):
//   y = sqrt(2) cos(x freqs + phases),   freqs = 2 pi N(0, 1) bandwidth,   phases = 2 pi U[0, 1)
// freqs and phases are buffers (drawn once, saved in the state_dict as `<prefix>.freqs`, `<prefix>.phases`).
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext } from './init';
import type { ParamRef } from './param-store';

/** MPFourier over `numChannels` features. */
export class MPFourier {
  readonly freqs: ParamRef;
  readonly phases: ParamRef;

  constructor(ctx: BuildContext, prefix: string, readonly numChannels: number, bandwidth = 1) {
    const { rng, store } = ctx;
    this.freqs = store.declare({
      name: `${prefix}.freqs`, torchShape: [numChannels], layout: 'same', trainable: false,
      init: () => Float32Array.from({ length: numChannels }, () => 2 * Math.PI * rng.normal() * bandwidth),
    });
    this.phases = store.declare({
      name: `${prefix}.phases`, torchShape: [numChannels], layout: 'same', trainable: false,
      init: () => Float32Array.from({ length: numChannels }, () => 2 * Math.PI * rng.uniform()),
    });
  }

  /** x: [N] -> [N, numChannels]. */
  apply(x: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => {
      const arg = tf.add(tf.mul(tf.reshape(x, [-1, 1]), tf.reshape(this.freqs.value, [1, -1])), tf.reshape(this.phases.value, [1, -1]));
      return tf.mul(tf.cos(arg), Math.SQRT2) as tf.Tensor2D;
    });
  }
}
