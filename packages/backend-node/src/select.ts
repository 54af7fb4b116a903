// useNodeBackend: pick and register the best engine in Node, in ENGINE_ORDER unless one is named, and say why
// each earlier one was skipped.
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUAdapterSummary } from '@edm/backend-webgpu/node';
import { startTensorflow } from './engines/tensorflow';
import { availableParallelism } from 'node:os';
import { startCpu, startWasm, type WasmStarted } from './engines/wasm';
import { MAX_WASM_THREADS } from './engines/wasm-threads';
import { startWebGPU } from './engines/webgpu';
import { ENGINE_ORDER, EngineUnavailable, NodeBackendError } from './types';
import type { NodeBackendOptions, NodeBackendReport, NodeEngine, SkippedEngine, WasmThreadKernels } from './types';

const ALIASES: Record<string, NodeEngine> = {
  'tensorflow-gpu': 'tensorflow-gpu',
  'tfjs-node-gpu': 'tensorflow-gpu',
  tensorflow: 'tensorflow',
  'tfjs-node': 'tensorflow',
  webgpu: 'webgpu',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** Parses an engine name (option or EDM_BACKEND), throwing a NodeBackendError that lists the valid ones. */
export function parseEngine(name: string, from: string): NodeEngine {
  const engine = ALIASES[name.trim().toLowerCase()];
  if (!engine) {
    throw new NodeBackendError(`${from}: unknown engine '${name}'; expected one of ${Object.keys(ALIASES).join(', ')}`);
  }
  return engine;
}

/** The wasm thread count asked for: the `threads` option, else EDM_WASM_THREADS, else 'auto' = the cores (at most 8). */
export function resolveWasmThreads(option: NodeBackendOptions['threads']): number {
  const given = option ?? (process.env.EDM_WASM_THREADS?.trim() || 'auto');
  const from = option !== undefined ? 'useNodeBackend option threads' : 'EDM_WASM_THREADS';
  if (given === 'auto') return Math.max(1, Math.min(MAX_WASM_THREADS, availableParallelism()));
  const n = typeof given === 'number' ? given : Number(given);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS) {
    throw new NodeBackendError(`${from}: expected 'auto' or an integer from 1 to ${MAX_WASM_THREADS}, got '${given}'`);
  }
  return n;
}

const THREAD_KERNELS: readonly WasmThreadKernels[] = ['edm', 'xnnpack'];

/** Which kernels get the wasm threads: the `threadKernels` option, else EDM_WASM_THREAD_KERNELS, else 'edm'. */
export function resolveWasmThreadKernels(option: NodeBackendOptions['threadKernels']): WasmThreadKernels {
  const given = option ?? (process.env.EDM_WASM_THREAD_KERNELS?.trim() || undefined);
  if (given === undefined) return 'edm';
  if (!THREAD_KERNELS.includes(given as WasmThreadKernels)) {
    const from = option !== undefined ? 'useNodeBackend option threadKernels' : 'EDM_WASM_THREAD_KERNELS';
    throw new NodeBackendError(`${from}: expected one of ${THREAD_KERNELS.map((k) => `'${k}'`).join(', ')}, got '${String(given)}'`);
  }
  return given as WasmThreadKernels;
}

async function start(engine: NodeEngine, options: NodeBackendOptions, allowSoftware: boolean, automatic: boolean):
  Promise<WebGPUAdapterSummary | WasmStarted | undefined> {
  switch (engine) {
    case 'tensorflow-gpu':
      return void (await startTensorflow(true));
    case 'tensorflow':
      return void (await startTensorflow(false));
    case 'webgpu':
      return startWebGPU({ ...options.webgpu, allowSoftwareAdapter: allowSoftware }, automatic);
    case 'wasm': {
      // Threads asked for by number must start; 'auto' (the default) falls back to one thread where the
      // threaded build's scripts are missing (a bundle that ships the .wasm files only).
      const asked = options.threads ?? (process.env.EDM_WASM_THREADS?.trim() || 'auto');
      return startWasm(options.wasmPath ?? (process.env.EDM_WASM_PATH || undefined), resolveWasmThreads(options.threads),
        resolveWasmThreadKernels(options.threadKernels), asked !== 'auto');
    }
    case 'cpu':
      return void (await startCpu());
  }
}

/**
 * Picks and registers the best tfjs engine available in Node and makes it active (`tf.ready()` done).
 * Order: tensorflow-gpu, tensorflow, webgpu (hardware adapter), wasm, cpu; `options.backend` or the
 * `EDM_BACKEND` environment variable names one to try first. Loading failures are caught and reported in
 * `skipped`; it throws only for an unknown engine name, or when `strict` and the named engine fails.
 */
export async function useNodeBackend(options: NodeBackendOptions = {}): Promise<NodeBackendReport> {
  const log = options.log ?? (() => {});
  const envName = process.env.EDM_BACKEND?.trim();
  let source: NodeBackendReport['source'] = 'auto';
  let named: NodeEngine | undefined;
  if (options.backend !== undefined) {
    named = parseEngine(options.backend, 'useNodeBackend option backend');
    source = 'option';
  } else if (envName) {
    named = parseEngine(envName, 'EDM_BACKEND');
    source = 'env';
  }
  const allowSoftware = options.allowSoftwareAdapter ?? process.env.EDM_WEBGPU_ALLOW_SOFTWARE === '1';
  const candidates = named ? ENGINE_ORDER.slice(ENGINE_ORDER.indexOf(named)) : [...ENGINE_ORDER];
  const skipped: SkippedEngine[] = [];
  for (const engine of candidates) {
    try {
      const started = await start(engine, options, allowSoftware, engine !== named);
      const wasm = typeof started === 'object' && 'threads' in started ? started : undefined;
      const adapter = typeof started === 'object' && !('threads' in started) ? started : undefined;
      const backend = tf.getBackend();
      const threads = wasm ? `, ${wasm.threads} thread${wasm.threads > 1 ? `s (${wasm.threadKernels} kernels)` : ''}` : '';
      log(`edm: using ${engine} (tfjs backend '${backend}'${adapter ? `, adapter ${adapter.vendor} ${adapter.architecture}` : ''}` +
        `${threads})` + (source === 'auto' ? '' : ` [${source === 'env' ? 'EDM_BACKEND' : 'backend option'}]`));
      return { engine, backend, ...(adapter ? { adapter } : {}), ...(wasm ? { threads: wasm.threads } : {}),
        ...(wasm?.threadKernels ? { threadKernels: wasm.threadKernels } : {}), skipped, source };
    } catch (e) {
      if (!(e instanceof EngineUnavailable)) throw e;
      skipped.push({ name: engine, reason: e.message, code: e.code });
      log(`edm: skipped ${engine}: ${e.message}`);
      if (named === engine && options.strict) {
        throw new NodeBackendError(`${source === 'env' ? 'EDM_BACKEND' : 'backend'} '${engine}' cannot start: ${e.message}`, skipped);
      }
    }
  }
  throw new NodeBackendError(`no engine could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`, skipped);
}
