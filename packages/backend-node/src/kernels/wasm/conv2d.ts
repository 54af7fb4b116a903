// Conv2D and FusedConv2D (bias, linear activation) for wasm in our SIMD module (simd/conv.wat), where the
// shape suits it: stride 1, no dilation, NHWC float32, output width a multiple of 4 and output channels a
// multiple of 8 (every 3x3 and 1x1 convolution of the issue-8 U-Nets but the 3-channel output layer), on
// tfjs's single-threaded build (the default engine). Against tfjs's XNNPACK convolution on this machine: 1.55x
// on 256 channels (41 against 27 GFLOP/s), 2.8x on 1x1, the same on 32-128 channels. The input gradient
// (conv2d of dy with the flipped filter, conv2d-backprop-input.ts) comes here too, and so do deep matrix
// products (simdMatMul: the filter gradient's shifted-row product, 1.1-1.4x). Everything else goes to the
// kernel it wraps.
import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from '../geometry';
import { heapMemory, heapOffset, type WasmHeapBackend } from './heap';
import { CONV_WASM } from './simd/conv-wasm';
import { isSharedMemory, simdInstance } from './simd/instance';

/** Matrix products take our module only from this depth k on (below it XNNPACK measured as fast or faster). */
const MIN_MATMUL_DEPTH = 512;

interface ConvExports extends WebAssembly.Exports {
  conv(x: number, w: number, bias: number, y: number, ho: number, wo: number, ci: number, co: number, hp: number,
    wp: number, kh: number, kw: number, cb: number, row0: number, row1: number): void;
}

/**
 * Input channels per block: the filter rows a block reads (3x3: 9 x 64 x 8 floats, 18 KiB) stay in L1.
 * Measured on 256 channels: blocks of 64 41 GFLOP/s, of 128 or 256 (none) 27; of 32, 39.
 */
const CHANNEL_BLOCK = 64;

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

/** The convolution's geometry where simd/conv.wat computes it, else null (the wrapped kernel does). */
export function simdConvGeometry(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: ConvAttrs): tf.backend_util.Conv2DInfo | null {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4) return null;
  if (attrs.dataFormat !== 'NHWC') return null;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number], attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode);
  const { padInfo } = info;
  const ok = info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 &&
    info.outWidth % 4 === 0 && info.outChannels % 8 === 0 && info.outHeight > 0 && info.inChannels > 0 && info.batchSize > 0 &&
    padInfo.top >= 0 && padInfo.left >= 0 && padInfo.bottom >= 0 && padInfo.right >= 0;
  return ok ? info : null;
}

/** y = conv(x, filter) (+ bias) on the heap, for a geometry {@link simdConvGeometry} accepted. */
export function simdConv(backend: WasmHeapBackend, simd: ConvExports, x: tf.TensorInfo, filter: tf.TensorInfo,
  bias: tf.TensorInfo | null, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize: n, outHeight: ho, outWidth: wo, inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw, padInfo } = info;
  const hp = ho + kh - 1;
  const wp = wo + kw - 1;
  const unpadded = hp === info.inHeight && wp === info.inWidth && padInfo.top === 0 && padInfo.left === 0;
  const padded = unpadded ? null : tf.tidy(() => tf.pad(asTensor(x),
    [[0, 0], [padInfo.top, hp - info.inHeight - padInfo.top], [padInfo.left, wp - info.inWidth - padInfo.left], [0, 0]]));
  const out = backend.makeOutput([n, ho, wo, co], 'float32');
  simd.conv(heapOffset(backend, padded ?? x), heapOffset(backend, filter), bias ? heapOffset(backend, bias) : 0,
    heapOffset(backend, out), ho, wo, ci, co, hp, wp, kh, kw, CHANNEL_BLOCK, 0, n * ho);
  padded?.dispose();
  return out;
}

/**
 * Our module's exports where it serves this backend: tfjs's single-threaded build. On the threaded build
 * XNNPACK spreads a convolution over its threads; ours, split over worker_threads of our own, measured as fast
 * alone but slower inside a training step, where tfjs's pthreads spin after each XNNPACK call and take the
 * second core (docs/performance.md).
 */
function convModule(backend: WasmHeapBackend): ConvExports | null {
  if (isSharedMemory(heapMemory(backend.wasm))) return null;
  return simdInstance<ConvExports>(backend.wasm, CONV_WASM);
}

/**
 * a [m, k] x b [k, n] (float32, row-major, no transposes) as a 1x1 convolution of m / 4 rows of 4 pixels, or
 * null where the module does not take it (m % 4, n % 8, no SIMD): the caller's kernel does it.
 */
export function simdMatMul(backend: WasmHeapBackend, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number): tf.TensorInfo | null {
  if (m % 4 !== 0 || n % 8 !== 0 || m === 0 || k < MIN_MATMUL_DEPTH || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const simd = convModule(backend);
  if (!simd) return null;
  const out = backend.makeOutput([m, n], 'float32');
  const rows = m / 4;
  simd.conv(heapOffset(backend, a), heapOffset(backend, b), 0, heapOffset(backend, out), rows, 4, k, n, rows, 4, 1, 1,
    CHANNEL_BLOCK, 0, rows);
  return out;
}

/** Wraps wasm's Conv2D: ours where {@link simdConvGeometry} accepts the call. */
export function simdConv2d(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmHeapBackend;
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const simd = convModule(backend);
    const info = simd ? simdConvGeometry(x, filter, args.attrs as unknown as ConvAttrs) : null;
    if (!info || !simd) return original(args);
    return simdConv(backend, simd, x, filter, null, info);
  };
}

/** Wraps wasm's FusedConv2D: ours for a linear activation with a per-channel bias (or none). */
export function simdFusedConv2d(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmHeapBackend;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!x || !filter || preluActivationWeights || (attrs.activation ?? 'linear') !== 'linear') return original(args);
    const simd = convModule(backend);
    const info = simd ? simdConvGeometry(x, filter, attrs) : null;
    if (!simd || !info || (bias && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== info.outChannels))) {
      return original(args);
    }
    return simdConv(backend, simd, x, filter, bias ?? null, info);
  };
}
