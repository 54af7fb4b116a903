// The parts of tfjs-backend-wasm's BackendWasm that our copying kernels use (slice.ts, reverse.ts,
// identity.ts, group-norm.ts): outputs allocated in the wasm heap, views of tensors in it, reference counts.
import * as tf from '@tensorflow/tfjs-core';

/** tfjs-backend-wasm's BackendWasm, as far as our kernels use it. */
export interface WasmHeapBackend {
  /** A new tensor of `shape` in the heap (may grow the heap, which detaches earlier views). */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of a tensor's data in the heap: take it after every makeOutput of the same kernel call. */
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
  /** One more reference to a tensor's data. */
  incRef(dataId: tf.DataId): void;
  /** The emscripten module: the heap's allocator and memory. */
  wasm: WasmModule;
}

/** The parts of tfjs-backend-wasm's emscripten module that our SIMD modules use (simd/instance.ts). */
export interface WasmModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  /** The heap's memory in the threaded build (shared). */
  wasmMemory?: WebAssembly.Memory;
  /** The instance's exports; the heap's memory in the single-threaded build. */
  asm?: { memory?: WebAssembly.Memory };
}

/** Row-major strides of `shape`, with the innermost axis' stride 1 included (length = rank). */
export function fullStrides(shape: readonly number[]): number[] {
  return shape.length === 0 ? [] : [...tf.util.computeStrides([...shape]), 1];
}
