// Conv2D and FusedConv2D (bias, linear activation) for wasm in our SIMD module (simd/conv.wat), where the
// shape suits it: stride 1, no dilation, NHWC float32, output channels a multiple of 4 (every 3x3 and 1x1
// convolution of the benchmark DDPM++ U-Nets and the MNIST model but the 3- and 1-channel output layers), where our
// modules serve the engine (simd/pool.ts: tfjs's single-threaded build, and the threaded one with the threads
// given to our kernels, split over rows). Against tfjs's XNNPACK convolution on one thread: 1.55x on 256
// channels (41 against 27 GFLOP/s), 2.8x on 1x1, the same on 32-128 channels; split over 2 threads about 1.9x
// that. The input gradient (conv2d of dy with the flipped filter, conv2d-backprop-input.ts) comes here too, and
// so do matrix products (simdMatMul: deep ones on one thread, 1.1-1.4x; every size, batched, on threads). 3x3
// layers with channels % 4 go on to a Winograd algorithm (conv2d-winograd.ts), faster on every shape measured.
// Everything else goes to the kernel it wraps.
import * as tf from '@tensorflow/tfjs-core';
import { heapMemory, heapOffset, padChannels, roomAfter, zeroBlock, type WasmHeapBackend } from './heap';
import { isSharedMemory } from './simd/instance';
import { CONV_WASM } from './simd/conv-wasm';
import { simdRows, type RowRun } from './simd/pool';
import { sliceFromHeap } from './slice';
import { MAX_PRODUCTS_DEPTH, winogradApplies, winogradConv } from './conv2d-winograd';

/**
 * On the calling thread alone, matrix products take our module only from this depth k on (below it XNNPACK on
 * one thread measured as fast or faster); on threads, every depth (XNNPACK keeps one thread there).
 */
const MIN_MATMUL_DEPTH = 512;

// conv.wat's conv(x, w, bias, y, ho, wo, ci, co, h, w, top, left, kh, kw, cb, ws, zeros, row0, row1): heap byte
// offsets (bias 0 for none), the geometry (input height and width, padding at the top and left), the channel
// block, the bytes between images' filters (0: one filter), a block of cb zero floats (read as padding; products
// never read it) and the output rows [row0, row1) of the flattened [N * Ho] axis.

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

/** The geometry of a stride-1, undilated NHWC float32 convolution with non-negative padding, else null. */
function strideOneGeometry(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: ConvAttrs): tf.backend_util.Conv2DInfo | null {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4) return null;
  if (attrs.dataFormat !== 'NHWC') return null;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number], attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode);
  const { padInfo } = info;
  const ok = info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 &&
    info.outWidth > 0 && info.outHeight > 0 && info.inChannels > 0 && info.outChannels > 0 && info.batchSize > 0 &&
    padInfo.top >= 0 && padInfo.left >= 0 && padInfo.bottom >= 0 && padInfo.right >= 0;
  return ok ? info : null;
}

/**
 * The convolution's geometry where our kernels compute it (output channels % 4; input channels % 4 or a 1x1
 * filter), else null (the wrapped kernel does). XNNPACK takes the 3x3 layers reading 1 or 3 channels (the images):
 * with 3 taps' worth of sums per tap row our direct kernel ran at a third of its speed (16x28x28, 1 -> 12: 0.90
 * against XNNPACK's 0.32 ms; 8x32x32, 3 -> 128: 3.5 against 2.9), and zero-padding them to 4 channels for the
 * Winograd path cost more in the copy (tfjs's PadV2: 0.38 ms for [16, 28, 28, 1] -> 4 channels) than it saved.
 */
export function simdConvGeometry(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: ConvAttrs): tf.backend_util.Conv2DInfo | null {
  const info = strideOneGeometry(x, filter, attrs);
  if (!info || info.outChannels % 4 !== 0) return null;
  return info.inChannels % 4 === 0 || (info.filterHeight === 1 && info.filterWidth === 1) ? info : null;
}

