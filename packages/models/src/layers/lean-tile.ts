// tf.tile of a rank-4 tensor whose gradient keeps no tensors. tfjs keeps every tensor a gradient saves until
// the backward pass ends, and its Tile saves the input only for its shape: in the nearest-neighbour 2x
// upsampling of the U-Nets' up blocks that kept a 2x-wide intermediate alive for nothing. The gradient is
// tfjs's Tile gradient (zeros, plus each repeat's slice of dy in the same order), bit for bit.
import * as tf from '@tensorflow/tfjs-core';

/** tf.tile(x, reps) for rank-4 x; the gradient keeps only x's shape. */
export function leanTile<T extends tf.Tensor4D>(x: T, reps: [number, number, number, number]): T {
  const s = x.shape;
  const op = tf.customGrad(((xs: tf.Tensor4D) => ({
    value: tf.tile(xs, reps),
    gradFunc: (dy: tf.Tensor4D) => {
      let dx: tf.Tensor4D = tf.zeros(s, xs.dtype);
      for (let i = 0; i < reps[0]; ++i) {
        for (let j = 0; j < reps[1]; ++j) {
          for (let k = 0; k < reps[2]; ++k) {
            for (let l = 0; l < reps[3]; ++l) dx = tf.add(dx, tf.slice(dy, [i * s[0], j * s[1], k * s[2], l * s[3]], s));
          }
        }
      }
      return dx;
    },
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as T;
}
