// tfjs-backend-wasm (SIMD, XNNPACK) with our kernels for training (@edm/backend-wasm), their row-split functions
// on worker_threads (threads/row-pool.ts). The .wasm files are located explicitly so the backend also works
// when this package is bundled (emscripten would otherwise look next to the bundle).
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registerWasmKernels, setRowPoolFactory, setSimdThreads, startSimdPool, type WasmModule } from '@edm/backend-wasm';
import { RowPool } from '../threads/row-pool';
import { threadedBuildDir, withWasmThreads } from './wasm-threads';
import { EngineUnavailable, type WasmThreadKernels } from '../types';

/** The directory of the installed tfjs-backend-wasm's .wasm files, with a trailing separator. */
export function defaultWasmDir(): string | undefined {
  try {
    const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    return join(dirname(main), '/');
  } catch {
    return undefined;
  }
}

/** True once the wasm backend has been started in this process (its module, threads included, is fixed then). */
function wasmStarted(): boolean {
  try {
    return tf.engine().registry.wasm !== undefined;
  } catch {
    return false;
  }
}

/** The wasm engine as started: its threads, and which kernels they run (more than one thread only). */
export interface WasmStarted {
  threads: number;
  threadKernels?: WasmThreadKernels;
}

let started: WasmStarted | null = null;

/**
 * Registers our wasm kernels, points tfjs at the .wasm files and makes 'wasm' active on `threads` threads
 * (1: the single-threaded build; more: the threaded build, see wasm-threads.ts), which run our SIMD kernels
 * ('edm': split over rows by simd/pool.ts, XNNPACK on one thread) or XNNPACK's ('xnnpack'). The first start in
 * a process decides the build and the threads; later calls reuse them.
 */
export async function startWasm(wasmPath: string | undefined, threads = 1, threadKernels: WasmThreadKernels = 'edm',
  threadsRequired = false): Promise<WasmStarted> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  setRowPoolFactory((memory, functions, count) => new RowPool(memory, functions, count));
  const dir = wasmPath ?? defaultWasmDir();
  if (!tf.findBackend('wasm') && dir) wasm.setWasmPaths(dir.endsWith('/') ? dir : `${dir}/`);
  let ok = false;
  let why = 'tf.setBackend returned false';
  const activate = async () => {
    ok = await tf.setBackend('wasm');
    await tf.ready();
  };
  const first = !wasmStarted();
  const threadedDir = threads > 1 && first ? threadedBuildDir(dir) : null;
  if (threads > 1 && first && !threadedDir) {
    // A bundle shipped with the .wasm files only: one thread, unless threads were asked for by number.
    if (threadsRequired) {
      throw new EngineUnavailable('init-failed', `wasm: ${threads} threads need tfjs-backend-wasm's threaded build, ` +
        `wasm-out/tfjs-backend-wasm-threaded-simd.js and its .worker.js, next to the .wasm files' folder ${dir ?? '(none)'}/..; ` +
        'ship them with the bundle or ask for 1 thread');
    }
    threads = 1;
  }
  try {
    if (threadedDir && threadKernels === 'edm') {
      // The threaded build (a shared heap) with XNNPACK on the calling thread: the cores go to our pool.
      await withWasmThreads(wasm, 1, threadedDir, activate);
      setSimdThreads(threads);
    } else if (threadedDir) {
      await withWasmThreads(wasm, threads, threadedDir, activate);
    } else {
      await activate();
    }
  } catch (e) {
    why = e instanceof Error ? e.message : String(e);
  }
  if (!ok || tf.getBackend() !== 'wasm') {
    const from = wasmPath ?? defaultWasmDir();
    throw new EngineUnavailable('init-failed', `wasm did not start (.wasm files from ${from ?? 'next to the bundle: ' +
      '@tensorflow/tfjs-backend-wasm cannot be resolved from here; set wasmPath or EDM_WASM_PATH to its dist/ folder'}): ${why}`);
  }
  if (first || !started) {
    const xnnpackThreads = wasm.getThreadsCount();
    started = threadedDir && threadKernels === 'edm' ? { threads, threadKernels }
      : xnnpackThreads > 1 ? { threads: xnnpackThreads, threadKernels: 'xnnpack' } : { threads: 1 };
    // Our pool's workers start now: each compiles and warms up the modules before it takes any rows.
    await startSimdPool((tf.backend() as unknown as { wasm: WasmModule }).wasm);
  }
  return started;
}

/** Makes the plain-JavaScript 'cpu' backend active. */
export async function startCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  const ok = await tf.setBackend('cpu');
  await tf.ready();
  if (!ok) throw new EngineUnavailable('init-failed', 'cpu did not start');
}
