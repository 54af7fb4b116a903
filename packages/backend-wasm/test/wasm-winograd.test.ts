// Our Winograd F(2x2, 3x3) and F(4x4, 3x3) convolutions (conv2d-winograd.ts, simd/winograd.wat, winograd4.wat)
// equal the cpu backend's direct one, float32 rounding apart, on the shapes they take (3x3, stride 1, channels
// % 4, at least 64 input channels): 'same', 'valid' and uneven explicit padding, odd output sizes (a last row and
// column of tiles partly outside), a last block of 4 output channels, with and without bias, chunks of tile rows
// (one tile row, and a remainder), merged tile rows in the products; the input gradient, which is such a
// convolution too; and the filter gradient by F(3x3, 2x2) and F(3x3, 4x4) on the same shapes (the chunks adding to
// the sums).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  convAlgorithm, filterGradientAlgorithm, forceConvAlgorithm, setWinogradChunkBytes, winogradApplies, winogradStats,
} from '../src/kernels/wasm/conv2d-winograd';
import { registerWasmKernels } from '../src/kernels/wasm/register';
import { convKernelCalls, maxAbsDiff, runKernelOn, values } from './helpers';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  name: string;
  x: [number, number, number, number];
  co: number;
  pad: Pad;
  /** Bytes per chunk of tile buffers (default: the module's). */
  chunkBytes?: number;
}

