// tf.concat whose gradient keeps no tensors. tfjs keeps every tensor a gradient saves until the backward
// pass ends, and its Concat saves every input only to read their shapes: in a U-Net decoder that kept each
// block's output alive for the whole backward pass (the concatenation with the encoder skip). This op saves
// the sizes instead; value and gradients are tf.concat's, bit for bit (the gradient splits dy, as tfjs's).
import * as tf from '@tensorflow/tfjs-core';

/** tf.concat(tensors, axis) (axis >= 0 or negative from the end); the gradient keeps only the sizes. */
export function leanConcat<T extends tf.Tensor>(tensors: tf.Tensor[], axis: number): T {
  if (tensors.length === 0) throw new Error('leanConcat: expected at least one tensor, got none');
  const rank = tensors[0]!.rank;
  const ax = axis < 0 ? axis + rank : axis;
  const sizes = tensors.map((t) => t.shape[ax]!);
  const op = tf.customGrad(((...xs: tf.Tensor[]) => ({
    value: tf.concat(xs.slice(0, tensors.length), ax),
    gradFunc: (dy: tf.Tensor) => tf.split(dy, sizes, ax),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(...tensors) as T;
}
