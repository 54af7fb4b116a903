// DepthwiseConv2dNativeBackpropInput/Filter for wasm, which has neither (tfjs 4.22); the resampling layers
// (strided depthwise convs with fixed filters, e.g. [1,3,3,1]) need the input gradient to train.
// Forward: y[n, p, q, c*m + k] = sum_{i,j} x[n, p*sh + i - top, q*sw + j - left, c] * W[i, j, c, k].
// - input gradient: a stride-1 depthwise conv of the zero-inserted, padded dy with the flipped filter, one
//   channel per (c, k), then summed over the multiplier k;
// - filter gradient: one product-sum per filter tap (depthwise filters are small: fh*fw taps).
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, convGeometry, insertZeros, spatialWindow } from '../geometry';
import type { ConvGeometryAttrs } from '../geometry';

interface InputAttrs extends ConvGeometryAttrs {
  inputShape: [number, number, number, number];
}
interface FilterAttrs extends ConvGeometryAttrs {
  filterShape: [number, number, number, number];
}

/** dx [N,H,W,C] of a depthwise conv from dy [N,Ho,Wo,C*m] and W [fh,fw,C,m]. */
export function depthwiseInputGradient(inputShape: [number, number, number, number], dy: tf.Tensor4D,
  filter: tf.Tensor4D, attrs: ConvGeometryAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const [fh, fw, c, m] = filter.shape;
    const [n, h, w] = inputShape;
    const g = convGeometry(inputShape, filter.shape, attrs, true);
    const dyUp = insertZeros(dy, g.strideHeight, g.strideWidth);
    const dyWin = spatialWindow(dyUp, g.padTop - (fh - 1), h + fh - 1, g.padLeft - (fw - 1), w + fw - 1);
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [fh, fw, c * m, 1]) as tf.Tensor4D;
    const perChannel = tf.depthwiseConv2d(dyWin, flipped, 1, 'valid'); // [N, H, W, C*m]
    return m === 1 ? perChannel : tf.sum(tf.reshape(perChannel, [n, h, w, c, m]), 4);
  });
}

/** dW [fh,fw,C,m] of a depthwise conv from x [N,H,W,C] and dy [N,Ho,Wo,C*m]. */
export function depthwiseFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number],
  attrs: ConvGeometryAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const [fh, fw, c, m] = filterShape;
    const [n, ho, wo] = dy.shape;
    const g = convGeometry(x.shape, filterShape, attrs, true);
    const sh = g.strideHeight;
    const sw = g.strideWidth;
    const xWin = spatialWindow(x, -g.padTop, fh + (ho - 1) * sh, -g.padLeft, fw + (wo - 1) * sw);
    const dy5 = tf.reshape(dy, [n, ho, wo, c, m]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const xs = tf.stridedSlice(xWin, [0, i, j, 0], [n, i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1, c], [1, sh, sw, 1]);
        taps.push(tf.sum(tf.mul(tf.expandDims(xs, 4), dy5), [0, 1, 2])); // [C, m]
      }
    }
    return tf.reshape(tf.stack(taps), [fh, fw, c, m]) as tf.Tensor4D;
  });
}

/** DepthwiseConv2dNativeBackpropInput, registered for 'wasm'. */
export const depthwiseBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as InputAttrs;
  return tf.tidy(() => depthwiseInputGradient(a.inputShape, asTensor<tf.Rank.R4>(inputs.dy!),
    asTensor<tf.Rank.R4>(inputs.filter!), a));
};

/** DepthwiseConv2dNativeBackpropFilter, registered for 'wasm'. */
export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as FilterAttrs;
  return tf.tidy(() => depthwiseFilterGradient(asTensor<tf.Rank.R4>(inputs.x!), asTensor<tf.Rank.R4>(inputs.dy!),
    a.filterShape, a));
};
