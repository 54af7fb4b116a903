// What the guidance wrappers share (classifier-free guidance, autoguidance): the guided output
//   D_w = D_0 + w (D_1 - D_0) = w D_1 + (1 - w) D_0
// of a stronger D_1 (conditional, or the main model) and a weaker D_0 (unconditional, or the guide), in the
// second form so that w = 1 is exactly D_1. The guided network is a `wrapDenoiser` of the main one.
import * as tf from '@tensorflow/tfjs-core';

/** w D_1 + (1 - w) D_0, a new tensor. */
export function guidedOutput(d1: tf.Tensor4D, d0: tf.Tensor4D, weight: number): tf.Tensor4D {
  return tf.add(tf.mul(d1, weight), tf.mul(d0, 1 - weight)) as tf.Tensor4D;
}
