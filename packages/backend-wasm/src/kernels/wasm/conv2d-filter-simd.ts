// The filter gradient of a stride-1 convolution in our SIMD module (simd/conv-filter.wat), read in place from x
// (padded once) and dy: no transposed or shifted copies, no product over a padded grid. Serves input and output
// channels that are multiples of 4 (every 3x3 and 1x1 layer of the benchmark DDPM++ U-Nets and the MNIST model but those
// touching the images), where our modules serve the engine (simd/pool.ts).
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, padChannels, roomAfter, type WasmHeapBackend } from './heap';
import type { StrideOnePadding } from './conv2d-filter-shift';
import { CONV_FILTER_WASM } from './simd/conv-filter-wasm';
import { filterGradientAlgorithm, winogradFilterGradient } from './conv2d-winograd';
import { simdRows } from './simd/pool';

/** Pixels per chunk: the rows of x and dy a chunk reads stay in cache while every filter group sums them. */
const CHUNK_PIXELS = 256;

// conv-filter.wat's filterGrad(x, dy, dw, ho, wo, hp, wp, ci, co, kh, kw, rb, rows, planeX, planeDy, planeDw, acc,
// row0, row1): here one plane, overwriting dW.
/** dW [fh, fw, Ci, Co] from x [N,H,W,Ci] and dy [N,Ho,Wo,Co], or null where the module does not take it. */
export function simdFilterGradient(backend: WasmHeapBackend, x: tf.Tensor4D, dy: tf.Tensor4D,
  filterShape: [number, number, number, number], pad: StrideOnePadding): tf.Tensor4D | null {
  const [fh, fw, ci, co] = filterShape;
  if (ci % 4 !== 0 || co % 4 !== 0 || x.dtype !== 'float32' || dy.dtype !== 'float32' || dy.size === 0) return null;
  const run = simdRows(backend.wasm, CONV_FILTER_WASM, 'filterGrad');
  if (!run) return null;
  const [n, ho, wo] = dy.shape;
  const algorithm = filterGradientAlgorithm(n, ho, wo, filterShape);
  if (algorithm !== 'direct') {
    const winograd = winogradFilterGradient(backend, x, dy, filterShape, pad, algorithm);
    if (winograd) return tf.engine().makeTensorFromTensorInfo(winograd) as tf.Tensor4D;
  }
  // A last block of 4 output channels reads 4 floats past dy's end (conv-filter.wat): that must still be heap.
  if (!roomAfter(backend, [dy], 16)) return null;
  return tf.tidy(() => {
    const padded = pad.top || pad.bottom || pad.left || pad.right
      ? tf.pad(x, [[0, 0], [pad.top, pad.bottom], [pad.left, pad.right], [0, 0]]) : x;
    const hp = ho + fh - 1;
    const wp = wo + fw - 1;
    const out = backend.makeOutput(filterShape, 'float32');
    const rb = Math.max(1, Math.floor(CHUNK_PIXELS / wo));
    run([heapOffset(backend, padded), heapOffset(backend, dy), heapOffset(backend, out), ho, wo, hp, wp, ci, co, fh, fw, rb,
      n * ho, 0, 0, 0, 0], (fh * fw * ci) / 4,
      2 * n * ho * wo * fh * fw * ci * co);
    return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
  });
}

/**
 * {@link simdFilterGradient} for channel counts that are not multiples of 4 (the layers that touch the images:
 * 1 or 3 input channels, 1 or 3 output channels): x's and dy's channels zero-padded to the next multiple of 4,
 * dW computed on them (padding in space as the layer's, Winograd where it applies) and its first channels kept. The
 * padded channels only add zero rows and columns to dW. On [16, 28, 28, 12] -> 1 and 1 -> 12 (one thread): 1.7 and
 * 1.0 ms when tf.pad copied x with its spatial padding too and our direct kernel summed, 1.0 and 0.8 ms so.
 */
export function paddedChannelsFilterGradient(backend: WasmHeapBackend, x: tf.Tensor4D, dy: tf.Tensor4D,
  filterShape: [number, number, number, number], pad: StrideOnePadding): tf.Tensor4D | null {
  const [fh, fw, ci, co] = filterShape;
  if ((ci % 4 === 0 && co % 4 === 0) || x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const up4 = (c: number) => Math.ceil(c / 4) * 4;
  const engine = tf.engine();
  const xp = ci % 4 ? engine.makeTensorFromTensorInfo(padChannels(backend, x, up4(ci))) as tf.Tensor4D : x;
  const dyp = co % 4 ? engine.makeTensorFromTensorInfo(padChannels(backend, dy, up4(co))) as tf.Tensor4D : dy;
  try {
    const padded = simdFilterGradient(backend, xp, dyp, [fh, fw, up4(ci), up4(co)], pad);
    if (!padded) return null;
    try {
      return tf.slice(padded, [0, 0, 0, 0], filterShape);
    } finally {
      padded.dispose();
    }
  } finally {
    if (xp !== x) xp.dispose();
    if (dyp !== dy) dyp.dispose();
  }
}
