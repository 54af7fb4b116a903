// Conv2DBackpropFilter for wasm, which has none (tfjs 4.22): the filter gradient of y = conv2d(x, W),
//   dW[i, j, ci, co] = sum_{n,p,q} x[n, p*sh + i - top, q*sw + j - left, ci] * dy[n, p, q, co],
// is itself a convolution once the batch plays the channels' role: correlate x^T [Ci, H', W', N] with the
// filter dy^T [Ho, Wo, N, Co] at dilation (sh, sw), giving [Ci, fh, fw, Co]. One XNNPACK conv2d instead of a
// loop; measured the best of five formulations for 3x3 filters. A 1x1 filter at stride 1 without
// padding is a plain product, dW = x^T dy over the N*H*W pixels: one XNNPACK matMul, 2-2.5x faster than the
// convolution on the attention and skip projections (64->192 at 16x16, batch 8: 6.4 -> 2.5 ms). Other stride-1
// filters on wasm: our SIMD kernel where the channels suit it (conv2d-filter-simd.ts: input and output channels
// % 4; 64->64 at 32x32, batch 8: 38 GFLOP/s on one thread, 63 on two, against 27 for the shifted
// product; other channel counts zero-padded to a multiple of 4 for it), else for outputs of 16x16 and more one
// product over shifted rows (conv2d-filter-shift.ts).
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, convGeometry, spatialWindow } from '../geometry';
import type { ConvGeometryAttrs } from '../geometry';
import { MIN_SHIFT_SIDE, shiftedFilterGradient } from './conv2d-filter-shift';
import { paddedChannelsFilterGradient, simdFilterGradient } from './conv2d-filter-simd';
import type { WasmHeapBackend } from './heap';

/** Attributes of tfjs's Conv2DBackpropFilter kernel. */
interface Attrs extends ConvGeometryAttrs {
  dataFormat: 'NHWC' | 'NCHW';
  filterShape: [number, number, number, number];
}

/** dW from x [N,H,W,Ci] and dy [N,Ho,Wo,Co] (NHWC) for a filter [fh,fw,Ci,Co]. */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number],
  attrs: ConvGeometryAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const [fh, fw, ci, co] = filterShape;
    const g = convGeometry(x.shape, filterShape, attrs, false);
    const [, ho, wo] = dy.shape;
    if (fh === 1 && fw === 1 && g.strideHeight === 1 && g.strideWidth === 1 && g.padTop === 0 && g.padLeft === 0 &&
      ho === x.shape[1] && wo === x.shape[2]) {
      const pixels = x.shape[0] * ho * wo;
      return tf.reshape(tf.matMul(tf.reshape(x, [pixels, ci]), tf.reshape(dy, [pixels, co]), true, false), filterShape);
    }
    const [, h, w] = x.shape;
    const bottom = ho + fh - 1 - h - g.padTop;
    const right = wo + fw - 1 - w - g.padLeft;
    // Stride 1 with padding only (no cropping) on wasm: our SIMD kernel, else the shifted-row product.
    if (tf.getBackend() === 'wasm' && g.strideHeight === 1 && g.strideWidth === 1 && g.padTop >= 0 && g.padLeft >= 0 &&
      bottom >= 0 && right >= 0) {
      const backend = tf.backend() as unknown as WasmHeapBackend;
      const pad = { top: g.padTop, left: g.padLeft, bottom, right };
      const ours = simdFilterGradient(backend, x, dy, filterShape, pad) ?? paddedChannelsFilterGradient(backend, x, dy, filterShape, pad);
      if (ours) return ours;
      if (x.dtype === 'float32' && ho >= MIN_SHIFT_SIDE && wo >= MIN_SHIFT_SIDE) {
        return shiftedFilterGradient(x, dy, filterShape, pad, backend);
      }
    }
    // The rows/columns of x the filter taps read: (fh - 1) + (Ho - 1) * sh + 1 starting at -top.
    const xWin = spatialWindow(x, -g.padTop, fh + (ho - 1) * g.strideHeight, -g.padLeft, fw + (wo - 1) * g.strideWidth);
    const xT = tf.transpose(xWin, [3, 1, 2, 0]); // [Ci, H', W', N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]
    const dW = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [g.strideHeight, g.strideWidth]); // [Ci, fh, fw, Co]
    return tf.transpose(dW, [1, 2, 0, 3]);
  });
}

/** The kernel function registered for 'wasm'. */
export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as Attrs;
  return tf.tidy(() => {
    let x = asTensor<tf.Rank.R4>(inputs.x!);
    let dy = asTensor<tf.Rank.R4>(inputs.dy!);
    if (a.dataFormat === 'NCHW') {
      x = tf.transpose(x, [0, 2, 3, 1]);
      dy = tf.transpose(dy, [0, 2, 3, 1]);
    }
    return conv2dFilterGradient(x, dy, a.filterShape, a);
  });
};
