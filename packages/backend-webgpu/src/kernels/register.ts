// The one place where WebGPU kernels are replaced. Each replacement keeps the kernel it replaces (see
// `replacedWebGPUKernel`, used by the tests to prove both compute the same).
import * as tf from '@tensorflow/tfjs-core';
import { chunkedAddN } from './add-n';

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
 * Registers our WebGPU kernel replacements (idempotent; needs `@tensorflow/tfjs-backend-webgpu` loaded):
 * - AddN: any number of inputs (tfjs's own is wrong beyond the device's storage-buffer limit).
 */
export function registerWebGPUKernelFixes(): void {
  replace('AddN', chunkedAddN);
}

/** The original tfjs kernel that {@link registerWebGPUKernelFixes} replaced, if it did. */
export function replacedWebGPUKernel(kernelName: string): tf.KernelConfig | undefined {
  return originals.get(kernelName);
}
