// Clipping to [-c, c] whose gradient keeps only the output: EDM2's blocks clip their output activations
// (reference Block `clip_act`, x.clip_(-c, c)), and that output is kept anyway (it is the next layer's input),
// while tfjs's ClipByValue saves its input, one more activation per block. The gradient passes dy where the
// output lies strictly inside (-c, c): tfjs's and PyTorch's pass it where the input lies in [-c, c], which
// differs only where an input equals +-c exactly.
import * as tf from '@tensorflow/tfjs-core';

/** clip(x, -c, c); the gradient keeps only the output. */
export function leanClip<T extends tf.Tensor>(x: T, c: number): T {
  const op = tf.customGrad(((xs: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.clipByValue(xs, -c, c);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.where(tf.less(tf.abs(saved[0]!), c), dy, tf.zerosLike(dy)),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as T;
}
