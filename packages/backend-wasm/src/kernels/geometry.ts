// Shared geometry of the convolution gradients written from ops: padding resolved from the forward
// convolution's attributes, windows cut out of (or zero-padded around) a tensor, and the zero insertion
// that turns a strided convolution's output gradient into a stride-1 problem.
import * as tf from '@tensorflow/tfjs-core';

/** Forward-convolution attributes shared by the gradient kernels (tfjs kernel attrs). */
export interface ConvGeometryAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The resolved geometry of a forward NHWC convolution (dilation 1, as tfjs's gradients require). */
export interface ConvGeometry {
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
  outHeight: number;
  outWidth: number;
}

/** Resolves strides and padding of the forward convolution x [N,H,W,C] * filter [fh,fw,C,·]. */
export function convGeometry(
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: ConvGeometryAttrs,
  depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(inShape, filterShape, attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode, depthwise, 'channelsLast');
  return {
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
  };
}

/**
 * Rows [rowStart, rowStart + rows) and columns [colStart, colStart + cols) of an NHWC tensor, reading zeros
 * outside it (a start below 0 pads in front, an end past the edge pads behind, otherwise it crops).
 */
export function spatialWindow(x: tf.Tensor4D, rowStart: number, rows: number, colStart: number, cols: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const padBefore = [Math.max(0, -rowStart), Math.max(0, -colStart)] as const;
  const padAfter = [Math.max(0, rowStart + rows - h), Math.max(0, colStart + cols - w)] as const;
  let y = x;
  if (padBefore[0] || padBefore[1] || padAfter[0] || padAfter[1]) {
    y = tf.pad(x, [[0, 0], [padBefore[0], padAfter[0]], [padBefore[1], padAfter[1]], [0, 0]]);
  }
  const r0 = rowStart + padBefore[0];
  const c0 = colStart + padBefore[1];
  if (r0 === 0 && c0 === 0 && y.shape[1] === rows && y.shape[2] === cols) return y === x ? x.clone() : y;
  return tf.slice(y, [0, r0, c0, 0], [n, rows, cols, c]);
}

/**
 * Inserts stride-1 zeros after every row and column of an NHWC tensor: [N,H,W,C] -> [N,H*sh,W*sw,C], with
 * y[n, i*sh, j*sw, c] = x[n, i, j, c] and zeros elsewhere (the "dilated" output gradient of a strided conv).
 */
export function insertZeros(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x.clone();
  const [n, h, w, c] = x.shape;
  const x6 = tf.reshape(x, [n, h, 1, w, 1, c]);
  const padded = tf.pad(x6, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.reshape(padded, [n, h * sh, w * sw, c]);
}

/** A kernel input as a Tensor (kernels receive TensorInfos; ops take Tensors). Call inside tf.tidy. */
export function asTensor<R extends tf.Rank>(info: tf.TensorInfo): tf.Tensor<R> {
  return (info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info)) as tf.Tensor<R>;
}
