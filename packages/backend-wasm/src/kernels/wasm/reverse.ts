// Reverse for wasm as block copies. tfjs-backend-wasm 4.22 reverses element by element through a generic
// index computation; the input gradient of every convolution (conv2d-backprop-input.ts) reverses its filter's
// two spatial axes, i.e. it reorders kh*kw contiguous blocks of in*out values (4% of a small DDPM++ training
// step). Here the axes after the last reversed one form one contiguous block, copied with one `set`, and an
// odometer walks the axes before it. Values are moved, never computed: bit-identical.
import * as tf from '@tensorflow/tfjs-core';
import { fullStrides, heapView, type WasmHeapBackend } from './heap';

/** Wraps the original wasm Reverse kernel (kept for strings and scalars). */
export function blockReverse(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    const rank = x.shape.length;
    if (x.dtype === 'string' || rank === 0) return original(args);
    const { dims } = args.attrs as unknown as { dims: number | number[] };
    const axes = tf.util.parseAxisParam(dims, x.shape);
    const reversed = new Array<boolean>(rank).fill(false);
    for (const a of axes) reversed[a] = true;
    const backend = args.backend as unknown as WasmHeapBackend;
    const out = backend.makeOutput([...x.shape], x.dtype);
    const size = tf.util.sizeFromShape(x.shape);
    if (size === 0) return out;
    const src = heapView(backend, x);
    const dst = heapView(backend, out);
    let last = rank - 1;
    while (last >= 0 && !reversed[last]) last--;
    if (last < 0) {
      dst.set(src);
      return out;
    }
    const strides = fullStrides(x.shape);
    const block = strides[last]!;
    // Odometer over axes 0..last; the output offset runs in order, the source offset mirrors reversed axes.
    const index = new Array<number>(last + 1).fill(0);
    for (let o = 0; o < size; o += block) {
      let from = 0;
      for (let j = 0; j <= last; j++) from += (reversed[j] ? x.shape[j]! - 1 - index[j]! : index[j]!) * strides[j]!;
      if (block === 1) dst[o] = src[from]!;
      else dst.set(src.subarray(from, from + block), o);
      for (let j = last; j >= 0; j--) {
        if (++index[j]! < x.shape[j]!) break;
        index[j] = 0;
      }
    }
    return out;
  };
}
