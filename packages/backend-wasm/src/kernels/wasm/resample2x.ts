// The U-Nets' box-filter 2x resampling on the wasm heap (simd/resample2x.wat), where JavaScript loops or tfjs's
// generic kernels were slow: @edm/core's nearest-neighbour upsampling kernels (EdmUpsampleNearest2x and its
// gradient: one pass each instead of two tiles forward and zeros, slices and adds backward) and AvgPoolGrad of
// the 2x2 stride-2 average pool (the down layers' gradient; tfjs-backend-wasm 4.22's loop took 3-5 ms on
// [16, 28, 28, 12]). Values moved or summed as the kernels they replace do: bit-identical (tests).
import * as tf from '@tensorflow/tfjs-core';
import {
  UPSAMPLE_NEAREST_GRAD_KERNEL, UPSAMPLE_NEAREST_KERNEL, checkFloat32, upsampleInputShape, upsampleNearestGradLoop,
  upsampleNearestLoop,
} from '@edm/core';
import { heapOffset, heapView, type WasmHeapBackend } from './heap';
import { RESAMPLE2X_WASM } from './simd/resample2x-wasm';
import { simdInstance } from './simd/instance';

interface ResampleExports extends WebAssembly.Exports {
  up(dst: number, src: number, rows: number, w: number, c: number, scale: number): void;
  down(dst: number, src: number, rows: number, w: number, c: number): void;
}

const module = (b: WasmHeapBackend) => simdInstance<ResampleExports>(b.wasm, RESAMPLE2X_WASM);

/** EdmUpsampleNearest2x for wasm. */
export const upsampleNearestWasm: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as WasmHeapBackend;
  const x = inputs.x!;
  checkFloat32(UPSAMPLE_NEAREST_KERNEL, { x });
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const y = b.makeOutput([n, 2 * h, 2 * w, c], 'float32');
  if (n * h * w * c === 0) return y;
  const simd = module(b);
  if (simd) simd.up(heapOffset(b, y), heapOffset(b, x), n * h, w, c, 1);
  else upsampleNearestLoop(heapView(b, x) as Float32Array, x.shape, heapView(b, y) as Float32Array);
  return y;
};

/** EdmUpsampleNearest2xGrad for wasm. */
export const upsampleNearestGradWasm: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as WasmHeapBackend;
  const dy = inputs.dy!;
  checkFloat32(UPSAMPLE_NEAREST_GRAD_KERNEL, { dy });
  const shape = upsampleInputShape(UPSAMPLE_NEAREST_GRAD_KERNEL, dy);
  const dx = b.makeOutput(shape, 'float32');
  if (tf.util.sizeFromShape(shape) === 0) return dx;
  const simd = module(b);
  if (simd) simd.down(heapOffset(b, dx), heapOffset(b, dy), shape[0] * shape[1], shape[2], shape[3]);
  else upsampleNearestGradLoop(heapView(b, dy) as Float32Array, shape, heapView(b, dx) as Float32Array);
  return dx;
};

interface PoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Wraps wasm's AvgPoolGrad: ours for a 2x2 window, stride 2, no padding and even height and width (every window
 * apart, each dy spread over its window times 1/4), the original kernel otherwise.
 */
export function avgPoolGrad2x2(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const b = args.backend as unknown as WasmHeapBackend;
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const a = args.attrs as unknown as PoolGradAttrs;
    const two = (v: number | [number, number]) => (Array.isArray(v) ? v[0] === 2 && v[1] === 2 : v === 2);
    const simd = module(b);
    if (!simd || dy.dtype !== 'float32' || input.shape.length !== 4 || !two(a.filterSize) || !two(a.strides) ||
      a.pad !== 'valid' || input.shape[1]! % 2 !== 0 || input.shape[2]! % 2 !== 0 ||
      !tf.util.arraysEqual(dy.shape, [input.shape[0]!, input.shape[1]! / 2, input.shape[2]! / 2, input.shape[3]!])) {
      return original(args);
    }
    const dx = b.makeOutput(input.shape, 'float32');
    if (tf.util.sizeFromShape(dy.shape) > 0) simd.up(heapOffset(b, dx), heapOffset(b, dy), dy.shape[0]! * dy.shape[1]!, dy.shape[2]!, dy.shape[3]!, 0.25);
    return dx;
  };
}
