// 3x3 stride-1 convolutions by Winograd's minimal filtering: the filter, the input tiles and the output blocks are
// transformed in our modules, and the channel sums are matrix products [tiles, Ci] x [Ci, Co] in conv.wat (batched
// 1x1 convolutions), one per tile position: F(2x2, 3x3) (simd/winograd.wat, 16 products per 4 outputs, 2.25x fewer
// operations than the direct convolution) and, on enough pixels, F(4x4, 3x3) (simd/winograd4.wat, 36 per 16
// outputs, 4x fewer). WebAssembly SIMD has 4 lanes and no fused multiply-add, and our direct kernel runs near the
// peak that allows (about 16 flops per cycle per core here): fewer operations is what is left to reach the PyTorch
// reference's speed. Serves the forward convolutions and, through conv2d-backprop-input.ts, the input gradients of
// the 3x3 layers with enough channels; and, by F(2x2, 3x3)'s tiles as F(3x3, 2x2), their filter gradients
// (conv2d-filter-simd.ts). Results differ from the direct sums by float32 rounding: F(2x2, 3x3)'s coefficients are
// 0, +-1 and 1/2; F(4x4, 3x3)'s larger ones round more (a 256 -> 256 layer against the cpu backend: 1.2e-5 of the
// largest output, against 1.7e-6; the tests' shapes stay within 1e-5).
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, withHeapBlocks, zeroBlock, type WasmHeapBackend } from './heap';
import { CONV_FILTER_WASM } from './simd/conv-filter-wasm';
import type { WatBinaries } from './simd/instance';
import { WINOGRAD_WASM } from './simd/winograd-wasm';
import { WINOGRAD4_WASM } from './simd/winograd4-wasm';
import { simdRows, type RowRun } from './simd/pool';

/**
 * Input channels from which the Winograd path serves; below, the direct convolution does, as fast or faster on
 * 2 threads (the transforms' memory traffic and extra calls outweigh the saved products): 8x32x32, 32 -> 32
 * channels 0.85-1.0x, 16 channels 0.85x, the MNIST model's 24 channels 0.8-0.9x; 64 -> 64 at 16x16 1.4x.
 */
export const MIN_WINOGRAD_CHANNELS = 64;

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
export const winogradStats = { calls: 0, f4x4Calls: 0, filterCalls: 0 };

/**
 * Whether the Winograd paths take a stride-1 filter of this shape [fh, fw, Ci, Co] (convolution, input gradient
 * as a convolution, filter gradient): 3x3, channels % 4, at least MIN_WINOGRAD_CHANNELS input channels.
 */
export function winogradFilterApplies([fh, fw, ci, co]: readonly number[]): boolean {
  return fh === 3 && fw === 3 && ci! % 4 === 0 && ci! >= MIN_WINOGRAD_CHANNELS && co! % 4 === 0;
}

