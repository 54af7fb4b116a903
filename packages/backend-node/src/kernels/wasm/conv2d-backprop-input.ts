// Conv2DBackpropInput for wasm: tfjs's own is a naive single-threaded loop (54% of a training step, issue 8).
// The input gradient of y = conv2d(x, W) is a stride-1 convolution of the output gradient, with zeros
// inserted between its rows/columns for a strided forward conv, padded by fh - 1 - top, with the spatially
// flipped, in/out-swapped filter:
//   dx = conv2d(pad(insertZeros(dy, s)), reverse(W, [0, 1])^T[fh, fw, Co, Ci], 1, 'valid').
// One XNNPACK conv2d. The same kernel serves conv2dTranspose.
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, convGeometry, insertZeros, spatialWindow } from '../geometry';
import type { ConvGeometryAttrs } from '../geometry';

/** Attributes of tfjs's Conv2DBackpropInput kernel. */
interface Attrs extends ConvGeometryAttrs {
  dataFormat: 'NHWC' | 'NCHW';
  inputShape: [number, number, number, number];
}

/** dx [N,H,W,Ci] from dy [N,Ho,Wo,Co] and W [fh,fw,Ci,Co] (NHWC). */
export function conv2dInputGradient(inputShape: [number, number, number, number], dy: tf.Tensor4D, filter: tf.Tensor4D,
  attrs: ConvGeometryAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const [fh, fw] = filter.shape;
    const [, h, w] = inputShape;
    const g = convGeometry(inputShape, filter.shape, attrs, false);
    const dyUp = insertZeros(dy, g.strideHeight, g.strideWidth);
    const dyWin = spatialWindow(dyUp, g.padTop - (fh - 1), h + fh - 1, g.padLeft - (fw - 1), w + fw - 1);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [fh, fw, Co, Ci]
    return tf.conv2d(dyWin, flipped as tf.Tensor4D, 1, 'valid');
  });
}

/** The kernel function registered for 'wasm'. */
export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as Attrs;
  return tf.tidy(() => {
    let dy = asTensor<tf.Rank.R4>(inputs.dy!);
    const filter = asTensor<tf.Rank.R4>(inputs.filter!);
    let shape = a.inputShape;
    if (a.dataFormat === 'NCHW') {
      dy = tf.transpose(dy, [0, 2, 3, 1]);
      shape = [shape[0], shape[2], shape[3], shape[1]];
    }
    const dx = conv2dInputGradient(shape, dy, filter, a);
    return a.dataFormat === 'NCHW' ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
};
