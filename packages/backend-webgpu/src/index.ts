// @edm/backend-webgpu: tfjs's WebGPU backend for EDM. Browsers: `useWebGPU()` (navigator.gpu, WebGL
// fallback). Node: `useWebGPUInNode()` from `@edm/backend-webgpu/node` (Dawn). This entry is browser-safe.
import '@edm/core';

export { describeAdapter, formatAdapter } from './adapter-info';
export type { AdapterInfoLike, GPUAdapterLike, GPULike, WebGPUAdapterSummary } from './adapter-info';
export { WebGPUUnavailableError } from './errors';
export type { WebGPUUnavailableReason } from './errors';
export { registerWebGPUBackend } from './register';
export type { WebGPUBackendInfo, WebGPUOptions } from './register';
export { useWebGPU } from './use-webgpu';
export type { UseWebGPUOptions, WebGPUReport } from './use-webgpu';
export { registerWebGPUKernelFixes, replacedWebGPUKernel, WEBGPU_KERNELS } from './kernels/register';
