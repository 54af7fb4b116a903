// Concat for wasm as strided row copies on the heap (simd/concat.wat). tfjs-backend-wasm 4.22's Concat
// copies each input's rows with a JavaScript subarray + set per row: for the U-Net's skip concatenations
// (rows of 32-128 channels, tens of thousands of pixels) that was 6% of sampling the MNIST model. Here each
// input is one call that copies all its rows. Bytes are moved, never computed: bit-identical.
import * as tf from '@tensorflow/tfjs-core';
import { bytesPerElement, heapOffset, type WasmHeapBackend } from './heap';
import { CONCAT_WASM } from './simd/concat-wasm';
import { simdInstance } from './simd/instance';

interface ConcatExports extends WebAssembly.Exports {
  rows(dst: number, src: number, rows: number, rowBytes: number, dstStride: number): void;
}

/** Wraps the original wasm Concat kernel (kept for strings and a single non-empty input). */
export function heapConcat(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const bytes = bytesPerElement(inputs[0]!.dtype);
    const parts = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    if (!bytes || parts.length < 2) return original(args);
    const b = args.backend as unknown as WasmHeapBackend;
    const simd = simdInstance<ConcatExports>(b.wasm, CONCAT_WASM);
    if (!simd) return original(args);
    const axis = tf.util.parseAxisParam((args.attrs as unknown as { axis: number }).axis, inputs[0]!.shape)[0]!;
    const shapes = inputs.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const out = b.makeOutput(tf.backend_util.computeOutShape(shapes, axis), inputs[0]!.dtype);
    // Rows: everything before the axis; each input contributes a contiguous block of every output row.
    const rows = tf.util.sizeFromShape(inputs[0]!.shape.slice(0, axis));
    const widths = parts.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)) * bytes);
    const outRow = widths.reduce((s, w) => s + w, 0);
    let dst = heapOffset(b, out);
    parts.forEach((t, i) => {
      simd.rows(dst, heapOffset(b, t), rows, widths[i]!, outRow);
      dst += widths[i]!;
    });
    return out;
  };
}