const CASES: Case[] = [
  { name: "64 -> 16, 'same', 8x8", x: [2, 8, 8, 64], co: 16, pad: 'same' },
  { name: "'same' on 7x5 (a last row and column of half tiles)", x: [2, 7, 5, 68], co: 8, pad: 'same' },
  { name: "'valid' on 9x6 (7x4 out)", x: [1, 9, 6, 64], co: 16, pad: 'valid' },
  { name: 'explicit 2 (a border of padding-only tiles)', x: [1, 6, 6, 64], co: 8, pad: 2 },
  { name: 'uneven explicit padding (top 2, right 1)', x: [1, 6, 7, 64], co: 8, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { name: '12 output channels (a last block of 4), 300 input channels (two product blocks)', x: [1, 8, 8, 300], co: 12, pad: 'same' },
  { name: '4x4 tile rows of width 2 (products in merged rows)', x: [3, 4, 4, 64], co: 8, pad: 'same' },
  { name: 'chunks of one tile row', x: [2, 6, 6, 64], co: 8, pad: 'same', chunkBytes: 1 },
  { name: 'chunks of 2 tile rows of 3 (a remainder of 1)', x: [1, 14, 6, 64], co: 16, pad: 'same', chunkBytes: 16 * 4 * 3 * 64 * 2 },
  // Few channels: the channel sums in conv.wat's products (planes padded to blocks of 4 tiles).
  { name: '12 -> 12 on 7x7 (tiles per plane not a multiple of 4)', x: [2, 7, 7, 12], co: 12, pad: 'same' },
  { name: '8 -> 4 (one block of 4 output channels)', x: [1, 6, 6, 8], co: 4, pad: 'same' },
  { name: '24 -> 36, 5x9 (blocks of 8 output channels and a last of 12)', x: [2, 5, 9, 24], co: 36, pad: 'same' },
  { name: '4 -> 20, valid (a block of 8 and a last of 12)', x: [1, 8, 8, 4], co: 20, pad: 'valid' },
  { name: '16 -> 8, chunks of one tile row', x: [2, 6, 6, 16], co: 8, pad: 'same', chunkBytes: 1 },
];

const TOL = 1e-5;
const size = (shape: number[]): number => shape.reduce((p, q) => p * q);

describe('wasm Winograd convolutions (simd/winograd.wat, winograd4.wat)', () => {
  let defaultChunk = 0;
  beforeAll(async () => {
    registerWasmKernels();
    await tf.setBackend('wasm');
    await tf.ready();
    defaultChunk = setWinogradChunkBytes(8 << 20);
    setWinogradChunkBytes(defaultChunk);
  });
  afterEach(() => {
    setWinogradChunkBytes(defaultChunk);
    forceConvAlgorithm(null);
  });

  for (const [c, block] of CASES.flatMap((c) => [[c, 2], [c, 4]] as const)) {
    it(`${c.name}: F(${block}x${block}, 3x3) Conv2D and FusedConv2D with and without bias = cpu`, async () => {
      forceConvAlgorithm(block === 4 ? 'winograd4' : 'winograd2');
      const filterShape = [3, 3, c.x[3], c.co] as [number, number, number, number];
      const attrs = { strides: 1, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
      const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, 1, 1, c.pad as never);
      expect(winogradApplies(info)).toBe(true);
      if (c.chunkBytes) setWinogradChunkBytes(c.chunkBytes);
      const x = { shape: c.x, data: values(size(c.x), 21) };
      const filter = { shape: filterShape, data: values(size(filterShape), 22) };
      const bias = { shape: [c.co], data: values(c.co, 23) };
      for (const [kernel, inputs, kernelAttrs] of convKernelCalls(x, filter, bias, attrs)) {
        const ref = await runKernelOn('cpu', kernel, inputs, kernelAttrs);
        const { calls, f4x4Calls } = winogradStats;
        const got = await runKernelOn('wasm', kernel, inputs, kernelAttrs);
        expect(winogradStats.calls, `${kernel} took the Winograd path`).toBe(calls + 1);
        expect(winogradStats.f4x4Calls, `${kernel} took F(${block}x${block}, 3x3)`)
          .toBe(f4x4Calls + (block === 4 ? 1 : 0));
        expect(got.shape, kernel).toEqual(ref.shape);
        const { diff, scale } = maxAbsDiff(got.data, ref.data);
        expect(diff, `${kernel} vs cpu`).toBeLessThanOrEqual(TOL * Math.max(1, scale));
      }
    });
  }

  for (const c of CASES) {
    for (const [algorithm, label] of [['winograd2', 'F(3x3, 2x2)'], ['winograd4', 'F(3x3, 4x4)']] as const) {
      it(`${c.name}: the filter gradient (${label}) = cpu`, async () => {
        const filterShape = [3, 3, c.x[3], c.co] as [number, number, number, number];
        const attrs = { strides: 1, pad: c.pad, dataFormat: 'NHWC', dilations: 1, filterShape };
        const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, 1, 1, c.pad as never);
        if (c.chunkBytes) setWinogradChunkBytes(c.chunkBytes);
        forceConvAlgorithm(algorithm);
        expect(filterGradientAlgorithm(c.x[0], info.outHeight, info.outWidth, filterShape)).toBe(algorithm);
        const dyShape = [c.x[0], info.outHeight, info.outWidth, c.co];
        const x = { shape: c.x, data: values(size(c.x), 31) };
        const dy = { shape: dyShape, data: values(size(dyShape), 32) };
        const ref = await runKernelOn('cpu', 'Conv2DBackpropFilter', { x, dy }, attrs);
        const { filterCalls, f4x4FilterCalls } = winogradStats;
        const got = await runKernelOn('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
        expect(winogradStats.filterCalls, 'took the Winograd path').toBe(filterCalls + 1);
        expect(winogradStats.f4x4FilterCalls, `by ${label}`).toBe(f4x4FilterCalls + (algorithm === 'winograd4' ? 1 : 0));
        expect(got.shape).toEqual(filterShape);
        const { diff, scale } = maxAbsDiff(got.data, ref.data);
        expect(diff).toBeLessThanOrEqual(TOL * Math.max(1, scale));
      });
    }
  }

  it('takes F(4x4, 3x3) with large filter tiles from 2048 output pixels, F(2x2, 3x3) below', async () => {
    // 256 -> 32 channels: F(4x4, 3x3)'s filter tiles take 1.2 MB.
    const filter = tf.tensor4d(values(3 * 3 * 256 * 32, 33), [3, 3, 256, 32]);
    for (const [shape, f4x4] of [[[2, 32, 32, 256], 1], [[1, 32, 32, 256], 0], [[8, 16, 16, 256], 1]] as const) {
      const x = tf.tensor4d(values(size([...shape]), 34), [...shape]);
      const { calls, f4x4Calls } = winogradStats;
      const y = tf.conv2d(x, filter, 1, 'same');
      await y.data();
      expect(winogradStats.calls, `${shape}`).toBe(calls + 1);
      expect(winogradStats.f4x4Calls, `${shape}`).toBe(f4x4Calls + f4x4);
      tf.dispose([x, y]);
    }
    filter.dispose();
  });

  it('takes F(4x4, 3x3) with small filter tiles at any batch, unless its blocks overshoot the image more', () => {
    const info = (x: [number, number, number, number], co: number) =>
      tf.backend_util.computeConv2DInfo(x, [3, 3, x[3], co], 1, 1, 'same');
    expect(convAlgorithm(info([1, 28, 28, 12], 12))).toBe('winograd4'); // 7x7 blocks of 4x4 fit exactly
    expect(convAlgorithm(info([1, 7, 7, 24], 24))).toBe('winograd4'); // 8x8 computed either way
    expect(convAlgorithm(info([16, 14, 14, 24], 24))).toBe('winograd2'); // 16x16 against 14x14
    expect(convAlgorithm(info([32, 7, 7, 96], 48))).toBe('winograd4'); // 1568 pixels, 0.66 MB of filter tiles
    expect(convAlgorithm(info([1, 8, 8, 256], 256))).toBe('winograd2'); // 9.4 MB of filter tiles, 64 pixels
  });

  for (const block of [2, 4] as const) {
    it(`the input gradient of a 3x3 stride-1 convolution (an F(${block}x${block}, 3x3) convolution of dy) = cpu`,
      async () => {
        forceConvAlgorithm(block === 4 ? 'winograd4' : 'winograd2');
        const xShape: [number, number, number, number] = [2, 7, 6, 8];
        const filterShape: [number, number, number, number] = [3, 3, 8, 64];
        const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, inputShape: xShape };
        const dy = { shape: [2, 7, 6, 64], data: values(2 * 7 * 6 * 64, 24) };
        const filter = { shape: filterShape, data: values(size(filterShape), 25) };
        const ref = await runKernelOn('cpu', 'Conv2DBackpropInput', { dy, filter }, attrs);
        const calls = winogradStats.calls;
        const got = await runKernelOn('wasm', 'Conv2DBackpropInput', { dy, filter }, attrs);
        expect(winogradStats.calls).toBe(calls + 1);
        expect(got.shape).toEqual(xShape);
        const { diff, scale } = maxAbsDiff(got.data, ref.data);
        expect(diff).toBeLessThanOrEqual(TOL * Math.max(1, scale));
      });
  }

  it('leaves unaligned and non-3x3 convolutions to the direct kernel', () => {
    const info = (x: [number, number, number, number], f: [number, number, number, number]) =>
      tf.backend_util.computeConv2DInfo(x, f, 1, 1, 'same');
    expect(winogradApplies(info([1, 8, 8, 4], [3, 3, 4, 4]))).toBe(true); // few channels
    expect(winogradApplies(info([1, 8, 8, 66], [3, 3, 66, 8]))).toBe(false); // 66 % 4
    expect(winogradApplies(info([1, 8, 8, 64], [3, 3, 64, 6]))).toBe(false); // 6 % 4
    expect(winogradApplies(info([1, 8, 8, 64], [1, 1, 64, 8]))).toBe(false); // 1x1
    expect(winogradApplies(info([1, 8, 8, 64], [3, 3, 64, 8]))).toBe(true);
  });

  it('falls back to the direct convolution and filter gradient where the heap cannot hold the tile buffers', async () => {
    const x = { shape: [1, 6, 6, 64], data: values(6 * 6 * 64, 28) };
    const filter = { shape: [3, 3, 64, 8], data: values(3 * 3 * 64 * 8, 29) };
    const dy = { shape: [1, 6, 6, 8], data: values(6 * 6 * 8, 30) };
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
    const filterAttrs = { ...attrs, filterShape: filter.shape };
    const refConv = await runKernelOn('cpu', 'Conv2D', { x, filter }, attrs);
    const refGrad = await runKernelOn('cpu', 'Conv2DBackpropFilter', { x, dy }, filterAttrs);
    await tf.setBackend('wasm');
    const wasm = (tf.backend() as unknown as { wasm: { _malloc(bytes: number): number } }).wasm;
    const malloc = wasm._malloc;
    // Blocks of 32 KiB and more fail, as near the 4 GiB limit: the filter tiles (U, S: 32 KiB here) do; every
    // tensor of this test (the backend allocates them the same way) stays below.
    wasm._malloc = (bytes: number) => (bytes >= 32 * 1024 ? 0 : malloc.call(wasm, bytes));
    const { calls, filterCalls } = winogradStats;
    try {
      const conv = await runKernelOn('wasm', 'Conv2D', { x, filter }, attrs);
      const grad = await runKernelOn('wasm', 'Conv2DBackpropFilter', { x, dy }, filterAttrs);
      expect(winogradStats.calls).toBe(calls);
      expect(winogradStats.filterCalls).toBe(filterCalls);
      for (const [got, ref] of [[conv, refConv], [grad, refGrad]] as const) {
        const { diff, scale } = maxAbsDiff(got.data, ref.data);
        expect(diff).toBeLessThanOrEqual(TOL * Math.max(1, scale));
      }
    } finally {
      wasm._malloc = malloc;
    }
  });

  it('leaks no tensors', async () => {
    const x = tf.tensor4d(values(2 * 8 * 8 * 64, 26), [2, 8, 8, 64]);
    const f = tf.tensor4d(values(3 * 3 * 64 * 16, 27), [3, 3, 64, 16]);
    const run = async () => {
      const y = tf.conv2d(x, f, 1, 'same');
      await y.data();
      y.dispose();
    };
    await run();
    const before = tf.memory();
    for (let i = 0; i < 5; i++) await run();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    tf.dispose([x, f]);
  });
});
