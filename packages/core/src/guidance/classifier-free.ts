// Classifier-free guidance (Ho & Salimans 2022) as a Denoiser wrapper, so every sampler can use it:
//   D_w(x; sigma, c) = D(x; sigma, null) + w (D(x; sigma, c) - D(x; sigma, null))
//                    = w D(x; sigma, c) + (1 - w) D(x; sigma, null),
// computed in the second form, so w = 1 returns exactly the conditional output. The conditional and
// unconditional calls go through the network in one batched forward pass of 2N samples (EDM's label
// dropout trains the unconditional model with all-zero labels, the default "null" condition).
import * as tf from '@tensorflow/tfjs-core';
import { checkNumber } from '../validate';
import { wrapDenoiser, type Denoiser } from '../denoiser';
import { guidedOutput } from './guided';

/** Options of `classifierFreeGuidance`. */
export interface ClassifierFreeGuidanceOptions {
  /** w, the guidance weight: 1 = plain conditional, 0 = unconditional, > 1 = guided. */
  weight: number;
  /**
   * The unconditional ("null") labels: [1, labelDim] (broadcast to the batch) or [N, labelDim].
   * Default: zeros, as EDM's label dropout.
   */
  uncondLabels?: tf.Tensor2D;
  /** Evaluate both halves in one forward pass of 2N samples (default true); false = two passes of N. */
  batched?: boolean;
}

function repeatBatch(t: tf.Tensor): tf.Tensor {
  return t.rank === 0 || t.shape[0] === 1 ? t : tf.concat([t, t], 0);
}

/** Wraps a conditional denoiser with classifier-free guidance of weight w. */
export function classifierFreeGuidance(net: Denoiser, options: ClassifierFreeGuidanceOptions): Denoiser {
  const name = 'classifierFreeGuidance';
  const weight = checkNumber(name, 'weight', options?.weight);
  const { uncondLabels, batched = true } = options;
  if (net.labelDim < 1) {
    throw new Error(`${name}: the denoiser is unconditional (labelDim = 0); guidance needs a conditional denoiser`);
  }
  if (uncondLabels && (uncondLabels.rank !== 2 || uncondLabels.shape[1] !== net.labelDim)) {
    throw new Error(`${name}: option uncondLabels must have shape [1 or N, ${net.labelDim}], ` +
      `got [${uncondLabels.shape.join(', ')}]`);
  }
  return wrapDenoiser(net, (x, sigma, classLabels, augmentLabels, fwd) => {
    const n = x.shape[0];
    if (!classLabels) {
      throw new Error(`${name}: forward needs classLabels [${n}, ${net.labelDim}] (the condition c); ` +
        'pass options.classLabels to the sampler');
    }
    if (classLabels.shape[0] !== n || classLabels.shape[1] !== net.labelDim) {
      throw new Error(`${name}: classLabels must have shape [${n}, ${net.labelDim}], got [${classLabels.shape.join(', ')}]`);
    }
    if (uncondLabels && uncondLabels.shape[0] !== 1 && uncondLabels.shape[0] !== n) {
      throw new Error(`${name}: option uncondLabels must have 1 or ${n} rows for this batch, got ${uncondLabels.shape[0]}`);
    }
    return tf.tidy(() => {
      const uncond = uncondLabels ? tf.broadcastTo(uncondLabels, [n, net.labelDim]) as tf.Tensor2D
        : tf.zeros([n, net.labelDim]) as tf.Tensor2D;
      let dCond: tf.Tensor4D;
      let dUncond: tf.Tensor4D;
      if (batched) {
        const xx = tf.concat([x, x], 0);
        const ss = typeof sigma === 'number' ? sigma : repeatBatch(sigma);
        const cc = tf.concat([classLabels, uncond], 0);
        const aa = augmentLabels ? tf.concat([augmentLabels, augmentLabels], 0) : augmentLabels;
        const out = net.forward(xx, ss, cc, aa, fwd);
        [dCond, dUncond] = tf.split(out, 2, 0) as [tf.Tensor4D, tf.Tensor4D];
      } else {
        dCond = net.forward(x, sigma, classLabels, augmentLabels, fwd);
        dUncond = net.forward(x, sigma, uncond, augmentLabels, fwd);
      }
      return weight === 1 ? dCond : guidedOutput(dCond, dUncond, weight);
    });
  });
}
