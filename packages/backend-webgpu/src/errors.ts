// Why WebGPU could not start, as a value callers can branch on (backend-node's engine choice, the WebGL
// fallback) and as a message a user can act on.
import type { WebGPUAdapterSummary } from './adapter-info';

/** Why WebGPU is unavailable. */
export type WebGPUUnavailableReason =
  | 'not-installed' // Node: the npm package `webgpu` (Dawn) is not installed
  | 'no-webgpu' // no navigator.gpu (browser without WebGPU, or WebGPU disabled)
  | 'no-adapter' // requestAdapter() returned null (no usable GPU or driver)
  | 'software-adapter' // only a software adapter (SwiftShader, lavapipe, WARP) and it was not allowed
  | 'device-failed' // requestDevice() failed
  | 'init-failed'; // tfjs could not initialise its WebGPU backend on the device

/** Thrown when WebGPU cannot be used; `reason` says why and `adapter` what was found, if anything. */
export class WebGPUUnavailableError extends Error {
  override readonly name = 'WebGPUUnavailableError';
  constructor(
    message: string,
    /** Why WebGPU is unavailable. */
    readonly reason: WebGPUUnavailableReason,
    /** The adapter that was found and rejected (software-adapter, device-failed, init-failed). */
    readonly adapter?: WebGPUAdapterSummary,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The message of any thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
