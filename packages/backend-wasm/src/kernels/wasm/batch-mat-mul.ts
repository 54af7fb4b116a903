// BatchMatMul for wasm, in our SIMD module where it takes the shape. tfjs-backend-wasm 4.22 multiplies with
// XNNPACK only for a single matrix product without transposes; batched or transposed products (attention's
// q k^T and w v, and every matMul gradient) take a slow generic loop (19% of a small DDPM++ training step,
// measured). This kernel materialises the transposes on the heap (simd/transpose.wat's tiles; where
// n % 4 != 0, b gets columns up to a multiple of 4 and the product is sliced after) and computes every entry
// in one call of simd/conv.wat's convolution (simdMatMul), with no tfjs ops: at attention's 7x7 shapes
// ([16, 49, 49] x [16, 49, 24]) the ops' engine overhead cost as much as the products, and one XNNPACK call per
// entry with slices and a concatenation took 4-8x as long. Sums differ from XNNPACK's and the loop's only by
// float32 rounding. A single product our module declines (small depth on one thread, where XNNPACK is as fast
// but for small products with a b made here) goes to XNNPACK on the materialised operands; where the module
// is missing, one XNNPACK call per entry.
import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from '../geometry';
import { simdMatMul } from './conv2d';
import { heapMemory, heapOffset, type WasmHeapBackend } from './heap';
import { simdInstance } from './simd/instance';
import { TRANSPOSE_WASM } from './simd/transpose-wasm';
import { sliceFromHeap } from './slice';

interface TransposeExports extends WebAssembly.Exports {
  plane(src: number, dst: number, nv: number, nu: number, srcStrideV: number, dstStrideU: number): void;
}

/** Products smaller than this (M*K*N per batch entry) stay on the original kernel: the split costs more. */
const MIN_WORK_PER_PRODUCT = 16 * 16 * 16;
/** Where our module declines, more batch entries than this stay on the original kernel (one call per entry). */
const MAX_SPLIT_BATCH = 256;

/**
 * A single product whose b this kernel materialised (transposed or padded) takes our module at any depth up to
 * this many multiply-adds: XNNPACK's operator cache keys on the tensor, so it packs such a b anew on every
 * call, which cost more than our module's slower short blocks: [16,24] x [48,24]^T 71 -> 26 us,
 * [64,100] x [16,100]^T 36 -> 23; at [3136,12] x [12,36] XNNPACK with a new b each call took 250 us, ours 444.
 */
const MAX_FRESH_B_WORK = 1 << 17;

interface Attrs {
  transposeA: boolean;
  transposeB: boolean;
}

/**
 * Which path each call took, in this process (a check for tests and benchmarks): ours (our module), xnnpack (a
 * single product our module declined, on the operands materialised here), split (one XNNPACK call per entry)
 * or original (the wrapped kernel on the call's own inputs).
 */
export const batchMatMulPaths = { ours: 0, xnnpack: 0, split: 0, original: 0 };

/**
 * x's [entries, rows, cols] matrices (stored as [entries, cols, rows] where `transposed`) as a new heap tensor
 * [entries * rows, width >= cols]; null where the transpose module is missing. Columns from cols on are left
 * as the allocator gave them: a product's column j reads only b's column j, and the caller drops those.
 */
function materialise(backend: WasmHeapBackend, x: tf.TensorInfo, entries: number, rows: number, cols: number,
  transposed: boolean, width: number): tf.TensorInfo | null {
  const simd = transposed ? simdInstance<TransposeExports>(backend.wasm, TRANSPOSE_WASM) : null;
  if (transposed && !simd) return null;
  const out = backend.makeOutput([entries * rows, width], 'float32');
  const src = heapOffset(backend, x);
  const dst = heapOffset(backend, out);
  if (simd) {
    for (let e = 0; e < entries; e++) simd.plane(src + 4 * e * rows * cols, dst + 4 * e * rows * width, cols, rows, rows, width);
    return out;
  }
  // A view after the allocation (growing the heap detaches older ones).
  const heap = new Float32Array(heapMemory(backend.wasm).buffer);
  for (let r = 0, d = dst >> 2, s = src >> 2; r < entries * rows; r++, d += width, s += cols) heap.copyWithin(d, s, s + cols);
  return out;
}

/** Wraps the original wasm BatchMatMul kernel (kept for the cases it handles well and for each product). */
export function fastBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { backend } = args;
    const heap = backend as unknown as WasmHeapBackend;
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
      const ours = simdMatMul(heap, a, b, m, k, n);
      if (ours) {
        batchMatMulPaths.ours++;
        return { ...ours, shape: [...a.shape.slice(0, -2), m, n] };
      }
    }
    if (simple || !broadcastOk || a.dtype !== 'float32' || b.dtype !== 'float32' || m * k * n < MIN_WORK_PER_PRODUCT) {
      batchMatMulPaths.original++;
      return original(args);
    }
    const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
    const ours = oursBatched(heap, original, a, b, { a: batchA, b: batchB }, m, k, n, transposeA, transposeB);
    if (ours) return { ...ours, shape: outShape };
    if (batch > MAX_SPLIT_BATCH) {
      batchMatMulPaths.original++;
      return original(args);
    }
    return tf.tidy(() => {
      let a3 = tf.reshape(asTensor(a), transposeA ? [batchA, k, m] : [batchA, m, k]);
      let b3 = tf.reshape(asTensor(b), transposeB ? [batchB, n, k] : [batchB, k, n]);
      if (transposeA) a3 = tf.transpose(a3, [0, 2, 1]);
      if (transposeB) b3 = tf.transpose(b3, [0, 2, 1]);
      // One XNNPACK product per entry (our module declined the shape: no SIMD, no room on the heap).
      batchMatMulPaths.split++;
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

/**
 * The product in our module, transposes and padding materialised on the heap and freed after: [batch * m, n],
 * or null where the module declines it. A single product it declines (small depth on one thread, b the
 * caller's own or the product large) goes to XNNPACK on the materialised operands.
 */
function oursBatched(heap: WasmHeapBackend, original: tf.KernelFunc, a: tf.TensorInfo, b: tf.TensorInfo,
  batch: { a: number; b: number }, m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): tf.TensorInfo | null {
  const backend = heap as unknown as tf.KernelBackend;
  // Our module computes columns in fours: b gets columns up to a multiple of 4, the product loses them.
  const n4 = Math.ceil(n / 4) * 4;
  const temporaries: tf.TensorInfo[] = [];
  const operand = (x: tf.TensorInfo, entries: number, rows: number, cols: number, transposed: boolean, width: number) => {
    if (!transposed && width === cols) return x;
    const t = materialise(heap, x, entries, rows, cols, transposed, width);
    if (t) temporaries.push(t);
    return t;
  };
  try {
    const a2 = operand(a, batch.a, m, k, transposeA, k);
    const b2 = a2 && operand(b, batch.b, k, n, transposeB, n4);
    if (!a2 || !b2) return null;
    let product = simdMatMul(heap, a2, b2, m, k, n4, batch, b2 !== b && m * k * n <= MAX_FRESH_B_WORK);
    if (product) {
      batchMatMulPaths.ours++;
    } else if (batch.a === 1 && batch.b === 1) {
      batchMatMulPaths.xnnpack++;
      product = original({ inputs: { a: { ...a2, shape: [m, k] }, b: { ...b2, shape: [k, n4] } }, backend,
        attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
    }
    if (!product || n4 === n) return product;
    temporaries.push(product);
    return sliceFromHeap(product, [0, 0], [Math.max(batch.a, batch.b) * m, n], heap);
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}
