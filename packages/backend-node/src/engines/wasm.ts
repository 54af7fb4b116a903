// tfjs-backend-wasm (SIMD, XNNPACK) with our kernels for training (kernels/wasm). The .wasm files are
// located explicitly so the backend also works when this package is bundled (emscripten would otherwise
// look next to the bundle).
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { registerWasmKernels } from '../kernels/wasm/register';
import { withWasmThreads } from './wasm-threads';
import { EngineUnavailable } from '../types';

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

/**
 * Registers our wasm kernels, points tfjs at the .wasm files and makes 'wasm' active, with `threads` XNNPACK
 * threads (1: the single-threaded build; more: the threaded build, see wasm-threads.ts). Returns the thread
 * count in use. The first start in a process decides the build; later calls reuse it.
 */
export async function startWasm(wasmPath: string | undefined, threads = 1): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  if (!tf.findBackend('wasm')) {
    const dir = wasmPath ?? defaultWasmDir();
    if (dir) wasm.setWasmPaths(dir.endsWith('/') ? dir : `${dir}/`);
  }
  let ok = false;
  let why = 'tf.setBackend returned false';
  const activate = async () => {
    ok = await tf.setBackend('wasm');
    await tf.ready();
  };
  try {
    if (threads > 1 && !wasmStarted()) await withWasmThreads(wasm, threads, activate);
    else await activate();
  } catch (e) {
    why = e instanceof Error ? e.message : String(e);
  }
  if (!ok || tf.getBackend() !== 'wasm') {
    const from = wasmPath ?? defaultWasmDir();
    throw new EngineUnavailable('init-failed', `wasm did not start (.wasm files from ${from ?? 'next to the bundle: ' +
      '@tensorflow/tfjs-backend-wasm cannot be resolved from here; set wasmPath or EDM_WASM_PATH to its dist/ folder'}): ${why}`);
  }
  return wasm.getThreadsCount();
}

/** Makes the plain-JavaScript 'cpu' backend active. */
export async function startCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  const ok = await tf.setBackend('cpu');
  await tf.ready();
  if (!ok) throw new EngineUnavailable('init-failed', 'cpu did not start');
}
