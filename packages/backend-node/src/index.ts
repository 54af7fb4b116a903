// @edm/backend-node: picks and registers the best TensorFlow.js engine in Node for EDM (tfjs-node-gpu,
// tfjs-node, WebGPU on Dawn, wasm, cpu), with the wasm kernels training needs (@edm/backend-wasm) and threads
// for them (worker_threads).
import '@edm/core';

export { useNodeBackend, parseEngine } from './select';
export { ENGINE_ORDER, NodeBackendError } from './types';
export type { NodeBackendOptions, NodeBackendReport, NodeEngine, SkipCode, SkippedEngine, WasmThreadKernels } from './types';
// The wasm kernels live in @edm/backend-wasm (browser-safe); re-exported here for Node callers.
export {
  conv2dFilterGradient, conv2dInputGradient, convAlgorithm, depthwiseFilterGradient, depthwiseInputGradient, filterGradientAlgorithm,
  forceConvAlgorithm, registerWasmKernels, replacedWasmKernel, WASM_KERNELS, wasmThreadStats, type ConvAlgorithm,
  type WasmThreadStats,
} from '@edm/backend-wasm';
export { defaultWasmDir } from './engines/wasm';
export { MAX_WASM_THREADS } from './engines/wasm-threads';
