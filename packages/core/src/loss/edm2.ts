// EDM2 loss (Karras et al. 2024, eqs. 14-16 and 21; reference training_loop.py EDM2Loss): the EDM loss with
// EDM2's noise distribution and the learned uncertainty u(sigma) of the network,
//   ln(sigma) ~ N(P_mean, P_std^2):  sigma = exp(rnd_normal P_std + P_mean)      P_mean -0.4, P_std 1.0
//   lambda(sigma) = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2
//   L = lambda(sigma) / exp(u(sigma)) (D(y + n; sigma) - y)^2 + u(sigma)         (per pixel)
// The network must have an uncertainty head (`Denoiser.logvar`: EDM2 networks do).
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser';
import { EDMLoss, type EDMLossOptions } from './edm';
import type { LossCallOptions } from './types';

/** Options of `EDM2Loss` (EDMLoss's, with EDM2's defaults). */
export type EDM2LossOptions = EDMLossOptions;

/** The EDM2 training loss with learned uncertainty, per pixel (P_mean -0.4, P_std 1.0, sigma_data 0.5 by default). */
export class EDM2Loss extends EDMLoss {
  constructor(opts: EDM2LossOptions = {}) {
    super({ ...opts, PMean: opts.PMean ?? -0.4, PStd: opts.PStd ?? 1.0 }, 'EDM2Loss');
  }

  /** lambda(sigma) / exp(u) (D(images + eps sigma; sigma) - images)^2 + u, sigma = exp(rnd P_std + P_mean). */
  override call(net: Denoiser, images: tf.Tensor4D, options: LossCallOptions = {}): tf.Tensor4D {
    if (typeof net.logvar !== 'function') {
      throw new Error('EDM2Loss.call: the network has no uncertainty head (Denoiser.logvar); EDM2Loss needs an ' +
        'EDM2 network (training.networks_edm2.Precond)');
    }
    const training = options.training ?? true;
    return this.weightedLoss(net, images, options, (weight, squaredError, sigma) => {
      const u = tf.reshape(net.logvar!(sigma, { training }), [-1, 1, 1, 1]);
      return tf.add(tf.mul(tf.div(weight, tf.exp(u)), squaredError), u) as tf.Tensor4D;
    });
  }
}
