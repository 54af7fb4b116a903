// 2x resampling with a separable FIR filter (reference `Conv2d` with up/down): the filter is the outer
// product f f^T / (sum f)^2 of `resample_filter` (e.g. [1,1]: box, [1,3,3,1]: bilinear), applied per
// channel. Downsampling is a strided depthwise convolution; upsampling is the transposed convolution with
// 4 f (zero insertion followed by a depthwise convolution with the flipped filter). NHWC.
import * as tf from '@tensorflow/tfjs-core';
import { upsampleNearest2x } from '@edm/core';

/** The 2-D resample filter f f^T / (sum f)^2 as row-major [k, k] values (float32, like the reference). */
export function resampleFilter2d(filter: number[]): Float32Array {
  const k = filter.length;
  const f32 = filter.map((v) => Math.fround(v));
  const sum = Math.fround(f32.reduce((a, b) => Math.fround(a + b), 0));
  const sq = Math.fround(sum * sum);
  const out = new Float32Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[i * k + j] = Math.fround(Math.fround(f32[i]! * f32[j]!) / sq);
  return out;
}

/**
 * Whether 1-D taps make the 2x2 box filter (outer product normalised to sum 1: all 1/4), for which resampling
 * is exactly avg-pool / nearest-neighbour replication. Decided from the taps, never by reading the filter
 * tensor back (a synchronous GPU read, which WebGPU in Node cannot do).
 */
export function isBoxTaps(taps: readonly number[]): boolean {
  return taps.length === 2 && taps[0] === taps[1] && taps[0] !== 0;
}

/** Pads (positive) or crops (negative) H and W of an NHWC tensor. */
function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  let y = x;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    y = tf.pad(y, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  }
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = y.shape;
    const t = Math.max(-top, 0);
    const l = Math.max(-left, 0);
    y = tf.slice(y, [0, t, l, 0], [n, h - t - Math.max(-bottom, 0), w - l - Math.max(-right, 0), c]);
  }
  return y;
}

/** Depthwise filter [k, k, C, 1] from a [k, k] (or [k, k, 1, 1]) filter, times `gain`, optionally flipped. */
function depthwiseFilter(f: tf.Tensor, channels: number, gain: number, flip: boolean): tf.Tensor4D {
  const k = f.shape[0]!;
  let g = tf.reshape(f, [k, k]) as tf.Tensor2D;
  if (flip) g = tf.reverse(g, [0, 1]);
  if (gain !== 1) g = tf.mul(g, gain);
  return tf.tile(tf.reshape(g, [k, k, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
}

/**
 * conv2d(x, f tiled per channel, stride 2, padding `pad`) (reference `down`). f: [k, k] or [k, k, 1, 1];
 * `box`: f is the 2x2 box filter ({@link isBoxTaps}), done as an average pool.
 * [N, H, W, C] -> [N, (H + 2 pad - k) / 2 + 1, ..., C].
 */
export function downsample2x(x: tf.Tensor4D, f: tf.Tensor, pad: number, box = false): tf.Tensor4D {
  return tf.tidy(() => {
    if (pad === 0 && box) {
      // tf.avgPool's kernel without the op's trailing Cast to x's dtype (float32 to float32: a kernel call per layer
      // for nothing); the same kernel, value and gradient (tfjs's AvgPool gradient).
      if (x.dtype !== 'float32') return tf.avgPool(x, 2, 2, 'valid');
      const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
      return tf.engine().runKernel(tf.AvgPool, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    }
    const xp = padOrCrop(x, pad, pad, pad, pad);
    return tf.depthwiseConv2d(xp, depthwiseFilter(f, x.shape[3], 1, false), 2, 'valid');
  });
}

/**
 * conv_transpose2d(x, 4 f tiled per channel, stride 2, padding `pad`) (reference `up`); `box`: f is the 2x2
 * box filter ({@link isBoxTaps}), done as nearest-neighbour replication.
 * [N, H, W, C] -> [N, 2 (H - 1) - 2 pad + k, ..., C].
 */
export function upsample2x(x: tf.Tensor4D, f: tf.Tensor, pad: number, box = false): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    // 4 f = ones(2, 2): nearest-neighbour replication, one kernel each way where the backend has them and a
    // gradient that keeps no tensor (@edm/core's upsampleNearest2x).
    if (pad === 0 && box) return upsampleNearest2x(x);
    const k = f.shape[0]!;
    // Zero insertion: x at even positions, a trailing zero row/column included.
    const dilated = tf.reshape(
      tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, 1], [0, 0], [0, 1], [0, 0]]),
      [n, 2 * h, 2 * w, c],
    ) as tf.Tensor4D;
    const lo = k - 1 - pad;
    const xp = padOrCrop(dilated, lo, lo - 1, lo, lo - 1);
    return tf.depthwiseConv2d(xp, depthwiseFilter(f, c, 4, true), 1, 'valid');
  });
}
