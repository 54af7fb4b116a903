// Registers tfjs's WebGPU backend on a given `GPU` entry point (navigator.gpu in browsers, Dawn in Node),
// choosing and inspecting the adapter ourselves so the caller learns which adapter runs and can refuse a
// software one. The device is requested with the same features and limits as tfjs's own registration.
import * as tf from '@tensorflow/tfjs-core';
import { describeAdapter, formatAdapter } from './adapter-info';
import type { GPUAdapterLike, GPULike, WebGPUAdapterSummary } from './adapter-info';
import { errorMessage, WebGPUUnavailableError } from './errors';
import { registerWebGPUKernelFixes } from './kernels/register';

/** Options of the WebGPU adapter choice (browsers and Node). */
export interface WebGPUOptions {
  /**
   * Accept a software adapter (SwiftShader, lavapipe/llvmpipe, WARP) or one flagged `isFallbackAdapter`.
   * Default false: software WebGPU is slower than wasm on the same CPU, so it is used only when asked for.
   */
  allowSoftwareAdapter?: boolean;
  /** `powerPreference` for `requestAdapter()`. Default 'high-performance' (tfjs's default). */
  powerPreference?: 'low-power' | 'high-performance';
  /** Ask the implementation for its fallback (software) adapter. Default false. */
  forceFallbackAdapter?: boolean;
}

/** The WebGPU backend that was registered. */
export interface WebGPUBackendInfo {
  /** The tfjs backend name now active: always 'webgpu'. */
  backend: 'webgpu';
  /** The adapter it runs on. */
  adapter: WebGPUAdapterSummary;
}

let active: WebGPUBackendInfo | null = null;

function deviceDescriptor(adapter: GPUAdapterLike): object {
  const requiredFeatures = ['timestamp-query', 'bgra8unorm-storage'].filter((f) => adapter.features.has(f));
  const limits = adapter.limits as Record<string, number>;
  const requiredLimits: Record<string, number> = {};
  for (const name of [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
    // tfjs leaves this at the default 8, which breaks its AddN beyond 7 inputs (see kernels/add-n.ts).
    'maxStorageBuffersPerShaderStage',
  ]) {
    if (typeof limits[name] === 'number') requiredLimits[name] = limits[name];
  }
  return { requiredFeatures, requiredLimits };
}

/**
 * Picks an adapter from `gpu`, registers tfjs's WebGPU backend on it as 'webgpu' and makes it the active
 * backend (`await tf.ready()` included). Throws WebGPUUnavailableError (with `reason`) when it cannot.
 * Idempotent: a second call returns the backend already registered by the first.
 */
export async function registerWebGPUBackend(gpu: GPULike, options: WebGPUOptions = {}): Promise<WebGPUBackendInfo> {
  if (active && tf.findBackend('webgpu')) {
    if (active.adapter.isSoftware && !options.allowSoftwareAdapter) {
      throw new WebGPUUnavailableError(softwareMessage(active.adapter), 'software-adapter', active.adapter);
    }
    await tf.setBackend('webgpu');
    await tf.ready();
    return active;
  }
  let adapter: GPUAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({
      powerPreference: options.powerPreference ?? 'high-performance',
      ...(options.forceFallbackAdapter ? { forceFallbackAdapter: true } : {}),
    });
  } catch (e) {
    throw new WebGPUUnavailableError(`WebGPU: requestAdapter() failed: ${errorMessage(e)}`, 'no-adapter', undefined, {
      cause: e,
    });
  }
  if (!adapter) {
    throw new WebGPUUnavailableError('WebGPU: no adapter (requestAdapter() returned null: no usable GPU or driver)', 'no-adapter');
  }
  const summary = await describeAdapter(adapter);
  if (summary.isSoftware && !options.allowSoftwareAdapter) {
    throw new WebGPUUnavailableError(softwareMessage(summary), 'software-adapter', summary);
  }
  let device: unknown;
  try {
    device = await adapter.requestDevice(deviceDescriptor(adapter));
  } catch (e) {
    throw new WebGPUUnavailableError(`WebGPU: requestDevice() failed on ${formatAdapter(summary)}: ${errorMessage(e)}`,
      'device-failed', summary, { cause: e });
  }
  // Imported only now: in Node the WebGPU globals must exist before tfjs's WebGPU backend loads.
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  registerWebGPUKernelFixes();
  const info = adapter.info ?? {};
  if ('webgpu' in tf.engine().registryFactory) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, info as never), 3);
  let ok = false;
  try {
    ok = await tf.setBackend('webgpu');
    await tf.ready();
  } catch (e) {
    throw new WebGPUUnavailableError(`WebGPU: tfjs could not start on ${formatAdapter(summary)}: ${errorMessage(e)}`,
      'init-failed', summary, { cause: e });
  }
  if (!ok || tf.getBackend() !== 'webgpu') {
    throw new WebGPUUnavailableError(`WebGPU: tfjs could not start on ${formatAdapter(summary)} (see the warning above)`,
      'init-failed', summary);
  }
  active = { backend: 'webgpu', adapter: summary };
  return active;
}

function softwareMessage(a: WebGPUAdapterSummary): string {
  return `WebGPU: only a software adapter is available (${formatAdapter(a)}); it is slower than wasm, so it is ` +
    'used only with allowSoftwareAdapter: true';
}