/** Bytes past a tensor's end that conv.wat may read (never write): a last block of 4 output channels reads 4
 * floats past the filter's and the bias's last row. */
const OVER_READ = 16;

/**
 * y = conv(x, filter) (+ bias) on the heap, for a geometry {@link simdConvGeometry} accepted, padding read as
 * zeros in place (no padded copy); null in the rare case where the filter or bias ends so close to the heap's
 * end that conv.wat's reads past it would leave the heap, or the heap cannot hold the zero block (the caller's
 * kernel then does it).
 */
export function simdConv(backend: WasmHeapBackend, simd: RowRun, x: tf.TensorInfo, filter: tf.TensorInfo,
  bias: tf.TensorInfo | null, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const { batchSize: n, outHeight: ho, outWidth: wo, inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw, padInfo } = info;
  if (winogradApplies(info)) {
    const out = winogradConv(backend, simd, x, filter, bias, info);
    if (out) return out;
  }
  if (!roomAfter(backend, [filter, bias], OVER_READ)) return null;
  const pixels = n * ho * wo;
  const products = kh === 1 && kw === 1 && ho === info.inHeight && wo === info.inWidth && pixels % 4 === 0 &&
    ci <= MAX_PRODUCTS_DEPTH ? simdRows(backend.wasm, CONV_WASM, 'products') : null;
  if (products) {
    // An unpadded 1x1 convolution is one product [pixels, Ci] x [Ci, Co]: conv.wat's products, which do not step
    // through taps and rows per block of outputs (36 -> 12 at 16x28x28: 1.7 -> 0.6 ms).
    const out = backend.makeOutput([n, ho, wo, co], 'float32');
    products([heapOffset(backend, x), heapOffset(backend, filter), bias ? heapOffset(backend, bias) : 0, heapOffset(backend, out),
      pixels / 4, ci, co, 0, 0, 0], pixels / 4, 2 * pixels * ci * co);
    return out;
  }
  // CHANNEL_BLOCK zero floats: what conv.wat reads for padding at a row's edges.
  const zeros = zeroBlock(backend, CHANNEL_BLOCK);
  if (zeros === null) return null;
  const out = backend.makeOutput([n, ho, wo, co], 'float32');
  simd([heapOffset(backend, x), heapOffset(backend, filter), bias ? heapOffset(backend, bias) : 0, heapOffset(backend, out),
    ho, wo, ci, co, info.inHeight, info.inWidth, padInfo.top, padInfo.left, kh, kw, CHANNEL_BLOCK, 0, zeros],
  n * ho, 2 * n * ho * wo * kh * kw * ci * co);
  return out;
}

/** Our convolution where it serves this engine (simd/pool.ts): its arguments but the row range. */
function convModule(backend: WasmHeapBackend): RowRun | null {
  return simdRows(backend.wasm, CONV_WASM, 'conv');
}

/** Batch sizes of a product's two operands (one of them 1, or both equal). */
export interface ProductBatch {
  a: number;
  b: number;
}

/**
 * a [batchA, m, k] x b [batchB, k, n] -> [batch, m, n] (float32, row-major, no transposes; a side with batch 1
 * is broadcast) as 1x1 convolutions, or null where the module does not take it (n % 4, no SIMD, a single
 * product of depth below MIN_MATMUL_DEPTH on the calling thread alone, unless `anyDepth`): the caller's kernel
 * does it. Where
 * m % 4 == 0 each entry is m / 4 rows of 4 pixels (rows to split over threads even for one product); else one
 * row of m pixels, whose last quad conv.wat computes whole, reading the zero block for the pixels past the row's
 * end, and stores in part. The output has shape [batch * m, n]: the caller gives it its own.
 */
