// Our wasm Conv2D, FusedConv2D and matrix products (simd/conv.wat) equal the XNNPACK kernels they wrap and the
// cpu backend, on the shapes they take (stride 1, output channels % 4: padded, unpadded, uneven padding, 1x1,
// input channels over one block, output widths that are not a multiple of 4, a last block of 4 output
// channels; products with n % 4, any m, k >= 512, batched and broadcast) and hand the others to the wrapped
// kernel. Our filter gradient (simd/conv-filter.wat) equals the cpu backend's on the shapes it takes (input and
// output channels % 4, stride 1; several chunks of rows, a last block of 4 output channels) and leaves the
// others to the other paths.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convStats, simdConvGeometry, simdMatMul } from '../src/kernels/wasm/conv2d';
import { forceConvAlgorithm } from '../src/kernels/wasm/conv2d-winograd';
import { paddedChannelsFilterGradient, simdFilterGradient } from '../src/kernels/wasm/conv2d-filter-simd';
import { registerWasmKernels, replacedWasmKernel } from '../src/kernels/wasm/register';
import { convKernelCalls, maxAbsDiff, runKernelOn, values } from './helpers';

interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides?: number;
  pad: 'same' | 'valid' | number;
  /** Whether our module takes it (else the wrapped kernel). */
  ours: boolean;
  /** The filter gradient takes the channel-padded path (paddedChannelsFilterGradient). */
  padded?: boolean;
  /** Ours on output channels padded to a multiple of 4 (simdConvGeometry declines the call itself). */
  paddedOutput?: boolean;
}

const CASES: Case[] = [
  { name: '3x3 same', x: [2, 8, 8, 4], filter: [3, 3, 4, 8], pad: 'same', ours: true },
  { name: '3x3 same, 3 input channels (XNNPACK)', x: [2, 8, 8, 3], filter: [3, 3, 3, 8], pad: 'same', ours: false },
  { name: '3x3 valid, non-square', x: [1, 10, 6, 8], filter: [3, 3, 8, 16], pad: 'valid', ours: true },
  { name: '1x1', x: [2, 4, 4, 7], filter: [1, 1, 7, 8], pad: 'valid', ours: true },
  { name: '3x3 same, 200 input channels (two blocks)', x: [1, 4, 8, 200], filter: [3, 3, 200, 16], pad: 'same', ours: true },
  { name: '2x3 same (uneven padding)', x: [2, 6, 8, 4], filter: [2, 3, 4, 8], pad: 'same', ours: true },
  { name: '5x5 explicit 2', x: [1, 8, 4, 4], filter: [5, 5, 4, 8], pad: 2, ours: true },
  { name: '3x3 same, 6 output channels (ours on the filter padded to 8)', x: [1, 8, 8, 4], filter: [3, 3, 4, 6], pad: 'same', ours: false, paddedOutput: true },
  { name: '3x3 same 12 -> 1 (a U-Net\'s last layer; ours padded to 4)', x: [2, 7, 7, 12], filter: [3, 3, 12, 1], pad: 'same', ours: false, paddedOutput: true },
  { name: '3x3 same 8 -> 3 (ours padded to 4)', x: [1, 6, 5, 8], filter: [3, 3, 8, 3], pad: 'same', ours: false, paddedOutput: true },
  { name: '3x3 same, width 6 (a last quad of 2 pixels)', x: [1, 6, 6, 4], filter: [3, 3, 4, 8], pad: 'same', ours: true },
  { name: '3x3 same 7x7, 80 input channels (tail quads, two blocks)', x: [2, 7, 7, 80], filter: [3, 3, 80, 16], pad: 'same', ours: true },
  { name: '3x3 valid 14x5 (width 3)', x: [2, 14, 5, 8], filter: [3, 3, 8, 8], pad: 'valid', ours: true },
  { name: '1x1 width 1', x: [3, 5, 1, 8], filter: [1, 1, 8, 8], pad: 'valid', ours: true },
  { name: '3x3 explicit 3 on 2x5 (rows and quads of padding only)', x: [2, 2, 5, 8], filter: [3, 3, 8, 8], pad: 3, ours: true },
  { name: '1x1 explicit 1 (a border of bias only)', x: [1, 6, 6, 8], filter: [1, 1, 8, 8], pad: 1, ours: true },
  { name: '3x3 same, 12 output channels (a last block of 4)', x: [2, 8, 8, 12], filter: [3, 3, 12, 12], pad: 'same', ours: true },
  { name: '3x3 same 7x7, 4 output channels, 68 input channels (tails everywhere)', x: [1, 7, 7, 68], filter: [3, 3, 68, 4], pad: 'same', ours: true },
  { name: '3x3 same, stride 2', x: [1, 8, 8, 4], filter: [3, 3, 4, 8], strides: 2, pad: 'same', ours: false },
  // Unpadded 1x1 convolutions over a multiple of 4 pixels: conv.wat's products.
  { name: '1x1, 12 output channels (products: a last block of 12)', x: [2, 6, 6, 16], filter: [1, 1, 16, 12], pad: 'valid', ours: true },
  { name: '1x1, 4 output channels (products: a block of 4)', x: [1, 4, 8, 12], filter: [1, 1, 12, 4], pad: 'valid', ours: true },
  { name: '1x1, 20 output channels (products: blocks of 8 and 12)', x: [2, 2, 6, 24], filter: [1, 1, 24, 20], pad: 'same', ours: true },
];

