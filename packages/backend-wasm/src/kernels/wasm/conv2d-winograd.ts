// 3x3 stride-1 convolutions by Winograd's minimal filtering: the filter, the input tiles and the output blocks are
// transformed in our modules, and the channel sums are matrix products [tiles, Ci] x [Ci, Co] in conv.wat (its
// `products` up to MAX_PRODUCTS_DEPTH input channels, batched 1x1 convolutions above), one per tile position:
// F(2x2, 3x3) (simd/winograd.wat, 16 products per 4 outputs, 2.25x fewer operations than the direct convolution)
// and F(4x4, 3x3) (simd/winograd4.wat, 36 per 16 outputs, 4x fewer; convAlgorithm picks). WebAssembly SIMD has 4
// lanes and no fused multiply-add, and our direct kernel runs near the peak that allows (about 16 flops per cycle
// per core here) on many channels: fewer operations is what is left to reach the PyTorch reference's speed; on
// few channels the direct kernel runs far below it, and the transforms' cost is proportional to the channels as
// the direct kernel's overheads are. Serves the forward convolutions and, through conv2d-backprop-input.ts, the
// input gradients of every 3x3 stride-1 layer with channels % 4; and, by the same tiles as F(3x3, 2x2) and
// F(3x3, 4x4), their filter gradients (conv2d-filter-simd.ts). Results differ from the direct sums by float32
// rounding: F(2x2, 3x3)'s coefficients are 0, +-1 and 1/2; F(4x4, 3x3)'s larger ones round more (a 256 -> 256
// layer against the cpu backend: 1.2e-5 of the largest output, against 1.7e-6; the tests' shapes stay within 1e-5).
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, withHeapBlocks, zeroBlock, type WasmHeapBackend } from './heap';
import { CONV_FILTER_WASM } from './simd/conv-filter-wasm';
import { CONV_WASM } from './simd/conv-wasm';
import type { WatBinaries } from './simd/instance';
import { WINOGRAD_WASM } from './simd/winograd-wasm';
import { WINOGRAD4_WASM } from './simd/winograd4-wasm';
import { simdRows, type RowRun } from './simd/pool';

/** How a stride-1 convolution (or input gradient) is computed: our direct kernel or one of the two algorithms. */
export type ConvAlgorithm = 'direct' | 'winograd2' | 'winograd4';


/**
 * Depths (input channels) up to which the channel sums run in conv.wat's `products` (planes of [tiles, Ci] x
 * [Ci, Co], no per-block taps or rows to step through): 1.15-1.6x conv's convolution on 12-48 channels, the same
 * at 64; deeper ones run as conv's 1x1 convolutions in input-channel blocks (PRODUCT_CHANNEL_BLOCK), which keep
 * the filter block in L1 (products 0.94x at 256).
 */
export const MAX_PRODUCTS_DEPTH = 128;

/**
 * Input channels per block of the 16 products: a 1x1 filter block of 256 x 8 floats is 8 KiB. Measured on a
 * 1x1 256 -> 256 convolution in rows of 32 pixels: 46 GFLOP/s on one thread, against 42 in blocks of 64.
 */
const PRODUCT_CHANNEL_BLOCK = 256;

/**
 * Tiles per row of the products, which are 1x1 convolutions over rows: whole tile rows, merged up to this width
 * where images are small (a 8x8 image has rows of 4 tiles; each row reloads the accumulators per channel block).
 */
const PRODUCT_WIDTH = 32;

