// Slice, SplitV and Unpack for wasm as block copies out of the heap. tfjs-backend-wasm 4.22's Slice starts
// with `backend.readSync(x)`, which copies the WHOLE input out of the wasm heap into a fresh ArrayBuffer on
// every call, however small the slice: SplitV and Unpack call it once per output, and the batch split of
// BatchMatMul once per product. In a small DDPM++ training step that copy was 30% of the time.
// These kernels read the input through a view of the heap instead and copy each contiguous run once.
// Values are moved, never computed: the results are bit-identical.
import * as tf from '@tensorflow/tfjs-core';
import { bytesPerElement, fullStrides, heapOffset, heapView, type WasmHeapBackend } from './heap';
import { CONCAT_WASM } from './simd/concat-wasm';
import { simdInstance } from './simd/instance';

interface GatherExports extends WebAssembly.Exports {
  gather(dst: number, src: number, rows: number, rowBytes: number, srcStride: number): void;
}

/**
 * Copies x[begin : begin + size] (any rank) into a new wasm tensor. The trailing axes taken whole merge with
 * the last partial axis into one contiguous run, so a slice along the first axis is a single copy. The runs
 * of the innermost axes before it (every axis between them taken whole) are evenly spaced: one strided copy in
 * our SIMD module (simd/concat.wat) takes them all, so a channel slice of an NHWC tensor (the gradient of a
 * skip concatenation) is one call, where a JavaScript copy per pixel row took 2 ms on [16, 28, 28, 36].
 */
export function sliceFromHeap(x: tf.TensorInfo, begin: number[], size: number[], backend: WasmHeapBackend): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const total = tf.util.sizeFromShape(size);
  if (total === 0) return out;
  // Views are taken after makeOutput: allocating may grow the heap, which detaches older views.
  const src = heapView(backend, x);
  const dst = heapView(backend, out);
  const shape = x.shape;
  const rank = shape.length;
  if (rank === 0) {
    dst.set(src.subarray(0, 1));
    return out;
  }
  const strides = fullStrides(shape);
  // k: the outermost axis such that every axis after it is taken whole.
  let k = rank - 1;
  while (k > 0 && begin[k] === 0 && size[k] === shape[k]) k--;
  const run = size[k]! * strides[k]!;
  const runOffset = begin[k]! * strides[k]!;
  // Axes [m, k) (those after m taken whole): count runs, strides[k - 1] apart, in one strided copy.
  let m = k;
  let count = 1;
  if (k > 0) {
    m = k - 1;
    count = size[m]!;
    while (m > 0 && begin[m] === 0 && size[m] === shape[m]) count *= size[--m]!;
  }
  const bytes = bytesPerElement(x.dtype)!;
  const simd = count > 1 ? simdInstance<GatherExports>(backend.wasm, CONCAT_WASM) : null;
  const groupStride = k > 0 ? strides[k - 1]! : 0;
  const [srcBase, dstBase] = simd ? [heapOffset(backend, x), heapOffset(backend, out)] : [0, 0];
  // An odometer over the axes before m.
  const index = begin.slice(0, m);
  let outOffset = 0;
  for (;;) {
    let offset = runOffset + (m < k ? begin[m]! * strides[m]! : 0);
    for (let j = 0; j < m; j++) offset += index[j]! * strides[j]!;
    if (simd) {
      simd.gather(dstBase + outOffset * bytes, srcBase + offset * bytes, count, run * bytes, groupStride * bytes);
      outOffset += count * run;
    } else {
      for (let r = 0; r < count; r++, offset += groupStride, outOffset += run) dst.set(src.subarray(offset, offset + run), outOffset);
    }
    let j = m - 1;
    while (j >= 0) {
      index[j]!++;
      if (index[j]! < begin[j]! + size[j]!) break;
      index[j] = begin[j]!;
      j--;
    }
    if (j < 0) break;
  }
  return out;
}

/** Wraps the original wasm Slice kernel (kept for string tensors). */
export function heapSlice(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    if (x.dtype === 'string') return original(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceFromHeap(x, begin_, size_, args.backend as unknown as WasmHeapBackend);
  };
}

/** Wraps the original wasm SplitV kernel: one heap slice per part. */
export function heapSplitV(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    if (x.dtype === 'string') return original(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[ax] = s;
      const part = sliceFromHeap(x, [...begin], size, args.backend as unknown as WasmHeapBackend);
      begin[ax]! += s;
      return part;
    });
  };
}

/** Wraps the original wasm Unpack kernel (tf.unstack): one heap slice per entry along the axis. */
export function heapUnpack(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const value = args.inputs.value!;
    if (value.dtype === 'string') return original(args);
    let { axis } = args.attrs as unknown as { axis: number };
    const rank = value.shape.length;
    if (axis < 0) axis += rank;
    const outShape = value.shape.filter((_, i) => i !== axis);
    const size = [...value.shape];
    size[axis] = 1;
    const begin = new Array<number>(rank).fill(0);
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < value.shape[axis]!; i++) {
      begin[axis] = i;
      const part = sliceFromHeap(value, [...begin], size, args.backend as unknown as WasmHeapBackend);
      outs.push({ dataId: part.dataId, dtype: part.dtype, shape: outShape });
    }
    return outs;
  };
}
