// The gradient of one input of a broadcasting elementwise sum: dy summed over the axes the input was
// broadcast along, reshaped to the input's shape. The arithmetic of tfjs's Add gradient (Add_grad.js),
// needing only shapes, for the lean ops here that save no tensors (lean-add.ts, scaled-sum.ts).
import * as tf from '@tensorflow/tfjs-core';

/** dy [outShape] reduced to an input of shape `shape` (broadcast to outShape in the forward pass). */
export function sumToShape(dy: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const reduceAxes = tf.broadcast_util.getReductionAxes(shape, outShape);
  if (reduceAxes.length === 0) return tf.reshape(dy, shape); // a new tensor, never dy itself
  // Kept dims where the input has the output's rank (a row per image [N, 1, 1, C]), dropped where it has fewer (a
  // bias [C]): either way a sum already in the input's shape, with no Reshape kernel after it (one per layer).
  const res = tf.sum(dy, reduceAxes, shape.length === outShape.length);
  return tf.util.arraysEqual(res.shape, shape) ? res : tf.reshape(res, shape);
}
