// A toy backbone F with a closed form, so preconditioning and losses can be checked by hand:
//   F(x; c_noise, labels, augmentLabels)[n, h, w, k] = a x[n, h, w, k mod C] + b c_noise[n] + k
//     + sum(labels[n]) + sum(augmentLabels[n])
// It records what it was called with.
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone, ForwardOptions } from '@edm/core';

export class ToyBackbone implements Backbone {
  lastNoiseLabels: number[] = [];
  lastInput: number[] = [];
  lastTraining: boolean | undefined;
  lastAugmentLabels: tf.Tensor2D | null = null;
  constructor(readonly a: number, readonly b: number, readonly outChannels: number) {}

  apply(x: tf.Tensor4D, noiseLabels: tf.Tensor1D, classLabels?: tf.Tensor2D | null,
    augmentLabels?: tf.Tensor2D | null, options?: ForwardOptions): tf.Tensor4D {
    this.lastNoiseLabels = Array.from(noiseLabels.dataSync());
    this.lastInput = Array.from(x.dataSync());
    this.lastTraining = options?.training;
    this.lastAugmentLabels = augmentLabels ?? null;
    const [n, h, w, c] = x.shape;
    return tf.tidy(() => {
      const reps = Math.ceil(this.outChannels / c);
      const xs = tf.slice(tf.tile(x, [1, 1, 1, reps]), [0, 0, 0, 0], [n, h, w, this.outChannels]);
      let extra = tf.mul(noiseLabels, this.b);
      if (classLabels) extra = tf.add(extra, tf.sum(classLabels, 1));
      if (augmentLabels) extra = tf.add(extra, tf.sum(augmentLabels, 1));
      const k = tf.range(0, this.outChannels, 1, 'float32');
      return tf.add(tf.add(tf.mul(xs, this.a), tf.reshape(extra, [n, 1, 1, 1])), k) as tf.Tensor4D;
    });
  }

  /** F by hand for output channel k of one element. */
  expected(xIn: number, cNoise: number, k: number, labelSum = 0, augSum = 0): number {
    return this.a * xIn + this.b * cNoise + k + labelSum + augSum;
  }
}
