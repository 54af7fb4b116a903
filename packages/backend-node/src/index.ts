// @edm/backend-node: picks and registers the best TensorFlow.js engine in Node for EDM (tfjs-node-gpu,
// tfjs-node, WebGPU on Dawn, wasm, cpu), with the wasm kernels training needs.
import '@edm/core';

export { useNodeBackend, parseEngine } from './select';
export { ENGINE_ORDER, NodeBackendError } from './types';
export type { NodeBackendOptions, NodeBackendReport, NodeEngine, SkipCode, SkippedEngine, WasmThreadKernels } from './types';
export { registerWasmKernels, replacedWasmKernel, WASM_KERNELS } from './kernels/wasm/register';
export { conv2dFilterGradient } from './kernels/wasm/conv2d-backprop-filter';
export { conv2dInputGradient } from './kernels/wasm/conv2d-backprop-input';
export { depthwiseFilterGradient, depthwiseInputGradient } from './kernels/wasm/depthwise-backprop';
export { defaultWasmDir } from './engines/wasm';
export { MAX_WASM_THREADS } from './engines/wasm-threads';
export { wasmThreadStats, type WasmThreadStats } from './kernels/wasm/simd/pool';
