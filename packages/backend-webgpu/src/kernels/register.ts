// The one place where WebGPU kernels are added or replaced. Each replacement keeps the kernel it replaces (see
// `replacedWebGPUKernel`, used by the tests to prove both compute the same). Added: @edm/core's fused kernels
// (a kernel per backend, one gradient for all) in WGSL, so the U-Nets' hot patterns take a few dispatches each.
import * as tf from '@tensorflow/tfjs-core';
import {
  ADAM_KERNEL, GROUP_NORM_SILU_GRAD_KERNEL, GROUP_NORM_SILU_KERNEL, UPSAMPLE_NEAREST_GRAD_KERNEL, UPSAMPLE_NEAREST_KERNEL,
} from '@edm/core';
import { adamWebGPU } from './adam';
import { chunkedAddN } from './add-n';
import { groupNormSiluGradWebGPU, groupNormSiluWebGPU } from './group-norm-silu';
import { upsampleNearestGradWebGPU, upsampleNearestWebGPU } from './upsample';

/** @edm/core's fused kernels we register for 'webgpu', by kernel name. */
export const WEBGPU_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  // GroupNorm + SiLU: 2 dispatches forward instead of about 15, 5 backward instead of about 30.
  [GROUP_NORM_SILU_KERNEL]: groupNormSiluWebGPU,
  [GROUP_NORM_SILU_GRAD_KERNEL]: groupNormSiluGradWebGPU,
  // Adam: 3 dispatches per parameter instead of about 17.
  [ADAM_KERNEL]: adamWebGPU,
  // 2x nearest upsampling: 1 dispatch each way instead of 2.
  [UPSAMPLE_NEAREST_KERNEL]: upsampleNearestWebGPU,
  [UPSAMPLE_NEAREST_GRAD_KERNEL]: upsampleNearestGradWebGPU,
};

const originals = new Map<string, tf.KernelConfig>();

function replace(kernelName: string, wrap: (original: tf.KernelConfig['kernelFunc']) => tf.KernelConfig['kernelFunc']): void {
  if (originals.has(kernelName)) return;
  const original = tf.getKernel(kernelName, 'webgpu');
  if (!original) return;
  originals.set(kernelName, original);
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({ ...original, kernelFunc: wrap(original.kernelFunc) });
}

/**
 * Registers our WebGPU kernel replacements and additions (idempotent; needs `@tensorflow/tfjs-backend-webgpu`
 * loaded):
 * - AddN: any number of inputs (tfjs's own is wrong beyond the device's storage-buffer limit);
 * - {@link WEBGPU_KERNELS}: @edm/core's fused GroupNorm + SiLU, Adam and upsampling kernels.
 */
export function registerWebGPUKernelFixes(): void {
  replace('AddN', chunkedAddN);
  for (const [kernelName, kernelFunc] of Object.entries(WEBGPU_KERNELS)) {
    if (!tf.getKernel(kernelName, 'webgpu')) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
  }
}

/** The original tfjs kernel that {@link registerWebGPUKernelFixes} replaced, if it did. */
export function replacedWebGPUKernel(kernelName: string): tf.KernelConfig | undefined {
  return originals.get(kernelName);
}
