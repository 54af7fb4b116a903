// One pass of the training objective: the summed per-pixel loss of a batch divided by the step's total batch
// (the reference's loss.sum().mul(1 / batch_gpu_total).backward()), and its gradients by variable name.
import * as tf from '@tensorflow/tfjs-core';
import { leanVariableGrads, wrapDenoiser, type AugmentPipe, type Denoiser, type ForwardOptions, type Loss } from '@edm/core';

/** Inputs of one pass. */
export interface PassInputs {
  images: tf.Tensor4D;
  labels: tf.Tensor2D | null;
  /** Noise-level draw [n] (rnd_normal for EDM, rnd_uniform for VP/VE). */
  rnd: tf.Tensor1D;
  /** Standard normal noise like the images. */
  eps: tf.Tensor4D;
  /** Seed of the pass's dropout masks (`ForwardOptions.seed`); undefined = tfjs's unseeded generator. */
  seed?: number;
  /** The augment pipe of the pass (train.py --augment), or undefined when off. */
  augmentPipe?: AugmentPipe;
}

/**
 * `net` with `options` merged into every forward call (how a loss's calls get the pass's dropout seed); an
 * uncertainty head (EDM2's `logvar`) is kept, with the same options.
 */
export function withForwardOptions(net: Denoiser, options: ForwardOptions): Denoiser {
  const wrapped = wrapDenoiser(net, (x, sigma, classLabels, augmentLabels, opts) =>
    net.forward(x, sigma, classLabels, augmentLabels, { ...opts, ...options }));
  if (!net.logvar) return wrapped;
  return { ...wrapped, logvar: (sigma, opts) => net.logvar!(sigma, { ...opts, ...options }) };
}

/**
 * Returns sum(loss) / batchTotal as a number and the gradients keyed by the tf.Variable names (the caller
 * disposes them). Inputs are not disposed. The backward pass releases memory as it goes
 * (`leanVariableGrads`: tf.variableGrads's gradients at about half its peak).
 */
export async function lossAndGrads(
  net: Denoiser, loss: Loss, vars: tf.Variable[], inp: PassInputs, batchTotal: number,
): Promise<{ value: number; grads: tf.NamedTensorMap }> {
  const { value, grads } = leanVariableGrads(() => tf.tidy(() => {
    const perPixel = loss.call(withForwardOptions(net, { seed: inp.seed }), inp.images, {
      labels: inp.labels, rnd: inp.rnd, eps: inp.eps, training: true, augmentPipe: inp.augmentPipe,
    });
    return tf.div(tf.sum(perPixel), batchTotal) as tf.Scalar;
  }), vars);
  const v = (await value.data())[0]!;
  value.dispose();
  return { value: v, grads };
}

/** Adds `more` into `acc` (both by name); disposes `more` and the replaced tensors. */
export function accumulate(acc: tf.NamedTensorMap | null, more: tf.NamedTensorMap): tf.NamedTensorMap {
  if (acc === null) return more;
  for (const k of Object.keys(more)) {
    const prev = acc[k]!;
    acc[k] = tf.add(prev, more[k]!);
    prev.dispose();
    more[k]!.dispose();
  }
  return acc;
}
