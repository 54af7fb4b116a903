// BatchMatMul for wasm, routed to XNNPACK's fast path. tfjs-backend-wasm 4.22 multiplies with XNNPACK only
// for a single matrix product without transposes; batched or transposed products (attention's q k^T and
// w v, and every matMul gradient) take a slow generic loop (19% of a small DDPM++ training step, measured). This kernel
// materialises the transposes, splits the batch into single products for the original kernel, and
// concatenates: the same products (XNNPACK's summation order differs from the loop's only by float32
// rounding), 3-4x faster on attention's [8, 256, 64] shapes.
import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from '../geometry';
import { simdMatMul } from './conv2d';
import type { WasmHeapBackend } from './heap';

/** Products smaller than this (M*K*N per batch entry) stay on the original kernel: the split costs more. */
const MIN_WORK_PER_PRODUCT = 16 * 16 * 16;
/** More batch entries than this stay on the original kernel (one kernel call per entry). */
const MAX_SPLIT_BATCH = 256;

interface Attrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** Wraps the original wasm BatchMatMul kernel (kept for the cases it handles well and for each product). */
export function fastBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { backend } = args;
    const { transposeA, transposeB } = args.attrs as unknown as Attrs;
    const a = args.inputs.a!;
    const b = args.inputs.b!;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
    const batch = Math.max(batchA, batchB);
    const simple = batch === 1 && !transposeA && !transposeB;
    // Broadcasting other than "one side has a single matrix" stays with the original kernel.
    const broadcastOk = batchA === batchB || batchA === 1 || batchB === 1;
    if (simple && m * k * n >= MIN_WORK_PER_PRODUCT) {
      const ours = simdMatMul(backend as unknown as WasmHeapBackend, a, b, m, k, n);
      if (ours) return { ...ours, shape: [...a.shape.slice(0, -2), m, n] };
    }
    if (simple || !broadcastOk || a.dtype !== 'float32' || b.dtype !== 'float32' || batch > MAX_SPLIT_BATCH ||
      m * k * n < MIN_WORK_PER_PRODUCT) {
      return original(args);
    }
    const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
    return tf.tidy(() => {
      let a3 = tf.reshape(asTensor(a), transposeA ? [batchA, k, m] : [batchA, m, k]);
      let b3 = tf.reshape(asTensor(b), transposeB ? [batchB, n, k] : [batchB, k, n]);
      if (transposeA) a3 = tf.transpose(a3, [0, 2, 1]);
      if (transposeB) b3 = tf.transpose(b3, [0, 2, 1]);
      // All entries in our module where it takes the shape (no slices, no concatenation).
      const all = simdMatMul(backend as unknown as WasmHeapBackend, a3, b3, m, k, n, { a: batchA, b: batchB });
      if (all) return tf.reshape(tf.engine().makeTensorFromTensorInfo(all), outShape);
      // Otherwise one XNNPACK product per entry (our module declined the shape above, and would for each entry).
      const product = (ai: tf.Tensor, bi: tf.Tensor): tf.Tensor => {
        const info = original({ inputs: { a: ai, b: bi }, backend, attrs: { transposeA: false, transposeB: false } });
        return tf.engine().makeTensorFromTensorInfo(info as tf.TensorInfo);
      };
      const parts: tf.Tensor[] = [];
      for (let i = 0; i < batch; i++) {
        const ai = batchA === 1 ? a3 : tf.slice(a3, [i, 0, 0], [1, m, k]);
        const bi = batchB === 1 ? b3 : tf.slice(b3, [i, 0, 0], [1, k, n]);
        parts.push(product(ai, bi));
      }
      return tf.reshape(parts.length === 1 ? parts[0]! : tf.concat(parts, 0), outShape);
    });
  };
}