/** The largest divisor of n that is at most `most` (at least 1). */
function largestDivisorAtMost(n: number, most: number): number {
  for (let d = Math.min(n, most); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

/** Bytes of the larger of the input and output tile buffers per chunk of tile rows (tests lower it). */
let chunkBytes = 8 << 20;

/** Sets the tile buffers' size per chunk (tests: several chunks on small tensors); returns the previous. */
export function setWinogradChunkBytes(bytes: number): number {
  const previous = chunkBytes;
  chunkBytes = bytes;
  return previous;
}

/** Convolutions and filter gradients the Winograd path served in this process (tests check the path taken). */
export const winogradStats = { calls: 0, f4x4Calls: 0, filterCalls: 0, f4x4FilterCalls: 0 };

/** Whether the Winograd transforms can take a stride-1 filter of this shape [fh, fw, Ci, Co]: 3x3, channels % 4. */
function winogradShape([fh, fw, ci, co]: readonly number[]): boolean {
  return fh === 3 && fw === 3 && ci! % 4 === 0 && co! % 4 === 0;
}

/** Whether a Winograd algorithm computes a stride-1 convolution of this geometry (simdConvGeometry accepted it). */
export function winogradApplies(info: tf.backend_util.Conv2DInfo): boolean {
  return convAlgorithm(info) !== 'direct';
}

/** Tile rows of a [N, Ho, Wo] output in `block` x `block` blocks, and how many go in one chunk of tile buffers. */
function tileRows(n: number, ho: number, wo: number, block: number, planes: number, channels: number) {
  const th = Math.ceil(ho / block);
  const tw = Math.ceil(wo / block);
  const rows = n * th;
  const perChunk = Math.max(1, Math.min(rows, Math.floor(chunkBytes / (planes * 4 * tw * channels))));
  return { th, tw, rows, perChunk };
}

/** One of the two minimal filtering algorithms: output blocks of `block` x `block`, (block + 2)^2 planes. */
interface Algorithm {
  binaries: WatBinaries;
  block: number;
  planes: number;
}

/** F(2x2, 3x3) (simd/winograd.wat): 16 products per 4 outputs. */
const F2X2: Algorithm = { binaries: WINOGRAD_WASM, block: 2, planes: 16 };
/** F(4x4, 3x3) (simd/winograd4.wat): 36 products per 16 outputs. */
const F4X4: Algorithm = { binaries: WINOGRAD4_WASM, block: 4, planes: 36 };

/**
 * Output pixels (N x Ho x Wo) from which F(4x4, 3x3) serves where its filter tiles are large: their 36 planes of
 * Ci x Co, written by the filter transform and read back by every row of products, cost more than the products
 * save on few pixels. Measured on 256 channels, 2 threads, against F(2x2, 3x3): 8x32x32 1.35-1.4x, 8x16x16
 * 1.36x, 1x32x32 the same, 1x16x16 0.67x, 1x8x8 0.37x.
 */
const MIN_F4X4_PIXELS = 2048;

/**
 * Bytes of F(4x4, 3x3)'s filter tiles (36 Ci Co floats) up to which they stay in cache (L2) and it serves on any
 * number of pixels: on 4-48 channels it was the faster algorithm at batch 1 as at 16 and 32 (1x28x28, 12 -> 12:
 * 0.077 against 0.108 ms; 32x7x7, 96 -> 48: 3.3 against 4.8 ms; packages/bench conv-shapes, one thread).
 */
const F4X4_CACHED_FILTER_BYTES = 1 << 20;

/**
 * How much more output F(4x4, 3x3) may compute than F(2x2, 3x3) (whole 4x4 against 2x2 blocks over each image)
 * and still serve: on 14x14 images (16x16 computed, against 14x14) F(2x2, 3x3) was faster on 12-48 channels
 * (16x14x14, 24 -> 24: 0.76 against 0.97 ms), on 28x28 and 7x7 (8x8 for both) F(4x4, 3x3) (0.31 against 0.43).
 */
const MAX_F4X4_EXCESS = 1.1;

let forced: ConvAlgorithm | null = null;

/**
 * Forces one algorithm for every convolution the Winograd paths can take (3x3, channels % 4; tests and
 * benchmarks: all on the same shapes), or null: by the shape (convAlgorithm). The filter gradient follows:
 * 'direct' turns its Winograd path off, either Winograd turns it on.
 */
export function forceConvAlgorithm(algorithm: ConvAlgorithm | null): void {
  forced = algorithm;
}

/**
 * The algorithm for a stride-1 convolution (or input gradient) of this geometry: a Winograd algorithm wherever the
 * transforms take the shape (3x3, channels % 4), which on every shape measured, 4 to 256 channels, batch 1 to 32,
 * was faster than the direct kernel (16x28x28, 12 -> 12: F(4x4, 3x3) 1.2 ms, direct 2.8 ms; 4 -> 4: 0.24 against
 * 0.92; 1x7x7, 24 -> 24: 0.021 against 0.032; packages/bench conv-shapes, one thread); F(4x4, 3x3) where its
 * filter tiles stay in cache or on enough pixels, unless its blocks overshoot the images by more than
 * MAX_F4X4_EXCESS of F(2x2, 3x3)'s.
 */
export function convAlgorithm(info: tf.backend_util.Conv2DInfo): ConvAlgorithm {
  const { batchSize: n, outHeight: ho, outWidth: wo, inChannels: ci, outChannels: co } = info;
  return algorithmFor(n, ho, wo, [info.filterHeight, info.filterWidth, ci, co]);
}

/** {@link convAlgorithm} from the output's batch and size and the filter's shape [fh, fw, Ci, Co]. */
function algorithmFor(n: number, ho: number, wo: number, filterShape: readonly number[]): ConvAlgorithm {
  const [, , ci, co] = filterShape as [number, number, number, number];
  if (!winogradShape(filterShape)) return 'direct';
  if (forced) return forced;
  const computed = (block: number) => Math.ceil(ho / block) * Math.ceil(wo / block) * block * block;
  const f4x4 = (n * ho * wo >= MIN_F4X4_PIXELS || 36 * 4 * ci * co <= F4X4_CACHED_FILTER_BYTES) &&
    computed(4) <= MAX_F4X4_EXCESS * computed(2);
  return f4x4 ? 'winograd4' : 'winograd2';
}

const ALGORITHMS: Record<Exclude<ConvAlgorithm, 'direct'>, Algorithm> = { winograd2: F2X2, winograd4: F4X4 };

/**
 * y = conv(x, filter) (+ bias) for a geometry {@link winogradApplies} accepted, with `gemm` conv.wat's
 * convolution; null where our module does not serve this engine or the heap cannot hold the tile buffers (the
 * caller's direct convolution then does it).
 */
export function winogradConv(backend: WasmHeapBackend, gemm: RowRun, x: tf.TensorInfo, filter: tf.TensorInfo,
  bias: tf.TensorInfo | null, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const algorithm = convAlgorithm(info);
  const { binaries, block, planes } = ALGORITHMS[algorithm === 'direct' ? 'winograd2' : algorithm];
  const filterTiles = simdRows(backend.wasm, binaries, 'filterTiles');
  const inputTiles = simdRows(backend.wasm, binaries, 'inputTiles');
  const outputTiles = simdRows(backend.wasm, binaries, 'outputTiles');
  const { batchSize: n, outHeight: ho, outWidth: wo, inChannels: ci, outChannels: co, padInfo } = info;
  const products = ci <= MAX_PRODUCTS_DEPTH ? simdRows(backend.wasm, CONV_WASM, 'products') : null;
  if (!filterTiles || !inputTiles || !outputTiles || (ci <= MAX_PRODUCTS_DEPTH && !products)) return null;
  const { th, tw, rows: tileCount, perChunk } = tileRows(n, ho, wo, block, planes, Math.max(ci, co));
  // The zero block read as padding: inputs past the image, product pixels past a row's end.
  const zeros = zeroBlock(backend, Math.max(ci, PRODUCT_CHANNEL_BLOCK));
  if (zeros === null) return null;
  // Tiles per plane of V and M: `products` takes blocks of 4 tiles, so its planes are padded to a multiple of 4
  // (the tiles past a chunk's last are computed from whatever V holds there and never read back).
  const stride = (tiles: number) => (products ? Math.ceil(tiles / 4) * 4 : tiles);
  // U [planes, Ci, Co] (+ 16 bytes: conv.wat reads 4 floats past a filter's last row where Co % 8 == 4), V and M
  // of one chunk.
  const sizes = [planes * 4 * ci * co + 16, planes * 4 * stride(perChunk * tw) * ci, planes * 4 * stride(perChunk * tw) * co];
  return withHeapBlocks(backend, sizes, ([u, v, m]) => {
    const out = backend.makeOutput([n, ho, wo, co], 'float32');
    const [px, py, pb] = [heapOffset(backend, x), heapOffset(backend, out), bias ? heapOffset(backend, bias) : 0];
    filterTiles([heapOffset(backend, filter), u!, ci, co], ci, 4 * planes * ci * co);
    for (let rowBase = 0; rowBase < tileCount; rowBase += perChunk) {
      const rows = Math.min(perChunk, tileCount - rowBase);
      const plane = stride(rows * tw);
      inputTiles([px, v!, info.inHeight, info.inWidth, ci, padInfo.top, padInfo.left, th, tw, plane, rowBase, zeros],
        rows, 4 * planes * plane * ci);
      if (products) {
        // M[k] = V[k] U[k] for each plane k, in blocks of 4 tiles.
        products([v!, u!, 0, m!, plane / 4, ci, co, 4 * plane * ci, 4 * ci * co, 4 * plane * co], planes * (plane / 4),
          2 * planes * plane * ci * co);
      } else {
        // Plane k as image k of a 1x1 convolution with its own filter U[k] (4 Ci Co bytes apart), in rows of up
        // to PRODUCT_WIDTH tiles (whole tile rows).
        const width = tw * largestDivisorAtMost(rows, Math.max(1, Math.floor(PRODUCT_WIDTH / tw)));
        const productRows = plane / width;
        gemm([v!, u!, 0, m!, productRows, width, ci, co, productRows, width, 0, 0, 1, 1, PRODUCT_CHANNEL_BLOCK,
          4 * ci * co, zeros], planes * productRows, 2 * planes * plane * ci * co);
      }
      outputTiles([m!, py, pb, ho, wo, co, th, tw, plane, rowBase], rows, 2 * planes * plane * co);
    }
    winogradStats.calls++;
    if (block === 4) winogradStats.f4x4Calls++;
    return out;
  });
}

/** Output pixels per chunk of the tile products (their rows of V and E stay in cache while every group sums them). */
const FILTER_CHUNK_PIXELS = 256;

/**
 * The algorithm for the filter gradient of a stride-1 convolution with this output (N, Ho, Wo) and filter shape:
 * the tiles of the convolution's own algorithm (convAlgorithm), F(4x4, 3x3)'s as F(3x3, 4x4) and F(2x2, 3x3)'s as
 * F(3x3, 2x2), or 'direct' (forced, or not 3x3 with channels % 4). On 4-256 channels F(3x3, 2x2) was as fast as
 * our direct filter gradient or faster (16x28x28, 24 -> 24: 5.0 against 7.2 ms). Measured on the mnist preset's
 * shapes (one thread, packages/bench conv-shapes): F(3x3, 4x4) 1.14-1.5x F(3x3, 2x2) where convAlgorithm picks
 * F(4x4, 3x3) (16x28x28, 24 -> 24: 3.4 against 4.8 ms; 16x7x7, 48 -> 24: 0.72 against 1.08), F(3x3, 2x2)
 * 1.15-1.25x on 14x14, where 4x4 blocks overshoot the image as they do for the convolution (16x14x14, 24 -> 24:
 * 1.33 against 1.66).
 */
export function filterGradientAlgorithm(n: number, ho: number, wo: number, filterShape: readonly number[]): ConvAlgorithm {
  return algorithmFor(n, ho, wo, filterShape);
}

/**
 * dW [3, 3, Ci, Co] of a stride-1 convolution from x [N, H, W, Ci] and dy [N, Ho, Wo, Co] (padding at the top and
 * left: the rest follows from the shapes) by F(3x3, 2x2) (simd/winograd.wat) or F(3x3, 4x4) (simd/winograd4.wat):
 * x's tiles as for the convolution, dy's 2x2 or 4x4 blocks transformed, 16 or 36 products summed over tiles in
 * conv-filter.wat (one plane per tile position, chunks adding to the sums), then the output transform. Null where
 * our modules do not serve this engine or the heap cannot hold the buffers.
 */
export function winogradFilterGradient(backend: WasmHeapBackend, x: tf.TensorInfo, dy: tf.TensorInfo,
  filterShape: readonly [number, number, number, number], pad: { top: number; left: number },
  algorithm: Exclude<ConvAlgorithm, 'direct'> = 'winograd2'): tf.TensorInfo | null {
  const { binaries, block, planes } = ALGORITHMS[algorithm];
  const inputTiles = simdRows(backend.wasm, binaries, 'inputTiles');
  const gradTiles = simdRows(backend.wasm, binaries, 'gradTiles');
  const filterFromTiles = simdRows(backend.wasm, binaries, 'filterFromTiles');
  const products = simdRows(backend.wasm, CONV_FILTER_WASM, 'filterGrad');
  if (!inputTiles || !gradTiles || !filterFromTiles || !products) return null;
  const [, , ci, co] = filterShape;
  const [n, h, w] = x.shape as [number, number, number, number];
  const [, ho, wo] = dy.shape as [number, number, number, number];
  const { th, tw, rows: tileCount, perChunk } = tileRows(n, ho, wo, block, planes, Math.max(ci, co));
  // The zero block: x's padding, dy past its last row or column.
  const zeros = zeroBlock(backend, Math.max(ci, co));
  if (zeros === null) return null;
  // S [planes, Ci, Co], V and E of one chunk (+ 16 bytes: the products read 4 floats past E where Co % 8 == 4).
  const sizes = [planes * 4 * ci * co, planes * 4 * perChunk * tw * ci, planes * 4 * perChunk * tw * co + 16];
  return withHeapBlocks(backend, sizes, ([sums, v, e]) => {
    const out = backend.makeOutput([...filterShape], 'float32');
    const [px, pdy] = [heapOffset(backend, x), heapOffset(backend, dy)];
    for (let rowBase = 0; rowBase < tileCount; rowBase += perChunk) {
      const rows = Math.min(perChunk, tileCount - rowBase);
      const plane = rows * tw;
      inputTiles([px, v!, h, w, ci, pad.top, pad.left, th, tw, plane, rowBase, zeros], rows, 4 * planes * plane * ci);
      gradTiles([pdy, e!, ho, wo, co, th, tw, plane, rowBase, zeros], rows, 2 * planes * plane * co);
      // S[k] (+)= V[k]^T E[k]: plane k as a 1x1 filter gradient over its rows x tw tiles, contiguous, so tile rows
      // merge into rows of up to FILTER_CHUNK_PIXELS tiles, one chunk each: conv-filter.wat works out each row's
      // address once (divisions included) and then steps through its pixels, so rows of a few tiles (2 at 7x7,
      // F(3x3, 4x4)) spent more on that than on their sums. Its 4-channel groups split over threads.
      const merged = largestDivisorAtMost(rows, Math.max(1, Math.floor(FILTER_CHUNK_PIXELS / tw)));
      const [productRows, width] = [rows / merged, tw * merged];
      products([v!, e!, sums!, productRows, width, productRows, width, ci, co, 1, 1, 1, productRows, 4 * plane * ci,
        4 * plane * co, 4 * ci * co, rowBase > 0 ? 1 : 0], planes * (ci / 4), 2 * planes * plane * ci * co);
    }
    filterFromTiles([sums!, heapOffset(backend, out), ci, co], ci, 3 * planes * ci * co);
    winogradStats.filterCalls++;
    if (block === 4) winogradStats.f4x4FilterCalls++;
    return out;
  });
}
