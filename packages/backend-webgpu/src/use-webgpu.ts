// Browsers: WebGPU on navigator.gpu, else WebGL, saying which and why.
import * as tf from '@tensorflow/tfjs-core';
import type { GPULike, WebGPUAdapterSummary } from './adapter-info';
import { errorMessage, WebGPUUnavailableError } from './errors';
import { registerWebGPUBackend } from './register';
import type { WebGPUOptions } from './register';

/** Options of {@link useWebGPU}. */
export interface UseWebGPUOptions extends WebGPUOptions {
  /**
   * The WebGPU entry point. Default `navigator.gpu`. `null` behaves as a browser without WebGPU (useful to
   * exercise the fallback).
   */
  gpu?: GPULike | null;
  /** What to do when WebGPU cannot start: 'webgl' (default) registers tfjs's WebGL backend; 'none' throws. */
  fallback?: 'webgl' | 'none';
}

/** Which backend {@link useWebGPU} made active, and why. */
export interface WebGPUReport {
  /** The tfjs backend now active. */
  backend: 'webgpu' | 'webgl';
  /** The WebGPU adapter in use (backend 'webgpu') or the one rejected (a software adapter, a failed device). */
  adapter?: WebGPUAdapterSummary;
  /** Why WebGPU was not used (backend 'webgl'). */
  fallbackReason?: string;
}

function navigatorGPU(): GPULike | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPULike } }).navigator;
  return nav?.gpu ?? undefined;
}

/**
 * Makes tfjs run on WebGPU (`navigator.gpu`), falling back to WebGL when there is no WebGPU, no adapter, only
 * a software adapter that is not allowed, or the device fails. Returns which backend is active and why.
 * Throws WebGPUUnavailableError when `fallback: 'none'`, and an Error when WebGL fails too.
 * In Node, use `useWebGPUInNode` from `@edm/backend-webgpu/node` (Dawn) instead.
 */
export async function useWebGPU(options: UseWebGPUOptions = {}): Promise<WebGPUReport> {
  const gpu = options.gpu === undefined ? navigatorGPU() : options.gpu;
  let failure: WebGPUUnavailableError;
  if (!gpu) {
    failure = new WebGPUUnavailableError('WebGPU: navigator.gpu is missing (this browser has no WebGPU, or it is disabled)',
      'no-webgpu');
  } else {
    try {
      const { adapter } = await registerWebGPUBackend(gpu, options);
      return { backend: 'webgpu', adapter };
    } catch (e) {
      if (!(e instanceof WebGPUUnavailableError)) throw e;
      failure = e;
    }
  }
  if (options.fallback === 'none') throw failure;
  await import('@tensorflow/tfjs-backend-webgl');
  let ok = false;
  let webglError = 'tf.setBackend returned false';
  try {
    ok = await tf.setBackend('webgl');
    await tf.ready();
  } catch (e) {
    webglError = errorMessage(e);
  }
  if (!ok || tf.getBackend() !== 'webgl') {
    throw new Error(`useWebGPU: neither WebGPU (${failure.message}) nor the WebGL fallback (${webglError}) could start`);
  }
  return {
    backend: 'webgl',
    fallbackReason: failure.message,
    ...(failure.adapter ? { adapter: failure.adapter } : {}),
  };
}
