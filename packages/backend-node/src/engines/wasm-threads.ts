// Multi-threaded wasm in Node (opt-in). tfjs-backend-wasm 4.22 ships a threaded SIMD build (XNNPACK on a
// pthreadpool of emscripten workers) but never uses it in Node (its WASM_HAS_MULTITHREAD_SUPPORT flag is
// hard-coded false there, tfjs issue 3830). Three things stand in the way, each undone here only while the
// backend starts:
// 1. tfjs hands emscripten a `blob:` URL for the worker script and a Blob for the main script; Node's
//    worker_threads can load neither. While the backend starts, `worker_threads.Worker` is a subclass that
//    runs the worker script from source (`eval`) and tells each worker to import the main script from its
//    file in the package (`wasm-out/tfjs-backend-wasm-threaded-simd.js`, the same build).
// 2. The C++ side caps the pool at `os.cpus().length / 2` (it assumes 2 hyper-threads per core), so a 2-core
//    machine gets 1 thread: `os.cpus` reports 2 x the requested count while the module initialises.
// 3. The flag is set to true.
// The pool's workers are unref'd once the backend is up (emscripten keeps the one running XNNPACK's thread
// ref'd), so a process still exits on its own when its work is done: the main thread drives all work
// synchronously, so nothing is pending in a worker when the event loop is empty.
// Results are bit-identical to single-threaded wasm (XNNPACK splits work by output tiles, not by sums).
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The most threads the tfjs wasm build can use (its C++ side caps the pool at 8). */
export const MAX_WASM_THREADS = 8;

/** The tfjs-backend-wasm exports this uses. */
interface WasmModuleExports {
  setThreadsCount(n: number): void;
}

type WorkerCtor = typeof import('node:worker_threads').Worker;

const THREADED_SCRIPTS = ['tfjs-backend-wasm-threaded-simd.js', 'tfjs-backend-wasm-threaded-simd.worker.js'];

/**
 * The tfjs-backend-wasm package folder whose `wasm-out/` holds the threaded build's scripts: next to the .wasm
 * files in use (`wasmDir`, its `dist/`), else the installed package; null where neither has them (a bundle
 * shipped with the .wasm files only).
 */
export function threadedBuildDir(wasmDir: string | undefined): string | null {
  const candidates: string[] = [];
  if (wasmDir) candidates.push(join(wasmDir, '..'));
  try {
    candidates.push(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '..'));
  } catch {
    // not resolvable from here (bundled)
  }
  return candidates.find((dir) => THREADED_SCRIPTS.every((f) => existsSync(join(dir, 'wasm-out', f)))) ?? null;
}

/**
 * Runs `start` (which must start the 'wasm' backend for the first time) on tfjs's threaded build, with
 * `threads` XNNPACK threads (1 to MAX_WASM_THREADS: 1 when our own pool takes the cores, engines/wasm.ts), its
 * scripts from `packageDir` (threadedBuildDir).
 */
export async function withWasmThreads(wasm: WasmModuleExports, threads: number, packageDir: string,
  start: () => Promise<void>): Promise<void> {
  const require = createRequire(import.meta.url);
  const mainScript = join(packageDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  // The worker script's source, as tfjs embeds it (a module exporting it as a string).
  const workerSource = (require(join(packageDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as
    { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');

  const workerThreads = require('node:worker_threads') as { Worker: WorkerCtor };
  const os = require('node:os') as { cpus: () => unknown[] };
  const OriginalWorker = workerThreads.Worker;
  const originalCpus = os.cpus;
  const pool: InstanceType<WorkerCtor>[] = [];
  class FileBackedWorker extends OriginalWorker {
    constructor(script: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      const fromBlob = String(script).startsWith('blob:');
      super(fromBlob ? workerSource : script, fromBlob ? { ...options, eval: true } : options);
      pool.push(this);
    }

    override postMessage(message: unknown, transfer?: readonly import('node:worker_threads').TransferListItem[]): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m && m.cmd === 'load' && typeof m.urlOrBlob !== 'string') message = { ...m, urlOrBlob: mainScript };
      super.postMessage(message, transfer);
    }
  }
  workerThreads.Worker = FileBackedWorker;
  os.cpus = () => new Array(2 * threads).fill(originalCpus()[0]);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  try {
    await start();
  } finally {
    workerThreads.Worker = OriginalWorker;
    os.cpus = originalCpus;
  }
  for (const worker of pool) worker.unref();
}
