// Add and Multiply for wasm where both inputs are float32 and the broadcast is one our SIMD module takes
// (simd/binary.wat): equal shapes, one input a row [N, 1, ..., 1, C...] or [C...] of the other's trailing axes
// (per image or shared), or a scalar. Everything else (other dtypes, other broadcasts, trailing sizes not a
// multiple of 4) goes to the kernel it wraps. tfjs-backend-wasm 4.22 runs broadcasts as a generic index loop:
// the mnist preset's embedding adds ([16, 28, 28, 12] + [16, 1, 1, 12]) took 0.34 ms each against 0.11 for an add
// of equal shapes. On the calling thread only: split over 2 threads, an add of two [16, 28, 28, 12] tensors took
// 64-81 us against 52-55 on one (the operands sit in the calling core's cache; one add per element gains nothing
// from a second core that must fetch them).
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, type WasmHeapBackend } from './heap';
import { BINARY_WASM } from './simd/binary-wasm';
import { simdInstance } from './simd/instance';

interface BinaryExports extends WebAssembly.Exports {
  rows(op: number, a: number, b: number, out: number, outer: number, mid: number, inner: number, bStride: number): void;
  scalar(op: number, a: number, s: number, out: number, count: number): void;
}

/** How b broadcasts against a (a's shape is the output's): our module's arguments, or null. */
type Plan =
  | { kind: 'rows'; outer: number; mid: number; inner: number; bStride: number }
  | { kind: 'scalar'; count: number };

/** The plan for a (op) b with a at least as large as b, or null where our module does not take the shapes. */
function plan(aShape: number[], bShape: number[]): Plan | null {
  const size = tf.util.sizeFromShape(aShape);
  if (size === 0 || aShape.length === 0) return null;
  if (tf.util.sizeFromShape(bShape) === 1 && bShape.length <= aShape.length) {
    return size % 4 === 0 ? { kind: 'scalar', count: size } : null;
  }
  const outer = aShape[0]!;
  const perOuter = size / outer;
  if (tf.util.arraysEqual(aShape, bShape)) return perOuter % 4 === 0 ? { kind: 'rows', outer, mid: 1, inner: perOuter, bStride: perOuter } : null;
  if (bShape.length > aShape.length) return null;
  // b left-padded with ones to a's rank: [b0, 1, ..., 1, a_k, ..., a_last] with b0 equal to a's first axis or 1.
  const b = [...Array(aShape.length - bShape.length).fill(1), ...bShape] as number[];
  let k = aShape.length;
  while (k > 1 && b[k - 1] === aShape[k - 1]) k--;
  // axes [k, rank) match a's (the inner row); axes [1, k) must be 1 in b
  for (let i = 1; i < k; i++) if (b[i] !== 1) return null;
  const inner = tf.util.sizeFromShape(aShape.slice(k));
  if (inner % 4 !== 0 || k === aShape.length) return null;
  const mid = tf.util.sizeFromShape(aShape.slice(1, k));
  if (b[0] === outer && k > 1) return { kind: 'rows', outer, mid, inner, bStride: inner };
  if (b[0] === 1) return { kind: 'rows', outer: 1, mid: outer * mid, inner, bStride: 0 };
  return null;
}

/** Calls our module computed in this process (the tests check which shapes take it). */
export const binaryStats = { calls: 0 };

/** Wraps wasm's Add (op 0) or Multiply (op 1): ours where {@link plan} takes the shapes. */
function heapBinary(op: 0 | 1): (original: tf.KernelFunc) => tf.KernelFunc {
  return (original) => (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    // Both operations commute (bit for bit): the larger input is a.
    const [x, y] = tf.util.sizeFromShape(b.shape) > tf.util.sizeFromShape(a.shape) ? [b, a] : [a, b];
    const p = plan(x.shape, y.shape);
    if (!p) return original(args);
    const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (!tf.util.arraysEqual(outShape, x.shape)) return original(args);
    const backend = args.backend as unknown as WasmHeapBackend;
    const simd = simdInstance<BinaryExports>(backend.wasm, BINARY_WASM);
    if (!simd) return original(args);
    binaryStats.calls++;
    const out = backend.makeOutput(outShape, 'float32');
    const [px, py, po] = [heapOffset(backend, x), heapOffset(backend, y), heapOffset(backend, out)];
    if (p.kind === 'scalar') simd.scalar(op, px, py, po, p.count);
    else simd.rows(op, px, py, po, p.outer, p.mid, p.inner, p.bStride);
    return out;
  };
}

/** Add on the heap (see the banner). */
export const heapAdd = heapBinary(0);
/** Multiply on the heap (see the banner). */
export const heapMultiply = heapBinary(1);