const TOL = 1e-5;

const size = (shape: number[]): number => shape.reduce((p, q) => p * q);

describe('wasm Conv2D and FusedConv2D (simd/conv.wat)', () => {
  beforeAll(async () => {
    registerWasmKernels();
    await tf.setBackend('wasm');
    await tf.ready();
    // The direct kernels on every shape (3x3 layers with 8 or more channels otherwise take the Winograd paths,
    // tested in wasm-winograd.test.ts).
    forceConvAlgorithm('direct');
  });
  afterAll(() => forceConvAlgorithm(null));

  for (const c of CASES) {
    const attrs = { strides: c.strides ?? 1, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
    it(`${c.name}: ${c.ours ? 'ours' : 'the wrapped kernel'}, = XNNPACK and cpu, with and without bias`, async () => {
      const x = { shape: c.x, data: values(size(c.x), 1) };
      const filter = { shape: c.filter, data: values(size(c.filter), 2) };
      const bias = { shape: [c.filter[3]], data: values(c.filter[3], 3) };
      const taken = simdConvGeometry({ dataId: {}, shape: c.x, dtype: 'float32' }, { dataId: {}, shape: c.filter, dtype: 'float32' },
        attrs as never);
      expect(taken !== null).toBe(c.ours);
      for (const [kernel, inputs, kernelAttrs] of convKernelCalls(x, filter, bias, attrs)) {
        const ref = await runKernelOn('cpu', kernel, inputs, kernelAttrs);
        const padded = convStats.paddedOutput;
        const got = await runKernelOn('wasm', kernel, inputs, kernelAttrs);
        expect(convStats.paddedOutput - padded, `${kernel}: padded output channels`).toBe(c.paddedOutput ? 1 : 0);
        expect(got.shape, kernel).toEqual(ref.shape);
        const vsCpu = maxAbsDiff(got.data, ref.data);
        expect(vsCpu.diff, `${kernel} vs cpu`).toBeLessThanOrEqual(TOL * Math.max(1, vsCpu.scale));
        const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
        const theirs = tf.engine().makeTensorFromTensorInfo(replacedWasmKernel(kernel)!.kernelFunc(
          { inputs: ts, backend: tf.backend(), attrs: kernelAttrs as never }) as tf.TensorInfo);
        const vsXnnpack = maxAbsDiff(got.data, (await theirs.data()) as Float32Array);
        expect(vsXnnpack.diff, `${kernel} vs XNNPACK`).toBeLessThanOrEqual(TOL * Math.max(1, vsXnnpack.scale));
        tf.dispose([theirs, ...Object.values(ts)]);
      }
    });
  }

  const MATMUL_CASES = [
    { name: 'deep product [64, 600] x [600, 16]', a: [64, 600], b: [600, 16], transposeB: false, ours: true },
    { name: 'batched, b transposed [2, 8, 520] x [2, 24, 520]^T', a: [2, 8, 520], b: [2, 24, 520], transposeB: true, ours: true },
    { name: 'batched a, one b [3, 8, 520] x [520, 16] (one stacked product)', a: [3, 8, 520], b: [520, 16], transposeB: false, ours: true },
    { name: 'one a, batched b [8, 520] x [3, 520, 16] (a product per entry)', a: [8, 520], b: [3, 520, 16], transposeB: false, ours: true },
    { name: 'n = 12 (a last block of 4) [16, 600] x [600, 12]', a: [16, 600], b: [600, 12], transposeB: false, ours: true },
    { name: 'm = 6 (one row of 6 pixels)', a: [6, 600], b: [600, 16], transposeB: false, ours: true },
    { name: 'k = 100 (wrapped kernel)', a: [64, 100], b: [100, 16], transposeB: false, ours: false },
  ];
  for (const c of MATMUL_CASES) {
    it(`BatchMatMul ${c.name} = XNNPACK and cpu`, async () => {
      const a = { shape: c.a, data: values(size(c.a), 9) };
      const b = { shape: c.b, data: values(size(c.b), 10) };
      const attrs = { transposeA: false, transposeB: c.transposeB };
      const ref = await runKernelOn('cpu', 'BatchMatMul', { a, b }, attrs);
      const got = await runKernelOn('wasm', 'BatchMatMul', { a, b }, attrs);
      expect(got.shape).toEqual(ref.shape);
      const vsCpu = maxAbsDiff(got.data, ref.data);
      expect(vsCpu.diff).toBeLessThanOrEqual(TOL * Math.max(1, vsCpu.scale));
      const [m, k] = c.a.slice(-2) as [number, number];
      const n = c.transposeB ? c.b.at(-2)! : c.b.at(-1)!;
      const a2 = tf.tensor2d(a.data.subarray(0, m * k), [m, k]);
      const b2 = tf.randomNormal([k, n]);
      const direct = simdMatMul(tf.backend() as never, a2, b2, m, k, n);
      expect(direct !== null).toBe(c.ours);
      if (direct) {
        const product = tf.engine().makeTensorFromTensorInfo(direct);
        const theirs = tf.engine().makeTensorFromTensorInfo(replacedWasmKernel('BatchMatMul')!.kernelFunc(
          { inputs: { a: a2, b: b2 }, backend: tf.backend(), attrs: { transposeA: false, transposeB: false } as never }) as tf.TensorInfo);
        const vsXnnpack = maxAbsDiff(await product.data(), await theirs.data());
        expect(vsXnnpack.diff).toBeLessThanOrEqual(TOL * Math.max(1, vsXnnpack.scale));
        tf.dispose([product, theirs]);
      }
      tf.dispose([a2, b2]);
    });
  }

  // The filter gradient in simd/conv-filter.wat: input and output channels % 4, stride 1.
  const FILTER_CASES: Case[] = [
    { name: '3x3 same 8x8', x: [2, 8, 8, 8], filter: [3, 3, 8, 16], pad: 'same', ours: true },
    { name: '3x3 valid, non-square', x: [1, 10, 6, 4], filter: [3, 3, 4, 8], pad: 'valid', ours: true },
    { name: '2x3 same (uneven padding)', x: [2, 6, 8, 4], filter: [2, 3, 4, 8], pad: 'same', ours: true },
    { name: '5x5 explicit 2', x: [1, 8, 5, 4], filter: [5, 5, 4, 8], pad: 2, ours: true },
    { name: '1x1 explicit 1 (padded: not a plain product)', x: [1, 4, 4, 8], filter: [1, 1, 8, 8], pad: 1, ours: true },
    { name: '3x3 same, 96 rows of width 4 (two chunks of rows)', x: [3, 32, 4, 4], filter: [3, 3, 4, 8], pad: 'same', ours: true },
    { name: '3x3 same 16x16 (two chunks)', x: [2, 16, 16, 4], filter: [3, 3, 4, 8], pad: 'same', ours: true },
    { name: '3 input channels (channels padded to 4)', x: [1, 8, 8, 3], filter: [3, 3, 3, 8], pad: 'same', ours: false, padded: true },
    { name: '1 input channel, 28x28 (channels padded to 4)', x: [2, 28, 28, 1], filter: [3, 3, 1, 12], pad: 'same', ours: false, padded: true },
    { name: '1 output channel, 28x28 (channels padded to 4)', x: [2, 28, 28, 12], filter: [3, 3, 12, 1], pad: 'same', ours: false, padded: true },
    { name: '3 in, 3 out, valid (both padded)', x: [1, 9, 7, 3], filter: [3, 3, 3, 3], pad: 'valid', ours: false, padded: true },
    { name: '2x3 same, 1 channel (uneven padding, channels padded)', x: [2, 8, 7, 1], filter: [2, 3, 1, 4], pad: 'same', ours: false, padded: true },
    { name: '3x2 same, 2 channels (uneven padding, channels padded)', x: [1, 7, 8, 2], filter: [3, 2, 2, 4], pad: 'same', ours: false, padded: true },
    { name: '12 output channels (a last block of 4)', x: [2, 8, 8, 4], filter: [3, 3, 4, 12], pad: 'same', ours: true },
    { name: '4 output channels, 16x16 (two chunks, only a last block)', x: [2, 16, 16, 8], filter: [3, 3, 8, 4], pad: 'same', ours: true },
    { name: '6 output channels (channels padded to 8)', x: [1, 8, 8, 4], filter: [3, 3, 4, 6], pad: 'same', ours: false, padded: true },
  ];
  for (const c of FILTER_CASES) {
    it(`Conv2DBackpropFilter ${c.name}: ${c.ours ? 'ours' : 'another path'}, = cpu`, async () => {
      const attrs = { strides: 1, pad: c.pad, dataFormat: 'NHWC', dilations: 1, filterShape: c.filter };
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, 1, 1, c.pad);
      const dyShape = [c.x[0], info.outHeight, info.outWidth, c.filter[3]];
      const x = { shape: c.x, data: values(size(c.x), 11) };
      const dy = { shape: dyShape, data: values(size(dyShape), 12) };
      const ref = await runKernelOn('cpu', 'Conv2DBackpropFilter', { x, dy }, attrs);
      const got = await runKernelOn('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
      expect(got.shape).toEqual(c.filter);
      const { diff, scale } = maxAbsDiff(got.data, ref.data);
      expect(diff).toBeLessThanOrEqual(TOL * Math.max(1, scale));
      const { padInfo } = info;
      const pad = { top: padInfo.top, left: padInfo.left, bottom: padInfo.bottom, right: padInfo.right };
      const before = tf.memory().numTensors;
      const xt = tf.tensor4d(x.data, c.x);
      const dyt = tf.tensor4d(dy.data, dyShape as [number, number, number, number]);
      const direct = simdFilterGradient(tf.backend() as never, xt, dyt, c.filter, pad);
      const padded = paddedChannelsFilterGradient(tf.backend() as never, xt, dyt, c.filter, pad);
      tf.dispose([xt, dyt]);
      expect(direct !== null).toBe(c.ours);
      expect(padded !== null).toBe(c.padded ?? false);
      for (const path of [direct, padded]) {
        if (!path) continue;
        const vs = maxAbsDiff((await path.data()) as Float32Array, got.data);
        expect(vs.diff).toBe(0); // the kernel took this path
        path.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('a non-linear FusedConv2D goes to the wrapped kernel (relu = cpu)', async () => {
    const x = { shape: [1, 4, 4, 3], data: values(48, 4) };
    const filter = { shape: [3, 3, 3, 8], data: values(216, 5) };
    const bias = { shape: [8], data: values(8, 6) };
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'relu' };
    const ref = await runKernelOn('cpu', 'FusedConv2D', { x, filter, bias }, attrs);
    const got = await runKernelOn('wasm', 'FusedConv2D', { x, filter, bias }, attrs);
    expect(Math.min(...got.data)).toBeGreaterThanOrEqual(0);
    const { diff, scale } = maxAbsDiff(got.data, ref.data);
    expect(diff).toBeLessThanOrEqual(TOL * Math.max(1, scale));
  });

  it('leaks no tensors (padding copies freed)', async () => {
    const x = tf.tensor4d(values(2 * 8 * 8 * 3, 7), [2, 8, 8, 3]);
    const f = tf.tensor4d(values(3 * 3 * 3 * 8, 8), [3, 3, 3, 8]);
    const before = tf.memory().numTensors;
    const y = tf.conv2d(x, f, 1, 'same');
    await y.data();
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, f, y]);
  });
});
