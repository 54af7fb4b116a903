// Starting tfjs's wasm backend with our kernels, in a browser (or any engine without Node's threads): the
// kernels registered, our WebAssembly modules compiled and instantiated ahead of the first kernel call
// (browsers refuse to do that synchronously on the main thread for larger modules), and the backend made active.
// Threads: tfjs picks its threaded build by itself where the page is cross-origin isolated (SharedArrayBuffer);
// there XNNPACK runs on its threads and our row-split kernels stay out (in Node, @edm/backend-node gives the
// threads to our kernels instead).
import * as tf from '@tensorflow/tfjs-core';
import type { WasmModule } from './kernels/wasm/heap';
import { registerWasmKernels } from './kernels/wasm/register';
import { prepareSimdModules, simdSupported } from './kernels/wasm/simd/instance';
import { SIMD_MODULES } from './kernels/wasm/simd/modules';
import { ADAM_WASM } from './kernels/wasm/simd/adam-wasm';

/** Options of {@link useWasm}. */
export interface UseWasmOptions {
  /**
   * Where tfjs-backend-wasm's .wasm files are: a folder URL (ending in '/') or one URL per file name
   * (`tfjs-backend-wasm.wasm`, `tfjs-backend-wasm-simd.wasm`, `tfjs-backend-wasm-threaded-simd.wasm`), as
   * `setWasmPaths` takes them. Default: tfjs's own default (next to the script).
   */
  wasmPaths?: string | Record<string, string>;
  /** XNNPACK threads on the threaded build (cross-origin isolated pages only). Default: tfjs's choice. */
  threads?: number;
}

/** What {@link useWasm} started. */
export interface WasmReport {
  backend: 'wasm';
  /** WebAssembly SIMD available: our SIMD kernels run (else their JavaScript loops and tfjs's kernels). */
  simd: boolean;
  /** Threads tfjs's build runs XNNPACK on (1: the single-threaded build). */
  threads: number;
}

/**
 * Makes tfjs's wasm backend, with our kernels, the active backend. Throws an Error naming the reason when it
 * cannot start (no WebAssembly, .wasm files not found).
 */
export async function useWasm(options: UseWasmOptions = {}): Promise<WasmReport> {
  if (typeof WebAssembly !== 'object') throw new Error('useWasm: this engine has no WebAssembly');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  if (options.wasmPaths !== undefined && !tf.engine().registry.wasm) {
    wasm.setWasmPaths(options.wasmPaths as Parameters<typeof wasm.setWasmPaths>[0]);
  }
  if (options.threads !== undefined) wasm.setThreadsCount(options.threads);
  let ok = false;
  let why = 'tf.setBackend returned false';
  try {
    ok = await tf.setBackend('wasm');
    await tf.ready();
  } catch (e) {
    why = e instanceof Error ? e.message : String(e);
  }
  if (!ok || tf.getBackend() !== 'wasm') throw new Error(`useWasm: the wasm backend did not start: ${why}`);
  await prepareSimdModules((tf.backend() as unknown as { wasm: WasmModule }).wasm, SIMD_MODULES);
  return { backend: 'wasm', simd: simdSupported(ADAM_WASM), threads: wasm.getThreadsCount() };
}
