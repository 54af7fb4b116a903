// conv2d(x, filter) + bias in one kernel (tf.fused.conv2d), with a gradient that keeps only x and the
// filter. tfjs keeps every tensor a gradient saves until the backward pass ends, and tf.fused.conv2d also
// saves its output y (for an activation's gradient, even a linear one): one activation per convolution
// kept for nothing. The gradient here is tfjs's fused conv2d gradient with a linear activation, bit for
// bit: dx from the conv2d input-gradient kernel (Conv2DBackpropInput, via tf.conv2dTranspose), dfilter
// from Conv2DBackpropFilter, dbias = dy summed over N, H, W.
import * as tf from '@tensorflow/tfjs-core';
import { sumToShape } from './broadcast-grad';

/** What tfjs's engine takes for an op with its own gradient (engine.runKernelFunc; tf.customGrad's form). */
interface CustomGradInvocation {
  forwardFunc: (backend: unknown, save: tf.GradSaveFunc) => tf.Tensor;
  backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  inputs: tf.NamedTensorMap;
}

/**
 * conv2d(x, filter, stride 1, `pad`) + bias, NHWC, filter HWIO; the gradient keeps x and filter only, and computes
 * each input's gradient only where the backward pass asks for it (the engine calls only the inputs on a path from
 * what is differentiated): tf.customGrad computes all three, so the network's first layer paid for an input
 * gradient of the images (1 ms of a 170 ms mnist training step).
 */
export function conv2dBias(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, pad: number): tf.Tensor4D {
  const invocation: CustomGradInvocation = {
    inputs: { x, filter, bias },
    forwardFunc: (_backend, save) => {
      save([x, filter]);
      return tf.fused.conv2d({ x, filter, strides: 1, pad, bias });
    },
    backwardsFunc: (dy, saved) => {
      const [sx, sf] = saved as [tf.Tensor4D, tf.Tensor4D];
      return {
        x: () => tf.conv2dTranspose(dy as tf.Tensor4D, sf, sx.shape, 1, pad),
        filter: () => {
          const attrs = { strides: 1, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: sf.shape };
          return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: sx, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
        },
        bias: () => sumToShape(dy, bias.shape, dy.shape),
      };
    },
  };
  const engine = tf.engine() as unknown as { runKernelFunc(invocation: CustomGradInvocation): tf.Tensor };
  return engine.runKernelFunc(invocation) as tf.Tensor4D;
}
