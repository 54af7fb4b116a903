// conv2d(x, filter) + bias in one kernel (tf.fused.conv2d), with a gradient that keeps only x and the
// filter. tfjs keeps every tensor a gradient saves until the backward pass ends, and tf.fused.conv2d also
// saves its output y (for an activation's gradient, even a linear one): one activation per convolution
// kept for nothing. The gradient here is tfjs's fused conv2d gradient with a linear activation, bit for
// bit: dx from the conv2d input-gradient kernel (Conv2DBackpropInput, via tf.conv2dTranspose), dfilter
// from Conv2DBackpropFilter, dbias = dy summed over N, H, W.
import * as tf from '@tensorflow/tfjs-core';
import { sumToShape } from './broadcast-grad';

/** conv2d(x, filter, stride 1, `pad`) + bias, NHWC, filter HWIO; the gradient keeps x and filter only. */
export function conv2dBias(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, pad: number): tf.Tensor4D {
  const op = tf.customGrad(((xs: tf.Tensor4D, fs: tf.Tensor4D, bs: tf.Tensor1D, save: tf.GradSaveFunc) => {
    save([xs, fs]);
    return {
      value: tf.fused.conv2d({ x: xs, filter: fs, strides: 1, pad, bias: bs }),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sf] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dx = tf.conv2dTranspose(dy, sf, sx.shape, 1, pad);
        const attrs = { strides: 1, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: sf.shape };
        const dFilter = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: sx, dy },
          attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
        return [dx, dFilter, sumToShape(dy, bias.shape, dy.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, filter, bias) as tf.Tensor4D;
}
