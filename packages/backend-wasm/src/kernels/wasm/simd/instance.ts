// Our own WebAssembly SIMD modules (*.wat next to this file, compiled by scripts/wat.mjs) instantiated on
// tfjs-backend-wasm's heap: each imports the backend's memory, so it reads and writes tensors in place by
// their heap offsets. One instance per memory and module; null where the engine cannot run them (no SIMD),
// and callers then keep their JavaScript loops.
import { heapMemory, type WasmModule } from '../heap';

/** A module's binaries as scripts/wat.mjs writes them (base64). */
export interface WatBinaries {
  plain: string;
  shared: string;
}

interface Compiled {
  module: WebAssembly.Module;
  exports: WebAssembly.Exports;
}

const instances = new WeakMap<WebAssembly.Memory, Map<WatBinaries, Compiled | null>>();

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Whether this engine compiles the module (WebAssembly SIMD), known before any backend exists. */
export function simdSupported(binaries: WatBinaries): boolean {
  return WebAssembly.validate(decode(binaries.plain));
}

/** Whether a heap's memory is shared (tfjs's threaded build). */
export function isSharedMemory(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** The module's exports on this heap, or null if this engine cannot compile it. */
export function simdInstance<T extends WebAssembly.Exports>(module: WasmModule, binaries: WatBinaries): T | null {
  return (simdCompiled(module, binaries)?.exports ?? null) as T | null;
}

/** The compiled module and its instance on this heap, or null if this engine cannot compile it. */
export function simdCompiled(module: WasmModule, binaries: WatBinaries): Compiled | null {
  const memory = heapMemory(module);
  let byModule = instances.get(memory);
  if (!byModule) instances.set(memory, (byModule = new Map()));
  if (!byModule.has(binaries)) {
    const shared = isSharedMemory(memory);
    let compiled: Compiled | null = null;
    try {
      const wasmModule = new WebAssembly.Module(decode(shared ? binaries.shared : binaries.plain));
      compiled = { module: wasmModule, exports: new WebAssembly.Instance(wasmModule, { env: { memory } }).exports };
    } catch {
      compiled = null; // no WebAssembly SIMD here
    }
    byModule.set(binaries, compiled);
  }
  return byModule.get(binaries) ?? null;
}

/** The heap byte offset of a view of the heap (throws if `view` is not one). */
export function heapPointer(memory: WebAssembly.Memory, view: ArrayBufferView): number {
  if (view.buffer !== memory.buffer) throw new Error('simd: an array passed to a SIMD kernel is not a view of the wasm heap');
  return view.byteOffset;
}

/**
 * Compiles and instantiates `modules` on this heap asynchronously, so that later (synchronous) kernel calls find
 * them ready: browsers refuse synchronous compilation and instantiation of larger modules on the main thread
 * (Chromium: RangeError, "use WebAssembly.compile"). A module the engine cannot compile stays absent (its kernels
 * keep their fallbacks).
 */
export async function prepareSimdModules(module: WasmModule, modules: readonly WatBinaries[]): Promise<void> {
  const memory = heapMemory(module);
  let byModule = instances.get(memory);
  if (!byModule) instances.set(memory, (byModule = new Map()));
  const shared = isSharedMemory(memory);
  await Promise.all(modules.filter((b) => !byModule!.has(b)).map(async (binaries) => {
    let compiled: Compiled | null = null;
    try {
      const wasmModule = await WebAssembly.compile(decode(shared ? binaries.shared : binaries.plain));
      const instance = await WebAssembly.instantiate(wasmModule, { env: { memory } });
      compiled = { module: wasmModule, exports: instance.exports };
    } catch {
      compiled = null; // no WebAssembly SIMD here
    }
    byModule!.set(binaries, compiled);
  }));
}
