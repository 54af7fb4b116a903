// Sum for wasm over a contiguous block of axes that is not the innermost (a convolution's bias gradient sums
// dy over N, H, W; a broadcast add's gradient over H, W), in our SIMD module (simd/reduce-sum.wat). tfjs-backend-
// wasm 4.22 first transposes the reduced axes innermost (a full strided copy) and then sums rows: 4% of a small
// DDPM++ training step. Here the input is read once, in place, and each output sums its inputs in the order
// tfjs's row loop does.
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, type WasmHeapBackend } from './heap';
import { REDUCE_SUM_WASM } from './simd/reduce-sum-wasm';
import { simdInstance } from './simd/instance';

interface SumExports extends WebAssembly.Exports {
  sumMiddle(x: number, y: number, outer: number, reduce: number, inner: number): void;
}

interface SumAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/** Wraps the original wasm Sum kernel (kept for innermost reductions, other dtypes and scattered axes). */
export function heapSum(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const first = axes[0];
    const last = axes.at(-1);
    if (x.dtype !== 'float32' || first === undefined || last === undefined || last === rank - 1 ||
      last - first + 1 !== axes.length || tf.util.sizeFromShape(x.shape) === 0) {
      return original(args);
    }
    const backend = args.backend as unknown as WasmHeapBackend;
    const simd = simdInstance<SumExports>(backend.wasm, REDUCE_SUM_WASM);
    if (!simd) return original(args);
    const outer = tf.util.sizeFromShape(x.shape.slice(0, first));
    const reduce = tf.util.sizeFromShape(x.shape.slice(first, last + 1));
    const inner = tf.util.sizeFromShape(x.shape.slice(last + 1));
    const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const out = backend.makeOutput(outShape, 'float32');
    simd.sumMiddle(heapOffset(backend, x), heapOffset(backend, out), outer, reduce, inner);
    return out;
  };
}