/** Whether the Winograd path takes a stride-1 convolution of this geometry (simdConvGeometry accepted it). */
export function winogradApplies(info: tf.backend_util.Conv2DInfo): boolean {
  return winogradFilterApplies([info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
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
 * Output pixels (N x Ho x Wo) from which F(4x4, 3x3) serves: its filter transform (36 planes of Ci x Co) costs
 * more than it saves on few pixels. Measured on 256 channels, 2 threads, against F(2x2, 3x3): 8x32x32 1.35-1.4x,
 * 8x16x16 1.36x, 1x32x32 the same, 1x16x16 0.67x, 1x8x8 0.37x.
 */
const MIN_F4X4_PIXELS = 2048;

let forcedBlock: 2 | 4 | null = null;

/** Forces one algorithm by its output block (tests: both on the same shapes), or null: by output pixels. */
export function forceWinogradBlock(block: 2 | 4 | null): void {
  forcedBlock = block;
}

/** The algorithm for a convolution: F(4x4, 3x3) from MIN_F4X4_PIXELS output pixels, else F(2x2, 3x3). */
function algorithmFor(info: tf.backend_util.Conv2DInfo): Algorithm {
  if (forcedBlock) return forcedBlock === 4 ? F4X4 : F2X2;
  return info.batchSize * info.outHeight * info.outWidth >= MIN_F4X4_PIXELS ? F4X4 : F2X2;
}

/**
 * y = conv(x, filter) (+ bias) for a geometry {@link winogradApplies} accepted, with `gemm` conv.wat's
 * convolution; null where our module does not serve this engine or the heap cannot hold the tile buffers (the
 * caller's direct convolution then does it).
 */
export function winogradConv(backend: WasmHeapBackend, gemm: RowRun, x: tf.TensorInfo, filter: tf.TensorInfo,
  bias: tf.TensorInfo | null, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const { binaries, block, planes } = algorithmFor(info);
  const filterTiles = simdRows(backend.wasm, binaries, 'filterTiles');
  const inputTiles = simdRows(backend.wasm, binaries, 'inputTiles');
  const outputTiles = simdRows(backend.wasm, binaries, 'outputTiles');
  if (!filterTiles || !inputTiles || !outputTiles) return null;
  const { batchSize: n, outHeight: ho, outWidth: wo, inChannels: ci, outChannels: co, padInfo } = info;
  const { th, tw, rows: tileCount, perChunk } = tileRows(n, ho, wo, block, planes, Math.max(ci, co));
  // The zero block read as padding: inputs past the image, product pixels past a row's end.
  const zeros = zeroBlock(backend, Math.max(ci, PRODUCT_CHANNEL_BLOCK));
  if (zeros === null) return null;
  // U [planes, Ci, Co] (+ 16 bytes: conv.wat reads 4 floats past a filter's last row where Co % 8 == 4), V and M
  // of one chunk.
  const sizes = [planes * 4 * ci * co + 16, planes * 4 * perChunk * tw * ci, planes * 4 * perChunk * tw * co];
  return withHeapBlocks(backend, sizes, ([u, v, m]) => {
    const out = backend.makeOutput([n, ho, wo, co], 'float32');
    const [px, py, pb] = [heapOffset(backend, x), heapOffset(backend, out), bias ? heapOffset(backend, bias) : 0];
    filterTiles([heapOffset(backend, filter), u!, ci, co], ci, 4 * planes * ci * co);
    for (let rowBase = 0; rowBase < tileCount; rowBase += perChunk) {
      const rows = Math.min(perChunk, tileCount - rowBase);
      const plane = rows * tw;
      inputTiles([px, v!, info.inHeight, info.inWidth, ci, padInfo.top, padInfo.left, th, tw, plane, rowBase, zeros],
        rows, 4 * planes * plane * ci);
      // Plane k as image k of a 1x1 convolution with its own filter U[k] (4 Ci Co bytes apart), in rows of up to
      // PRODUCT_WIDTH tiles (whole tile rows).
      const width = tw * largestDivisorAtMost(rows, Math.max(1, Math.floor(PRODUCT_WIDTH / tw)));
      const productRows = plane / width;
      gemm([v!, u!, 0, m!, productRows, width, ci, co, productRows, width, 0, 0, 1, 1, PRODUCT_CHANNEL_BLOCK,
        4 * ci * co, zeros], planes * productRows, 2 * planes * plane * ci * co);
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
 * dW [3, 3, Ci, Co] of a stride-1 convolution from x [N, H, W, Ci] and dy [N, Ho, Wo, Co] (padding at the top and
 * left: the rest follows from the shapes) by F(3x3, 2x2) (simd/winograd.wat): x's tiles as for the convolution,
 * dy's 2x2 blocks transformed, 16 products summed over tiles in conv-filter.wat (one plane per tile position,
 * chunks adding to the sums), then the output transform. Null where our modules do not serve this engine or the
 * heap cannot hold the buffers.
 */
export function winogradFilterGradient(backend: WasmHeapBackend, x: tf.TensorInfo, dy: tf.TensorInfo,
  filterShape: readonly [number, number, number, number], pad: { top: number; left: number }): tf.TensorInfo | null {
  const inputTiles = simdRows(backend.wasm, WINOGRAD_WASM, 'inputTiles');
  const gradTiles = simdRows(backend.wasm, WINOGRAD_WASM, 'gradTiles');
  const filterFromTiles = simdRows(backend.wasm, WINOGRAD_WASM, 'filterFromTiles');
  const products = simdRows(backend.wasm, CONV_FILTER_WASM, 'filterGrad');
  if (!inputTiles || !gradTiles || !filterFromTiles || !products) return null;
  const [, , ci, co] = filterShape;
  const [n, h, w] = x.shape as [number, number, number, number];
  const [, ho, wo] = dy.shape as [number, number, number, number];
  const { th, tw, rows: tileCount, perChunk } = tileRows(n, ho, wo, 2, 16, Math.max(ci, co));
  // The zero block: x's padding, dy past its last row or column.
  const zeros = zeroBlock(backend, Math.max(ci, co));
  if (zeros === null) return null;
  // S [16, Ci, Co], V and E of one chunk (+ 16 bytes: the products read 4 floats past E where Co % 8 == 4).
  const sizes = [16 * 4 * ci * co, 16 * 4 * perChunk * tw * ci, 16 * 4 * perChunk * tw * co + 16];
  return withHeapBlocks(backend, sizes, ([sums, v, e]) => {
    const out = backend.makeOutput([...filterShape], 'float32');
    const [px, pdy] = [heapOffset(backend, x), heapOffset(backend, dy)];
    const rowsPerChunk = Math.max(1, Math.floor(FILTER_CHUNK_PIXELS / tw));
    for (let rowBase = 0; rowBase < tileCount; rowBase += perChunk) {
      const rows = Math.min(perChunk, tileCount - rowBase);
      const plane = rows * tw;
      inputTiles([px, v!, h, w, ci, pad.top, pad.left, th, tw, plane, rowBase, zeros], rows, 64 * plane * ci);
      gradTiles([pdy, e!, ho, wo, co, th, tw, plane, rowBase, zeros], rows, 32 * plane * co);
      // S[k] (+)= V[k]^T E[k]: plane k as a 1x1 filter gradient over [rows, tw] pixels; its 4-channel groups split.
      products([v!, e!, sums!, rows, tw, rows, tw, ci, co, 1, 1, rowsPerChunk, rows, 4 * plane * ci, 4 * plane * co,
        4 * ci * co, rowBase > 0 ? 1 : 0], 16 * (ci / 4), 2 * 16 * plane * ci * co);
    }
    filterFromTiles([sums!, heapOffset(backend, out), ci, co], ci, 50 * ci * co);
    winogradStats.filterCalls++;
    return out;
  });
}
