// Identity for wasm by reference, as the cpu backend does it. tfjs-backend-wasm 4.22 copies the data, and
// the engine calls Identity (tensor.clone) on every input and output it saves for the backward pass: 1000
// copies in a small DDPM++ training step. tfjs tensors are immutable (a Variable's assign swaps its data
// instead of writing into it), so sharing the data under a reference count is safe; the result is the same data.
import type * as tf from '@tensorflow/tfjs-core';
import type { WasmHeapBackend } from './heap';

/** Wraps the original wasm Identity kernel (kept for string tensors). */
export function sharedIdentity(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    if (x.dtype === 'string') return original(args);
    (args.backend as unknown as WasmHeapBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
