// The gradient of one input of a broadcasting elementwise sum: dy summed over the axes the input was
// broadcast along, reshaped to the input's shape. The arithmetic of tfjs's Add gradient (Add_grad.js),
// needing only shapes, for the lean ops here that save no tensors (lean-add.ts, scaled-sum.ts).
import * as tf from '@tensorflow/tfjs-core';

/** dy [outShape] reduced to an input of shape `shape` (broadcast to outShape in the forward pass). */
export function sumToShape(dy: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  let res = dy;
  const reduceAxes = tf.broadcast_util.getReductionAxes(shape, outShape);
  if (reduceAxes.length > 0) res = tf.sum(res, reduceAxes);
  return tf.reshape(res, shape);
}
