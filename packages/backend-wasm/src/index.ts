// @edm/backend-wasm: our kernels for tfjs's wasm backend (the kernels training needs, fused GroupNorm and Adam,
// WebAssembly SIMD convolutions), browser-safe. Browsers: `useWasm()`. Node: @edm/backend-node starts the wasm
// engine with these kernels and adds threads for them (setRowPoolFactory: worker_threads).
import '@edm/core';

export { useWasm, type UseWasmOptions, type WasmReport } from './use-wasm';
export { registerWasmKernels, replacedWasmKernel, WASM_KERNELS } from './kernels/wasm/register';
export { conv2dFilterGradient } from './kernels/wasm/conv2d-backprop-filter';
export { convAlgorithm, filterGradientAlgorithm, forceConvAlgorithm, type ConvAlgorithm } from './kernels/wasm/conv2d-winograd';
export { conv2dInputGradient } from './kernels/wasm/conv2d-backprop-input';
export { depthwiseFilterGradient, depthwiseInputGradient } from './kernels/wasm/depthwise-backprop';
export type { WasmHeapBackend, WasmModule } from './kernels/wasm/heap';
export { prepareSimdModules } from './kernels/wasm/simd/instance';
export { SIMD_MODULES } from './kernels/wasm/simd/modules';
export {
  rowPoolStats, setRowPoolFactory, setSimdThreads, startSimdPool, wasmThreadStats, type PooledFunction, type RowPool,
  type RowPoolFactory, type WasmThreadStats,
} from './kernels/wasm/simd/pool';