export function simdMatMul(backend: WasmHeapBackend, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number,
  batch: ProductBatch = { a: 1, b: 1 }, anyDepth = false): tf.TensorInfo | null {
  if (n % 4 !== 0 || m === 0 || k === 0 || n === 0 || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const entries = Math.max(batch.a, batch.b);
  if (entries === 1 && !anyDepth && k < MIN_MATMUL_DEPTH && !isSharedMemory(heapMemory(backend.wasm))) return null;
  const simd = convModule(backend);
  if (!simd || !roomAfter(backend, [b], OVER_READ)) return null;
  const zeros = m % 4 === 0 ? 0 : zeroBlock(backend, CHANNEL_BLOCK);
  if (zeros === null) return null;
  const out = backend.makeOutput([entries * m, n], 'float32');
  const [pa, pb, py] = [heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out)];
  // Entry i: rows [i * rows, (i + 1) * rows) of one call, its own b at pb + i * 4kn bytes (0: broadcast). A
  // broadcast a: one call per entry.
  const width = m % 4 === 0 ? 4 : m;
  const rows = m / width;
  const bStride = batch.b === 1 ? 0 : 4 * k * n;
  if (batch.a === entries) {
    simd([pa, pb, 0, py, rows, width, k, n, rows, width, 0, 0, 1, 1, CHANNEL_BLOCK, bStride, zeros], entries * rows,
      2 * entries * m * k * n);
  } else {
    for (let i = 0; i < entries; i++) {
      simd([pa, pb + i * bStride, 0, py + 4 * i * m * n, rows, width, k, n, rows, width, 0, 0, 1, 1, CHANNEL_BLOCK, 0, zeros],
        rows, 2 * m * k * n);
    }
  }
  return out;
}

/** Convolutions computed on output channels padded to a multiple of 4 in this process (tests check the path). */
export const convStats = { paddedOutput: 0 };

/**
 * A convolution whose output channels are not a multiple of 4 (the U-Nets' last layer, to 1 or 3 image channels),
 * computed by ours on the filter and bias zero-padded to the next multiple of 4 and the output's extra channels
 * dropped; null where ours would not take the padded call either. 16x28x28, 12 -> 1 with a bias: 1.5 ms in XNNPACK,
 * 1.05 ms so (one thread).
 */
function paddedOutputConv(backend: WasmHeapBackend, simd: RowRun, x: tf.TensorInfo, filter: tf.TensorInfo,
  bias: tf.TensorInfo | null, attrs: ConvAttrs): tf.TensorInfo | null {
  const co = filter.shape[3]!;
  const co4 = Math.ceil(co / 4) * 4;
  if (co % 4 === 0 || filter.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return null;
  const padded = padChannels(backend, filter, co4);
  const paddedBias = bias ? padChannels(backend, bias, co4) : null;
  const temporaries = paddedBias ? [padded, paddedBias] : [padded];
  const kernelBackend = backend as unknown as tf.KernelBackend;
  try {
    const info = simdConvGeometry(x, padded, attrs);
    if (!info) return null;
    const wide = simdConv(backend, simd, x, padded, paddedBias, info);
    if (!wide) return null;
    convStats.paddedOutput++;
    temporaries.push(wide);
    const [n, ho, wo] = wide.shape as [number, number, number, number];
    return sliceFromHeap(wide, [0, 0, 0, 0], [n, ho, wo, co], backend);
  } finally {
    for (const t of temporaries) kernelBackend.disposeData(t.dataId);
  }
}

/** Wraps wasm's Conv2D: ours where {@link simdConvGeometry} accepts the call. */
export function simdConv2d(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmHeapBackend;
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs;
    const simd = convModule(backend);
    const info = simd ? simdConvGeometry(x, filter, attrs) : null;
    if (!info || !simd) return (simd && paddedOutputConv(backend, simd, x, filter, null, attrs)) || original(args);
    return simdConv(backend, simd, x, filter, null, info) ?? original(args);
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
    const co = filter.shape[3]!;
    if (!simd || (bias && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== co))) return original(args);
    if (!info) return paddedOutputConv(backend, simd, x, filter, bias ?? null, attrs) ?? original(args);
    return simdConv(backend, simd, x, filter, bias ?? null, info) ?? original(args);
  };
}
