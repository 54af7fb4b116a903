// The parts of tfjs-backend-wasm's BackendWasm that our heap kernels use (slice.ts, reverse.ts, identity.ts,
// group-norm.ts, transpose.ts, simd/): outputs allocated in the wasm heap, views of tensors in it, reference
// counts, and the emscripten module's allocator and memory.
import * as tf from '@tensorflow/tfjs-core';

/** tfjs-backend-wasm's BackendWasm, as far as our kernels use it. */
export interface WasmHeapBackend {
  /** A new tensor of `shape` in the heap (may grow the heap, which detaches earlier views). */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** Where each tensor's data lives in the heap (byte offset). */
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
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

/** The heap's memory: exported by the instance (single-threaded build) or kept on the module (threaded). */
export function heapMemory(module: WasmModule): WebAssembly.Memory {
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!memory) throw new Error('tfjs-backend-wasm: cannot find the wasm heap memory (wasmMemory / asm.memory)');
  return memory;
}

const BYTES_PER_ELEMENT: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

/** Bytes per element of a dtype in the heap (undefined for strings, which live outside it). */
export function bytesPerElement(dtype: tf.DataType): number | undefined {
  return BYTES_PER_ELEMENT[dtype];
}

/**
 * The byte offset of a tensor's data in the heap. Throws where the data would reach past the heap's end:
 * near the 4 GiB limit tfjs-backend-wasm 4.22's allocator hands out blocks that do not fit instead of
 * failing (seen on a CIFAR-10 DDPM++ training step at batch 8).
 */
export function heapOffset(backend: WasmHeapBackend, info: tf.TensorInfo): number {
  const entry = backend.dataIdMap.get(info.dataId);
  if (!entry) throw new Error('wasm: a kernel input has no data on the wasm heap (disposed?)');
  const offset = entry.memoryOffset >>> 0;
  const bytes = tf.util.sizeFromShape(info.shape) * (bytesPerElement(info.dtype) ?? 4);
  const heapBytes = heapMemory(backend.wasm).buffer.byteLength;
  if (offset + bytes > heapBytes) {
    throw new Error(`wasm: the heap is exhausted: a ${info.dtype} tensor [${info.shape}] at byte ${offset} would end ` +
      `past the heap's ${heapBytes} bytes (the wasm engine addresses at most 4 GiB); use a smaller batch or another engine`);
  }
  return offset;
}

/**
 * Whether `bytes` past each tensor's end are still heap: for our SIMD kernels that read (never write) a little
 * past a tensor, which they may do only where that stays inside the memory (else the caller's kernel).
 */
export function roomAfter(backend: WasmHeapBackend, tensors: (tf.TensorInfo | null)[], bytes: number): boolean {
  const heapBytes = heapMemory(backend.wasm).buffer.byteLength;
  return tensors.every((t) => !t || heapOffset(backend, t) + 4 * tf.util.sizeFromShape(t.shape) + bytes <= heapBytes);
}

/**
 * A view of a tensor's data on the heap's current buffer: take it after every allocation of the same kernel
 * call (growing a plain memory detaches older views). Unlike tfjs's typedArrayFromHeap, which reads
 * emscripten's HEAPU8: in the threaded build that can lag behind the grown shared memory, and views past
 * its old end throw (a CIFAR-10 training step at batch 8 on 2 threads).
 */
export function heapView(backend: WasmHeapBackend, info: tf.TensorInfo): tf.TypedArray {
  const buffer = heapMemory(backend.wasm).buffer;
  const offset = heapOffset(backend, info);
  const size = tf.util.sizeFromShape(info.shape);
  switch (info.dtype) {
    case 'float32': return new Float32Array(buffer, offset, size);
    case 'int32': return new Int32Array(buffer, offset, size);
    case 'bool': return new Uint8Array(buffer, offset, size);
    default: throw new Error(`wasm: no heap view for dtype ${info.dtype}`);
  }
}

/** Row-major strides of `shape`, with the innermost axis' stride 1 included (length = rank). */
export function fullStrides(shape: readonly number[]): number[] {
  return shape.length === 0 ? [] : [...tf.util.computeStrides([...shape]), 1];
}

/**
 * A block of `bytes` from the heap's allocator, or null where it cannot give one: near the 4 GiB limit tfjs's
 * allocator fails (0) or hands out blocks past the heap's end (see heapOffset).
 */
function allocateBlock(backend: WasmHeapBackend, bytes: number): number | null {
  const pointer = backend.wasm._malloc(bytes) >>> 0;
  if (pointer !== 0 && pointer + bytes <= heapMemory(backend.wasm).buffer.byteLength) return pointer;
  if (pointer !== 0) backend.wasm._free(pointer);
  return null;
}

/**
 * Runs `run` with blocks of these byte sizes allocated on the heap, and frees them after it (also when it
 * throws); null, without running it, where the heap cannot hold them.
 */
export function withHeapBlocks<T>(backend: WasmHeapBackend, sizes: readonly number[],
  run: (pointers: number[]) => T): T | null {
  const pointers: number[] = [];
  try {
    for (const bytes of sizes) {
      const pointer = allocateBlock(backend, bytes);
      if (pointer === null) return null;
      pointers.push(pointer);
    }
    return run(pointers);
  } finally {
    pointers.forEach((p) => backend.wasm._free(p));
  }
}

const zeroBlocks = new WeakMap<WebAssembly.Memory, { pointer: number; floats: number }>();

/**
 * At least `floats` zero floats on this heap, kept per memory (and replaced by a larger block when a call needs
 * more): what our SIMD kernels read as padding. Null where the heap cannot hold them.
 */
export function zeroBlock(backend: WasmHeapBackend, floats: number): number | null {
  const memory = heapMemory(backend.wasm);
  const current = zeroBlocks.get(memory);
  if (current && current.floats >= floats) return current.pointer;
  const pointer = allocateBlock(backend, 4 * floats);
  if (pointer === null) return null;
  new Float32Array(heapMemory(backend.wasm).buffer, pointer, floats).fill(0);
  if (current) backend.wasm._free(current.pointer);
  zeroBlocks.set(memory, { pointer, floats });
  return pointer;
}

/**
 * x's last axis (its channels) zero-padded to `c4` on the heap (a new float32 tensor): one loop over the rows,
 * where tfjs's PadV2 took 0.38 ms for [16, 28, 28, 1] -> 4 channels.
 */
export function padChannels(backend: WasmHeapBackend, x: tf.TensorInfo, c4: number): tf.TensorInfo {
  const shape = x.shape.slice();
  const c = shape[shape.length - 1]!;
  shape[shape.length - 1] = c4;
  const out = backend.makeOutput(shape, 'float32');
  // Views after the allocation: growing the heap detaches earlier views.
  const src = heapView(backend, x) as Float32Array;
  const dst = heapView(backend, out) as Float32Array;
  dst.fill(0);
  const pixels = src.length / c;
  for (let p = 0, i = 0, o = 0; p < pixels; p++, o += c4) for (let j = 0; j < c; j++) dst[o + j] = src[i++]!;
  return out;
}
