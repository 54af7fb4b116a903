// Each wasm kernel we add or replace equals the kernel it replaces (tfjs's wasm Conv2DBackpropInput) and
// the cpu backend's kernel of the same name, on strided, padded, odd-sized and NCHW cases.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  adamStep, composedAdamStep, composedGroupNorm, groupNorm, groupNormSilu, hasFusedAdam, hasFusedGroupNorm, hasFusedGroupNormSilu,
  hasFusedUpsampleNearest, upsampleNearest2x,
} from '@edm/core';
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmKernels, replacedWasmKernel } from '../src/kernels/wasm/register';
import type { WasmHeapBackend } from '../src/kernels/wasm/heap';
import { binaryStats } from '../src/kernels/wasm/binary';
import { heapGroupNormPasses } from '../src/kernels/wasm/simd/group-norm-passes';
import { reduceTranspose } from '../src/kernels/wasm/transpose';
import { maxAbsDiff, runKernelOn, values } from './helpers';

type Pad = 'same' | 'valid' | number;
interface Case {
  name: string;
  x: [number, number, number, number]; // NHWC
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const CONV_CASES: Case[] = [
  { name: '3x3 same s1', x: [2, 8, 8, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { name: '3x3 valid s1 odd', x: [1, 7, 9, 4], filter: [3, 3, 4, 2], strides: 1, pad: 'valid' },
  { name: '3x3 same s2 odd', x: [2, 9, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: '4x4 explicit 1 s2', x: [1, 8, 8, 2], filter: [4, 4, 2, 3], strides: 2, pad: 1 },
  { name: '1x1 valid s1', x: [3, 5, 5, 6], filter: [1, 1, 6, 4], strides: 1, pad: 'valid' },
  // Large enough for the filter gradient's matMul to take XNNPACK's path (through our BatchMatMul).
  { name: '1x1 same s1 (x^T dy product)', x: [2, 8, 8, 16], filter: [1, 1, 16, 24], strides: 1, pad: 'same' },
  { name: '1x1 same s2', x: [2, 7, 7, 8], filter: [1, 1, 8, 12], strides: 2, pad: 'same' },
  // Outputs of 16x16 and more at stride 1: the filter gradient as one product over shifted rows.
  { name: '3x3 same s1 16x17 (shifted rows)', x: [2, 16, 17, 4], filter: [3, 3, 4, 8], strides: 1, pad: 'same' },
  { name: '3x3 valid s1 18x19 (shifted rows)', x: [1, 18, 19, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'valid' },
  { name: '2x3 same s1 16x16 (shifted rows, uneven padding)', x: [2, 16, 16, 3], filter: [2, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '5x5 explicit 2 s1 16x16 (shifted rows)', x: [1, 16, 16, 2], filter: [5, 5, 2, 3], strides: 1, pad: 2 },
  { name: '2x3 same s[2,1]', x: [2, 6, 5, 3], filter: [2, 3, 3, 2], strides: [2, 1], pad: 'same' },
  { name: '5x5 explicit 2 s1 round', x: [1, 6, 6, 2], filter: [5, 5, 2, 2], strides: 1, pad: 2, dimRoundingMode: 'round' },
];

function outShape(c: Case, depthwise: boolean): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode, depthwise);
  return info.outShape;
}

const nchw = (s: number[]): number[] => [s[0]!, s[3]!, s[1]!, s[2]!];
function toNCHW(data: Float32Array, shape: number[]): Float32Array {
  const t = tf.tidy(() => tf.transpose(tf.tensor(data, shape), [0, 3, 1, 2]));
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

const TOL = 1e-5;

describe('wasm convolution gradient kernels', () => {
  beforeAll(async () => {
    registerWasmKernels();
    await tf.setBackend('wasm');
    await tf.ready();
  });

  for (const c of CONV_CASES) {
    const attrsOf = (dataFormat: 'NHWC' | 'NCHW') => ({ strides: c.strides, pad: c.pad, dataFormat,
      dimRoundingMode: c.dimRoundingMode });
    it(`Conv2DBackpropFilter = cpu (${c.name})`, async () => {
      const x = { shape: c.x, data: values(c.x.reduce((a, b) => a * b), 1) };
      const dyShape = outShape(c, false);
      const dy = { shape: dyShape, data: values(dyShape.reduce((a, b) => a * b), 2) };
      const attrs = { ...attrsOf('NHWC'), filterShape: c.filter };
      const ref = await runKernelOn('cpu', 'Conv2DBackpropFilter', { x, dy }, attrs);
      const got = await runKernelOn('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
      expect(got.shape).toEqual(c.filter);
      const { diff, scale } = maxAbsDiff(got.data, ref.data);
      expect(diff).toBeLessThanOrEqual(TOL * Math.max(1, scale));
    });

    it(`Conv2DBackpropInput = tfjs wasm kernel and cpu (${c.name})`, async () => {
      const dyShape = outShape(c, false);
      const dy = { shape: dyShape, data: values(dyShape.reduce((a, b) => a * b), 3) };
      const filter = { shape: c.filter, data: values(c.filter.reduce((a, b) => a * b), 4) };
      const attrs = { ...attrsOf('NHWC'), inputShape: c.x };
      const ref = await runKernelOn('cpu', 'Conv2DBackpropInput', { dy, filter }, attrs);
      const got = await runKernelOn('wasm', 'Conv2DBackpropInput', { dy, filter }, attrs);
      expect(got.shape).toEqual(c.x);
      const vsCpu = maxAbsDiff(got.data, ref.data);
      expect(vsCpu.diff).toBeLessThanOrEqual(TOL * Math.max(1, vsCpu.scale));
      // The kernel it replaces, called directly on the wasm backend.
      const original = replacedWasmKernel('Conv2DBackpropInput');
      expect(original).toBeDefined();
      const ts = { dy: tf.tensor(dy.data, dy.shape), filter: tf.tensor(filter.data, filter.shape) };
      const info = original!.kernelFunc({ inputs: ts, backend: tf.backend(), attrs: attrs as never }) as tf.TensorInfo;
      const theirs = tf.engine().makeTensorFromTensorInfo(info);
      const vsOriginal = maxAbsDiff(got.data, (await theirs.data()) as Float32Array);
      expect(vsOriginal.diff).toBeLessThanOrEqual(TOL * Math.max(1, vsOriginal.scale));
      tf.dispose([theirs, ts.dy, ts.filter]);
    });
  }

  it('NCHW data format: filter and input gradients equal cpu', async () => {
    const c = CONV_CASES[2]!;
    await tf.setBackend('cpu');
    const dyShape = outShape(c, false);
    const xData = values(c.x.reduce((a, b) => a * b), 5);
    const dyData = values(dyShape.reduce((a, b) => a * b), 6);
    const fData = values(c.filter.reduce((a, b) => a * b), 7);
    const x = { shape: nchw(c.x), data: toNCHW(xData, c.x) };
    const dy = { shape: nchw(dyShape), data: toNCHW(dyData, dyShape) };
    const filter = { shape: c.filter, data: fData };
    const fAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NCHW', filterShape: c.filter };
    // cpu has no NCHW kernels for these: compare with cpu on the NHWC layout of the same numbers.
    const refW = await runKernelOn('cpu', 'Conv2DBackpropFilter', { x: { shape: c.x, data: xData }, dy: { shape: dyShape, data: dyData } },
      { ...fAttrs, dataFormat: 'NHWC' });
    const gotW = await runKernelOn('wasm', 'Conv2DBackpropFilter', { x, dy }, fAttrs);
    expect(maxAbsDiff(gotW.data, refW.data).diff).toBeLessThanOrEqual(TOL * 10);
    const iAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NCHW', inputShape: nchw(c.x) };
    const refX = await runKernelOn('cpu', 'Conv2DBackpropInput', { dy: { shape: dyShape, data: dyData }, filter },
      { ...iAttrs, dataFormat: 'NHWC', inputShape: c.x });
    const gotX = await runKernelOn('wasm', 'Conv2DBackpropInput', { dy, filter }, iAttrs);
    expect(gotX.shape).toEqual(nchw(c.x));
    await tf.setBackend('cpu');
    expect(maxAbsDiff(gotX.data, toNCHW(refX.data, c.x)).diff).toBeLessThanOrEqual(TOL * 10);
  });

  const DEPTHWISE_CASES: Case[] = [
    { name: '2x2 valid s2 (box downsample)', x: [2, 8, 8, 3], filter: [2, 2, 3, 1], strides: 2, pad: 'valid' },
    { name: '4x4 explicit 1 s2 ([1,3,3,1] downsample)', x: [1, 8, 8, 4], filter: [4, 4, 4, 1], strides: 2, pad: 1 },
    { name: '3x3 same s1 multiplier 2', x: [2, 5, 7, 3], filter: [3, 3, 3, 2], strides: 1, pad: 'same' },
    { name: '4x4 valid s1 odd', x: [1, 9, 9, 2], filter: [4, 4, 2, 1], strides: 1, pad: 'valid' },
  ];
  for (const c of DEPTHWISE_CASES) {
    it(`DepthwiseConv2dNativeBackpropInput/Filter = cpu (${c.name})`, async () => {
      const dyShape = outShape(c, true);
      const x = { shape: c.x, data: values(c.x.reduce((a, b) => a * b), 8) };
      const dy = { shape: dyShape, data: values(dyShape.reduce((a, b) => a * b), 9) };
      const filter = { shape: c.filter, data: values(c.filter.reduce((a, b) => a * b), 10) };
      const base = { strides: c.strides, pad: c.pad, dilations: 1 };
      const refX = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...base, inputShape: c.x });
      const gotX = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...base, inputShape: c.x });
      expect(gotX.shape).toEqual(c.x);
      expect(maxAbsDiff(gotX.data, refX.data).diff).toBeLessThanOrEqual(TOL);
      const refW = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...base, filterShape: c.filter });
      const gotW = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...base, filterShape: c.filter });
      expect(gotW.shape).toEqual(c.filter);
      const d = maxAbsDiff(gotW.data, refW.data);
      expect(d.diff).toBeLessThanOrEqual(TOL * Math.max(1, d.scale));
    });
  }

  const MATMUL_CASES: { name: string; a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
    { name: 'attention q k^T [8,256,64]', a: [8, 256, 64], b: [8, 256, 64], transposeA: false, transposeB: true },
    { name: 'attention w v [8,256,256]x[8,256,64]', a: [8, 256, 256], b: [8, 256, 64], transposeA: false, transposeB: false },
    { name: 'gradient a^T b [4,40,24]x[4,40,32]', a: [4, 40, 24], b: [4, 40, 32], transposeA: true, transposeB: false },
    { name: 'both transposed, rank 4', a: [2, 3, 20, 18], b: [2, 3, 30, 20], transposeA: true, transposeB: true },
    { name: 'broadcast a single matrix', a: [1, 32, 24], b: [5, 24, 40], transposeA: false, transposeB: false },
    { name: 'single product (original path)', a: [1, 50, 40], b: [1, 40, 30], transposeA: false, transposeB: false },
    { name: 'tiny products (original path)', a: [6, 3, 4], b: [6, 5, 4], transposeA: false, transposeB: true },
  ];
  for (const c of MATMUL_CASES) {
    it(`BatchMatMul = tfjs wasm kernel and cpu (${c.name})`, async () => {
      const a = { shape: c.a, data: values(c.a.reduce((x, y) => x * y), 13) };
      const b = { shape: c.b, data: values(c.b.reduce((x, y) => x * y), 14) };
      const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
      const ref = await runKernelOn('cpu', 'BatchMatMul', { a, b }, attrs);
      const got = await runKernelOn('wasm', 'BatchMatMul', { a, b }, attrs);
      expect(got.shape).toEqual(ref.shape);
      const vsCpu = maxAbsDiff(got.data, ref.data);
      expect(vsCpu.diff).toBeLessThanOrEqual(TOL * Math.max(1, vsCpu.scale));
      const original = replacedWasmKernel('BatchMatMul')!;
      const ts = { a: tf.tensor(a.data, a.shape), b: tf.tensor(b.data, b.shape) };
      const theirs = tf.engine().makeTensorFromTensorInfo(
        original.kernelFunc({ inputs: ts, backend: tf.backend(), attrs: attrs as never }) as tf.TensorInfo);
      const vsOriginal = maxAbsDiff(got.data, (await theirs.data()) as Float32Array);
      expect(vsOriginal.diff).toBeLessThanOrEqual(TOL * Math.max(1, vsOriginal.scale));
      tf.dispose([theirs, ts.a, ts.b]);
    });
  }

  const TILE_CASES: { name: string; shape: number[]; reps: number[]; dtype: 'float32' | 'int32' }[] = [
    { name: 'nearest-neighbour columns [128,16,1,64] x [1,1,2,1]', shape: [128, 16, 1, 64], reps: [1, 1, 2, 1], dtype: 'float32' },
    { name: 'several axes, rank 3', shape: [2, 3, 5], reps: [3, 1, 2], dtype: 'float32' },
    { name: 'rank 6', shape: [2, 3, 1, 4, 1, 2], reps: [1, 1, 2, 1, 2, 1], dtype: 'float32' },
    { name: 'int32 rows', shape: [4, 3], reps: [2, 1], dtype: 'int32' },
    { name: 'many copies (original path)', shape: [3, 2], reps: [40, 1], dtype: 'float32' },
  ];
  for (const c of TILE_CASES) {
    it(`Tile = tfjs wasm kernel, bit for bit (${c.name})`, async () => {
      await tf.setBackend('wasm');
      const x = tf.tensor(Array.from(values(c.shape.reduce((p, q) => p * q), 15), (v) => (c.dtype === 'int32' ? Math.round(v * 100) : v)),
        c.shape, c.dtype);
      const ours = tf.tile(x, c.reps);
      const original = replacedWasmKernel('Tile')!;
      const theirs = tf.engine().makeTensorFromTensorInfo(
        original.kernelFunc({ inputs: { x }, backend: tf.backend(), attrs: { reps: c.reps } as never }) as tf.TensorInfo);
      expect(ours.shape).toEqual(theirs.shape);
      expect(ours.dtype).toBe(c.dtype);
      expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
      tf.dispose([x, ours, theirs]);
    });
  }

  // Slice, SplitV, Unpack: copies out of a heap view; Identity: shared data. Bit for bit against the originals.
  const original = (name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor[] => {
    const out = replacedWasmKernel(name)!.kernelFunc({ inputs, backend: tf.backend(), attrs: attrs as never });
    return (Array.isArray(out) ? out : [out]).map((i) => tf.engine().makeTensorFromTensorInfo(i as tf.TensorInfo));
  };
  const expectSame = async (ours: tf.Tensor[], theirs: tf.Tensor[]): Promise<void> => {
    expect(ours.length).toBe(theirs.length);
    for (let i = 0; i < ours.length; i++) {
      expect(ours[i]!.shape).toEqual(theirs[i]!.shape);
      expect(ours[i]!.dtype).toBe(theirs[i]!.dtype);
      expect(Array.from(await ours[i]!.data())).toEqual(Array.from(await theirs[i]!.data()));
    }
  };
  const SLICE_CASES: { name: string; shape: number[]; begin: number[]; size: number[]; dtype?: 'int32' | 'bool' }[] = [
    { name: 'first axis (one copy)', shape: [8, 16, 16], begin: [3, 0, 0], size: [1, 16, 16] },
    { name: 'inner window rank 4', shape: [2, 7, 9, 3], begin: [1, 2, 3, 0], size: [1, 4, 5, 3] },
    { name: 'last axis partial', shape: [4, 6, 10], begin: [0, 1, 2], size: [4, 4, 7] },
    { name: 'rank 1', shape: [17], begin: [5], size: [9] },
    { name: 'rank 6, -1 size', shape: [2, 3, 2, 4, 2, 3], begin: [1, 0, 1, 1, 0, 1], size: [1, -1, 1, 2, -1, 2] },
    { name: 'empty', shape: [4, 5], begin: [2, 1], size: [0, 3] },
    { name: 'int32', shape: [5, 6], begin: [1, 2], size: [3, 3], dtype: 'int32' },
    { name: 'bool', shape: [6, 4], begin: [2, 1], size: [3, 2], dtype: 'bool' },
    // Evenly spaced runs in one strided copy: channels of NHWC (16-byte rows and not), a partial axis before
    // whole ones, two groups under an odometer.
    { name: 'channels of NHWC', shape: [3, 5, 7, 36], begin: [0, 0, 0, 24], size: [3, 5, 7, 12] },
    { name: 'channels, odd row', shape: [2, 3, 5, 7], begin: [0, 0, 0, 1], size: [2, 3, 5, 5] },
    { name: 'partial axis before whole ones', shape: [4, 6, 5, 8], begin: [1, 2, 0, 4], size: [2, 3, 5, 4] },
    { name: 'two partial axes', shape: [5, 6, 7, 8], begin: [1, 0, 2, 1], size: [3, 6, 4, 6] },
    { name: 'bool channels', shape: [4, 3, 9], begin: [0, 0, 2], size: [4, 3, 5], dtype: 'bool' },
    { name: 'int32 channels', shape: [4, 3, 8], begin: [0, 0, 4], size: [4, 3, 4], dtype: 'int32' },
  ];
  for (const c of SLICE_CASES) {
    it(`Slice = tfjs wasm kernel, bit for bit (${c.name})`, async () => {
      await tf.setBackend('wasm');
      const n = c.shape.reduce((p, q) => p * q);
      const raw = values(n, 16);
      const x = c.dtype ? tf.tensor(Array.from(raw, (v) => (c.dtype === 'int32' ? Math.round(v * 100) : Number(v > 0))), c.shape, c.dtype)
        : tf.tensor(raw, c.shape);
      await expectSame([tf.slice(x, c.begin, c.size)], original('Slice', { x }, { begin: c.begin, size: c.size }));
      tf.dispose(x);
    });
  }
  // Sum over middle axes read in place (simd/reduce-sum.wat); the others stay with tfjs's kernel.
  const SUM_CASES: { name: string; shape: number[]; axis: number[]; keepDims?: boolean; dtype?: 'int32' }[] = [
    { name: 'bias gradient: N, H, W of NHWC', shape: [8, 6, 6, 12], axis: [0, 1, 2] },
    { name: 'broadcast add gradient: H, W, keepDims', shape: [3, 5, 6, 8], axis: [1, 2], keepDims: true },
    { name: 'first axis, 3 channels (scalar tail)', shape: [40, 3], axis: [0] },
    { name: 'middle axis, 7 inner (vector + tail)', shape: [2, 9, 7], axis: [1] },
    { name: 'innermost (tfjs kernel)', shape: [4, 6], axis: [1] },
    { name: 'scattered axes (tfjs kernel)', shape: [2, 3, 4, 5], axis: [0, 2] },
    { name: 'int32 (tfjs kernel)', shape: [5, 4], axis: [0], dtype: 'int32' },
  ];
  for (const c of SUM_CASES) {
    it(`Sum = tfjs wasm kernel, bit for bit (${c.name})`, async () => {
      await tf.setBackend('wasm');
      const raw = values(c.shape.reduce((p, q) => p * q), 17);
      const x = c.dtype ? tf.tensor(Array.from(raw, (v) => Math.round(v * 100)), c.shape, c.dtype) : tf.tensor(raw, c.shape);
      const attrs = { axis: c.axis, keepDims: c.keepDims ?? false };
      await expectSame([tf.sum(x, c.axis, c.keepDims)], original('Sum', { x }, attrs));
      tf.dispose(x);
    });
  }
  const REVERSE_CASES: { shape: number[]; dims: number[]; dtype?: 'int32' }[] = [
    { shape: [3, 3, 16, 8], dims: [0, 1] }, // a convolution filter's spatial flip
    { shape: [4, 5, 6], dims: [2] },
    { shape: [4, 5, 6], dims: [0, 2] },
    { shape: [2, 3, 4, 5, 2], dims: [1, 3] },
    { shape: [7], dims: [0] },
    { shape: [3, 4], dims: [-1], dtype: 'int32' },
    { shape: [3, 4], dims: [] },
  ];
  for (const c of REVERSE_CASES) {
    it(`Reverse = tfjs wasm kernel, bit for bit (${c.shape.join('x')} along [${c.dims}])`, async () => {
      await tf.setBackend('wasm');
      const raw = values(c.shape.reduce((p, q) => p * q), 23);
      const x = c.dtype ? tf.tensor(Array.from(raw, (v) => Math.round(v * 100)), c.shape, c.dtype) : tf.tensor(raw, c.shape);
      await expectSame([tf.reverse(x, c.dims)], original('Reverse', { x }, { dims: c.dims }));
      tf.dispose(x);
    });
  }
  // Tiled planes (both sides >= 16 after size-1 axes are dropped and neighbours merged) and the original's cases.
  const TRANSPOSE_CASES: { shape: number[]; perm: number[]; dtype?: 'int32' | 'bool' }[] = [
    { shape: [40, 17], perm: [1, 0] }, // 2-d, sizes not multiples of the tile
    { shape: [3, 33, 18], perm: [0, 2, 1] }, // batched (attention's k^T)
    { shape: [2, 16, 16, 20], perm: [0, 3, 1, 2] }, // NHWC -> NCHW: merges to [2, 256, 20] -> [0, 2, 1]
    { shape: [2, 5, 6, 32], perm: [3, 1, 2, 0] }, // a side of 2: the original kernel
    { shape: [1, 20, 1, 24], perm: [3, 2, 1, 0] }, // size-1 axes dropped: a 2-d plane
    { shape: [3, 17, 2, 19, 18], perm: [2, 4, 0, 3, 1] }, // rank 5: 114 planes of 17 x 18
    { shape: [4, 18, 16], perm: [1, 0, 2] }, // the innermost axis stays: the original kernel
    { shape: [20, 30], perm: [1, 0], dtype: 'int32' },
    { shape: [20, 30], perm: [1, 0], dtype: 'bool' },
    { shape: [0, 30], perm: [1, 0] },
  ];
  for (const c of TRANSPOSE_CASES) {
    it(`Transpose = tfjs wasm kernel, bit for bit (${c.shape.join('x')} by [${c.perm}]${c.dtype ? ` ${c.dtype}` : ''})`, async () => {
      await tf.setBackend('wasm');
      const raw = values(c.shape.reduce((p, q) => p * q, 1), 24);
      const x = c.dtype ? tf.tensor(Array.from(raw, (v) => (c.dtype === 'int32' ? Math.round(v * 1e6) : Number(v > 0))), c.shape, c.dtype)
        : tf.tensor(raw, c.shape);
      await expectSame([tf.transpose(x, c.perm)], original('Transpose', { x }, { perm: c.perm }));
      tf.dispose(x);
    });
  }
  // Vector row copies (rows of 16-byte multiples) and bulk copies per row (others), against the original.
  const CONCAT_CASES: { shapes: number[][]; axis: number; dtype?: 'int32' | 'bool' }[] = [
    { shapes: [[2, 4, 4, 8], [2, 4, 4, 4]], axis: 3 }, // a U-Net skip concatenation
    { shapes: [[3, 5, 3], [3, 5, 5], [3, 5, 1]], axis: -1 }, // rows of 12, 20, 4 bytes
    { shapes: [[2, 3], [4, 3]], axis: 0 },
    { shapes: [[3, 0, 2], [3, 4, 2], [3, 1, 2]], axis: 1 }, // an empty input is skipped
    { shapes: [[4, 6], [4, 2]], axis: 1, dtype: 'int32' },
    { shapes: [[4, 6], [4, 3]], axis: 1, dtype: 'bool' },
  ];
  for (const c of CONCAT_CASES) {
    it(`Concat = tfjs wasm kernel, bit for bit (${c.shapes.map((sh) => sh.join('x')).join(' + ')} on axis ${c.axis}${c.dtype ? ` ${c.dtype}` : ''})`, async () => {
      await tf.setBackend('wasm');
      const xs = c.shapes.map((shape, i) => {
        const raw = values(shape.reduce((p, q) => p * q, 1), 30 + i);
        return c.dtype ? tf.tensor(Array.from(raw, (v) => (c.dtype === 'int32' ? Math.round(v * 1e6) : Number(v > 0))), shape, c.dtype)
          : tf.tensor(raw, shape);
      });
      const theirs = replacedWasmKernel('Concat')!.kernelFunc({ inputs: xs as never, backend: tf.backend(), attrs: { axis: c.axis } as never });
      await expectSame([tf.concat(xs, c.axis)], [tf.engine().makeTensorFromTensorInfo(theirs as tf.TensorInfo)]);
      tf.dispose(xs);
    });
  }
  it('reduceTranspose drops size-1 axes and merges axes that stay neighbours', () => {
    expect(reduceTranspose([8, 32, 32, 64], [0, 3, 1, 2])).toEqual({ shape: [8, 1024, 64], perm: [0, 2, 1] });
    expect(reduceTranspose([1, 20, 1, 24], [3, 2, 1, 0])).toEqual({ shape: [20, 24], perm: [1, 0] });
    expect(reduceTranspose([8, 32, 32, 64], [3, 1, 2, 0])).toEqual({ shape: [8, 1024, 64], perm: [2, 1, 0] });
    expect(reduceTranspose([4, 5, 6], [0, 1, 2])).toEqual({ shape: [120], perm: [0] });
  });
  it('SplitV and Unpack = tfjs wasm kernels, bit for bit (every axis)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(values(4 * 6 * 5, 17), [4, 6, 5]);
    for (let axis = 0; axis < 3; axis++) {
      const sizes = axis === 1 ? [1, 3, 2] : axis === 0 ? [2, 2] : [1, 4];
      await expectSame(tf.split(x, sizes, axis), original('SplitV', { x }, { numOrSizeSplits: sizes, axis }));
      await expectSame(tf.unstack(x, axis), original('Unpack', { value: x }, { axis }));
    }
    await expectSame(tf.unstack(x, -1), original('Unpack', { value: x }, { axis: -1 }));
    tf.disposeVariables();
  });
  it('Identity shares the data and frees it only with its last reference', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(values(64, 18), [8, 8]);
    const before = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId); // no copy
    expect(tf.memory().numDataBuffers).toBe(before);
    const expected = Array.from(await x.data());
    x.dispose();
    expect(Array.from(await y.data())).toEqual(expected); // still readable after the source is gone
    // A variable assigned from a clone keeps its own value when the clone's source is disposed and reassigned.
    const src = tf.tensor([1, 2, 3]);
    const copy = tf.clone(src);
    const v = tf.variable(copy);
    const next = tf.tensor([4, 5, 6]);
    v.assign(next);
    expect(Array.from(await copy.data())).toEqual([1, 2, 3]);
    expect(Array.from(await src.data())).toEqual([1, 2, 3]);
    expect(Array.from(await v.data())).toEqual([4, 5, 6]);
    tf.dispose([y, v, src, copy, next]);
    expect(tf.memory().numDataBuffers).toBe(before - 1);
  });

  // C % 4 == 0 runs the passes in WebAssembly SIMD (simd/group-norm.wat); other C keep the JavaScript loops.
  for (const { shape, groups } of [{ shape: [3, 5, 4, 12], groups: 3 }, { shape: [2, 3, 7, 64], groups: 16 }, { shape: [2, 3, 3, 6], groups: 3 }]) {
    it(`fused GroupNorm (EdmGroupNorm, EdmGroupNormGrad) = the cpu kernels bit for bit, and the composed ops (${shape.join('x')}, ${groups} groups)`, async () => {
      const size = shape.reduce((a, b) => a * b, 1);
      const c = shape[3]!;
      const inputs = { x: values(size, 19), w: values(c, 20), b: values(c, 21), dy: values(size, 22) };
      const run = async (backend: string, fn: typeof groupNorm) => {
        await tf.setBackend(backend);
        const x = tf.tensor4d(inputs.x, shape as [number, number, number, number]);
        const w = tf.tensor1d(inputs.w);
        const b = tf.tensor1d(inputs.b);
        const dy = tf.tensor4d(inputs.dy, x.shape);
        const y = fn(x, w, b, groups, 1e-5);
        const g = tf.grads((a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => fn(a as tf.Tensor4D, ww as tf.Tensor1D, bb as tf.Tensor1D, groups, 1e-5))([x, w, b], dy);
        const out = await Promise.all([y, ...g].map(async (t) => Array.from(await t.data())));
        tf.dispose([x, w, b, dy, y, ...g]);
        return out;
      };
      expect(hasFusedGroupNorm('wasm')).toBe(true);
      const wasmFused = await run('wasm', groupNorm);
      const cpuFused = await run('cpu', groupNorm);
      const wasmComposed = await run('wasm', composedGroupNorm);
      for (let i = 0; i < 4; i++) {
        expect(wasmFused[i], `output ${i}`).toEqual(cpuFused[i]);
        const d = maxAbsDiff(Float32Array.from(wasmFused[i]!), Float32Array.from(wasmComposed[i]!));
        expect(d.diff, `output ${i}`).toBeLessThanOrEqual(5e-5 * Math.max(1, d.scale));
      }
    });
  }

  // GroupNorm + SiLU (EdmGroupNormSilu, EdmGroupNormSiluGrad): the SIMD passes' sigmoid is their own (a polynomial
  // exp), so against the cpu kernels (Math.exp) within a few float32 ulp; where C % 4 != 0 the JavaScript loops
  // run, the cpu kernels' own, bit for bit. Large |t| (saturated sigmoid) included through a wide input.
  for (const { shape, groups, scale } of [{ shape: [3, 5, 4, 12], groups: 3, scale: 1 }, { shape: [2, 3, 7, 64], groups: 16, scale: 1 },
    { shape: [2, 6, 6, 8], groups: 2, scale: 200 }, { shape: [2, 3, 3, 6], groups: 3, scale: 1 }]) {
    it(`fused GroupNorm + SiLU = the cpu kernels (${shape.join('x')}, ${groups} groups, weight x${scale})`, async () => {
      const size = shape.reduce((a, b) => a * b, 1);
      const c = shape[3]!;
      const inputs = { x: values(size, 23), w: values(c, 24).map((v) => v * scale), b: values(c, 25), dy: values(size, 26) };
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        const x = tf.tensor4d(inputs.x, shape as [number, number, number, number]);
        const w = tf.tensor1d(inputs.w);
        const b = tf.tensor1d(inputs.b);
        const dy = tf.tensor4d(inputs.dy, x.shape);
        const f = (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => groupNormSilu(a as tf.Tensor4D, ww as tf.Tensor1D, bb as tf.Tensor1D, groups, 1e-5);
        const before = tf.memory().numTensors;
        const y = f(x, w, b);
        const g = tf.grads(f)([x, w, b], dy);
        const out = await Promise.all([y, ...g].map(async (t) => Float32Array.from(await t.data())));
        tf.dispose([y, ...g]);
        expect(tf.memory().numTensors, `${backend}: tensors left`).toBe(before);
        tf.dispose([x, w, b, dy]);
        return out;
      };
      expect(hasFusedGroupNormSilu('wasm')).toBe(true);
      const wasm = await run('wasm');
      const cpu = await run('cpu');
      for (let i = 0; i < 4; i++) {
        if (c % 4 !== 0) {
          expect(Array.from(wasm[i]!), `output ${i}`).toEqual(Array.from(cpu[i]!));
          continue;
        }
        const d = maxAbsDiff(wasm[i]!, cpu[i]!);
        expect(d.diff, `output ${i}`).toBeLessThanOrEqual(2e-6 * Math.max(1, d.scale));
      }
    });
  }

  // 2x nearest-neighbour upsampling (simd/resample2x.wat): forward and gradient = the cpu kernels bit for bit
  // (channel tails of 1-3 included); AvgPoolGrad of the 2x2 stride-2 pool = tfjs's wasm kernel bit for bit, and
  // other pools left to it.
  for (const shape of [[2, 3, 4, 8], [1, 7, 7, 24], [2, 5, 3, 6], [3, 2, 2, 1]] as [number, number, number, number][]) {
    it(`EdmUpsampleNearest2x and its gradient = the cpu kernels, bit for bit (${shape.join('x')})`, async () => {
      const [n, h, w, c] = shape;
      const xv = values(n * h * w * c, 27);
      const dyv = values(4 * n * h * w * c, 28);
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        expect(hasFusedUpsampleNearest(backend)).toBe(true);
        const x = tf.tensor4d(xv, shape);
        const dy = tf.tensor4d(dyv, [n, 2 * h, 2 * w, c]);
        const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => upsampleNearest2x(t as tf.Tensor4D))([x], dy);
        const out = [Array.from(await value.data()), Array.from(await grads[0]!.data())];
        tf.dispose([x, dy, value, ...grads]);
        return out;
      };
      const wasm = await run('wasm');
      const cpu = await run('cpu');
      expect(wasm[0]).toEqual(cpu[0]);
      expect(wasm[1]).toEqual(cpu[1]);
    });
  }
  it('AvgPoolGrad of a 2x2 stride-2 pool = tfjs wasm kernel, bit for bit; other pools stay with it', async () => {
    await tf.setBackend('wasm');
    for (const [shape, size, stride, pad] of [[[2, 6, 8, 12], 2, 2, 'valid'], [[1, 4, 4, 5], 2, 2, 'valid'], [[1, 5, 6, 4], 2, 2, 'valid'],
      [[1, 6, 6, 4], 3, 2, 'valid'], [[1, 6, 6, 4], 2, 2, 'same']] as [[number, number, number, number], number, number, 'valid' | 'same'][]) {
      const input = tf.tensor4d(values(shape.reduce((a, b) => a * b, 1), 29), shape);
      const pooled = tf.avgPool(input, size, stride, pad);
      const dy = tf.tensor4d(values(pooled.size, 30), pooled.shape);
      const attrs = { filterSize: size, strides: stride, pad };
      const ours = tf.engine().runKernel('AvgPoolGrad', { dy, input }, attrs as never) as tf.Tensor;
      await expectSame([ours], original('AvgPoolGrad', { dy, input }, attrs));
      tf.dispose([input, pooled, dy, ours]);
    }
  });

  it('Add and Multiply = tfjs wasm kernels, bit for bit: ours for equal shapes, rows and scalars, theirs for the rest', async () => {
    await tf.setBackend('wasm');
    // [a shape, b shape, ours?]: equal shapes, a row per image ([N,1,1,C]), per channel ([C], [1,1,1,C]), a bias on
    // a matrix, scalars, each also swapped; trailing sizes not a multiple of 4, broadcasts of both sides and int32
    // stay with tfjs.
    const cases: [number[], number[], boolean][] = [
      [[2, 5, 3, 12], [2, 5, 3, 12], true], [[3, 4, 4, 8], [3, 1, 1, 8], true], [[3, 4, 4, 8], [8], true],
      [[3, 4, 4, 8], [1, 1, 1, 8], true], [[5, 12], [12], true], [[5, 12], [5, 12], true], [[2, 3, 3, 4], [], true],
      [[2, 3, 3, 4], [1], true], [[3, 1, 1, 8], [3, 4, 4, 8], true], [[], [2, 6, 4], true], [[2, 3, 4, 8], [2, 1, 4, 8], true],
      [[2, 3, 3, 6], [2, 1, 1, 6], false], [[2, 3, 3, 6], [2, 3, 3, 6], false], [[3, 1, 8], [1, 5, 8], false],
      [[2, 4, 4, 8], [2, 4, 1, 1], false], [[4, 8], [4, 1], false], [[2, 3, 3, 5], [], false],
    ];
    for (const [i, [as, bs, oursExpected]] of cases.entries()) {
      for (const name of ['Add', 'Multiply']) {
        for (const dtype of ['float32', 'int32'] as const) {
          const make = (shape: number[], seed: number) => tf.tensor(Array.from(values(shape.reduce((p, q) => p * q, 1), seed),
            (v) => (dtype === 'int32' ? Math.round(v * 100) : v * 3)), shape, dtype);
          const a = make(as, 40 + i);
          const b = make(bs, 60 + i);
          const before = binaryStats.calls;
          const ours = tf.engine().runKernel(name, { a, b }) as tf.Tensor;
          expect(binaryStats.calls - before, `${name} [${as}] [${bs}] ${dtype}`).toBe(oursExpected && dtype === 'float32' ? 1 : 0);
          await expectSame([ours], original(name, { a, b }, {}));
          tf.dispose([a, b, ours]);
        }
      }
    }
  });

  it('the SIMD GroupNorm passes instantiate on the wasm heap (C % 4 == 0 only)', async () => {
    await tf.setBackend('wasm');
    const module = (tf.backend() as unknown as WasmHeapBackend).wasm;
    const simd = heapGroupNormPasses(module, 12, 4);
    expect(simd).not.toBeNull();
    simd!.release();
    expect(heapGroupNormPasses(module, 6, 4)).toBeNull();
  });

  it('fused Adam step (EdmAdam) = the composed ops on wasm and the cpu kernel, bit for bit (NaN, +-inf, a 3-element tail)', async () => {
    const n = 1031;
    const grad = values(n, 43).map((x) => x * 3);
    grad[0] = NaN;
    grad[1] = Infinity;
    grad[2] = -Infinity;
    grad[n - 1] = -Infinity; // in the scalar tail
    grad[n - 2] = NaN;
    const data = [values(n, 40), values(n, 41).map((x) => x * 0.1), values(n, 42).map((x) => x * x), grad];
    const attrs = { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 2e-4 / (1 - 0.9 ** 7), biasCorrection2: 1 - 0.999 ** 7 };
    const run = async (backend: string, fn: typeof adamStep) => {
      await tf.setBackend(backend);
      const [p, m, v, g] = data.map((d) => tf.tensor1d(d)) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const out = fn(p, m, v, g, attrs);
      const got = await Promise.all(out.map(async (t) => Array.from(await t.data())));
      tf.dispose([p, m, v, g, ...out]);
      return got;
    };
    expect(hasFusedAdam('wasm')).toBe(true);
    const wasmFused = await run('wasm', adamStep);
    expect(wasmFused).toEqual(await run('wasm', composedAdamStep));
    expect(wasmFused).toEqual(await run('cpu', adamStep));
  });

  for (const name of ['winograd4-wat.mjs', 'wat.mjs']) {
    it(`the SIMD modules are up to date with their sources (scripts/${name} --check)`, () => {
      const script = fileURLToPath(new URL(`../scripts/${name}`, import.meta.url));
      const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
      expect(r.stderr.trim().split('\n').at(-1) ?? '', `scripts/${name} --check`).toBe('');
      expect(r.status).toBe(0);
    });
  }

  it('leaves other backends unchanged; a training step through every replaced kernel leaks no tensors', async () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc).not.toBe(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc);
    await tf.setBackend('wasm');
    const x = tf.tensor4d(values(2 * 8 * 8 * 3, 11), [2, 8, 8, 3]);
    const w = tf.variable(tf.tensor4d(values(3 * 3 * 3 * 4, 12), [3, 3, 3, 4]));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const { value, grads } = tf.variableGrads(() => {
        const y = tf.conv2d(tf.depthwiseConv2d(x, tf.ones([2, 2, 3, 1]), 2, 'valid'), w as tf.Tensor4D, 1, 'same'); // [2,4,4,4]
        const up = tf.reshape(tf.tile(tf.reshape(y, [8, 4, 1, 4]), [1, 1, 2, 1]), [2, 4, 8, 4]);
        const seq = tf.reshape(up, [2, 32, 4]);
        return tf.sum(tf.square(tf.matMul(seq, seq, false, true))) as tf.Scalar;
      });
      tf.dispose([value, grads]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});
