// The public vocabulary of @edm/backend-node: engines, options, and the report of what was chosen and why.
import type { NodeWebGPUOptions, WebGPUAdapterSummary } from '@edm/backend-webgpu/node';

/**
 * The engines `useNodeBackend` can pick, fastest first:
 * - 'tensorflow-gpu': libtensorflow with CUDA via `@tensorflow/tfjs-node-gpu` (tfjs backend 'tensorflow');
 * - 'tensorflow': libtensorflow on the CPU via `@tensorflow/tfjs-node` (tfjs backend 'tensorflow');
 * - 'webgpu': WebGPU through Dawn (npm `webgpu`), on a hardware adapter unless software is allowed;
 * - 'wasm': `@tensorflow/tfjs-backend-wasm` (SIMD, XNNPACK), plus our kernels for training;
 * - 'cpu': `@tensorflow/tfjs-backend-cpu` (plain JavaScript).
 */
export type NodeEngine = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Which kernels get the wasm engine's threads (see {@link NodeBackendOptions.threadKernels}). */
export type WasmThreadKernels = 'edm' | 'xnnpack';

/** The automatic order. */
export const ENGINE_ORDER: readonly NodeEngine[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** Why an engine was not used. */
export type SkipCode =
  | 'not-installed' // its npm package is not installed (tfjs-node, tfjs-node-gpu, webgpu)
  | 'load-failed' // installed but failed to load (missing CUDA/cuDNN, native binding errors, ...)
  | 'no-adapter' // WebGPU: no adapter
  | 'software-adapter' // WebGPU: only a software adapter, and allowSoftwareAdapter is off
  | 'init-failed'; // the tfjs backend did not start

/** An engine that was tried before the chosen one, and why it was not used. */
export interface SkippedEngine {
  /** The engine. */
  name: NodeEngine;
  /** Human-readable reason, including the underlying error message where there was one. */
  reason: string;
  /** The reason as a code. */
  code: SkipCode;
}

/** Options of {@link useNodeBackend}. */
export interface NodeBackendOptions {
  /**
   * The engine to use. Default: the `EDM_BACKEND` environment variable, else the first that works in
   * {@link ENGINE_ORDER}. Also accepts the package names 'tfjs-node' and 'tfjs-node-gpu'. When the named
   * engine cannot start, the engines after it in the order are tried (and the report says why), unless
   * `strict` is set.
   */
  backend?: NodeEngine | 'tfjs-node' | 'tfjs-node-gpu';
  /** Throw (NodeBackendError) instead of falling back when the named engine cannot start. Default false. */
  strict?: boolean;
  /**
   * Accept a software WebGPU adapter (SwiftShader, lavapipe). Default false, or true when the environment
   * variable `EDM_WEBGPU_ALLOW_SOFTWARE=1`: software WebGPU is slower than wasm on the same CPU.
   */
  allowSoftwareAdapter?: boolean;
  /** Options for Dawn (e.g. `vulkanICD: SWIFTSHADER_ICD` to run WebGPU on the CPU); see @edm/backend-webgpu/node. */
  webgpu?: Omit<NodeWebGPUOptions, 'allowSoftwareAdapter'>;
  /**
   * Directory holding tfjs-backend-wasm's `.wasm` files. Default: the `EDM_WASM_PATH` environment variable,
   * else the installed `@tensorflow/tfjs-backend-wasm/dist/` (resolved at run time, so it also works when
   * this package is bundled).
   */
  wasmPath?: string;
  /**
   * Threads for the wasm engine: 1 (the single-threaded build), 2-8 (tfjs's threaded build, which tfjs never
   * enables in Node; we start it with worker_threads, see engines/wasm-threads.ts), or 'auto' (one per core,
   * at most 8; 1 on a single core). Default: the `EDM_WASM_THREADS` environment variable, else 'auto'. More
   * than one thread starts 8 pooled emscripten workers and, with `threadKernels` 'edm', `threads - 1` workers of
   * ours: about +85 MB RSS and +0.35 s start-up here, for a small DDPM++ training step 0.52-0.56 s instead of
   * 0.72-0.97 s on 2 cores. None keeps the process alive. The first wasm start in a process fixes the build
   * and the threads.
   */
  threads?: number | 'auto';
  /**
   * Which kernels run on the wasm threads when `threads` is above 1:
   * - 'edm' (default): ours, the convolutions, their filter gradients and the matrix products in our
   *   WebAssembly SIMD modules, split over rows on worker_threads; XNNPACK keeps one thread for the rest;
   * - 'xnnpack': XNNPACK's own thread pool, and our SIMD convolutions stay out (tfjs's pthreads spin after
   *   each XNNPACK call and would take the cores from ours).
   * Default: the `EDM_WASM_THREAD_KERNELS` environment variable, else 'edm' (a small DDPM++ training step at
   * batch 8 on 2 cores: 0.56 s against 0.75 s, docs/performance.md). Both give the same bits as one thread
   * with the same kernels.
   */
  threadKernels?: WasmThreadKernels;
  /** Receives one line per decision ("skipped tensorflow-gpu: not installed", "using wasm"). Default: none. */
  log?: (line: string) => void;
}

/** What {@link useNodeBackend} chose, and why the engines before it were skipped. */
export interface NodeBackendReport {
  /** The engine in use. */
  engine: NodeEngine;
  /** The tfjs backend name now active (`tf.getBackend()`): 'tensorflow', 'webgpu', 'wasm' or 'cpu'. */
  backend: string;
  /** The WebGPU adapter, when the engine is 'webgpu'. */
  adapter?: WebGPUAdapterSummary;
  /** The threads the wasm engine computes on, when the engine is 'wasm'. */
  threads?: number;
  /** Which kernels those threads run, when the engine is 'wasm' with more than one thread. */
  threadKernels?: WasmThreadKernels;
  /** Engines tried first, in order, each with the reason it was not used. */
  skipped: SkippedEngine[];
  /** Where the choice came from: the `backend` option, the `EDM_BACKEND` variable, or the automatic order. */
  source: 'option' | 'env' | 'auto';
}

/** Thrown for a bad engine name, or (with `strict`) when the named engine cannot start. */
export class NodeBackendError extends Error {
  override readonly name = 'NodeBackendError';
  constructor(message: string, /** The engines that failed, with reasons. */ readonly skipped: SkippedEngine[] = []) {
    super(message);
  }
}

/** Thrown by an engine loader: why that engine cannot start. */
export class EngineUnavailable extends Error {
  constructor(readonly code: SkipCode, message: string, readonly adapter?: WebGPUAdapterSummary) {
    super(message);
  }
}
