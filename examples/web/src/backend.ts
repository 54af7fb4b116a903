// Starting tfjs on WebGPU (WebGL fallback) through @edm/backend-webgpu, and saying in words which backend
// and adapter run and why WebGPU was not used. Page URL options: `?software=1` accepts a software WebGPU
// adapter (SwiftShader, lavapipe: refused by default, slower than WebGL on most machines), `?backend=webgl`
// skips WebGPU.
import * as tf from '@tensorflow/tfjs-core';
import { formatAdapter, useWebGPU, type WebGPUReport } from '@edm/backend-webgpu';

/** Which backend runs, in words for the page. */
export interface BackendStatus {
  /** The active tfjs backend. */
  backend: 'webgpu' | 'webgl';
  /** One line for the page, e.g. "WebGPU on nvidia ampere, hardware". */
  summary: string;
  /** The report of useWebGPU. */
  report: WebGPUReport;
}

/** Page URL options of the backend choice. */
export interface BackendParams {
  /** Accept a software WebGPU adapter (`?software=1`). */
  allowSoftwareAdapter: boolean;
  /** Skip WebGPU and use WebGL (`?backend=webgl`). */
  forceWebGL: boolean;
}

/** Reads the backend options from the page URL's query string. */
export function backendParams(search: string): BackendParams {
  const q = new URLSearchParams(search);
  const backend = q.get('backend');
  if (backend !== null && backend !== 'webgl' && backend !== 'webgpu') {
    throw new Error(`URL option backend: expected 'webgpu' or 'webgl', got '${backend}'`);
  }
  return { allowSoftwareAdapter: q.get('software') === '1', forceWebGL: backend === 'webgl' };
}

/** Makes tfjs run on WebGPU, else WebGL; throws (with both reasons) when neither can start. */
export async function startBackend(p: BackendParams): Promise<BackendStatus> {
  const report = await useWebGPU({
    allowSoftwareAdapter: p.allowSoftwareAdapter,
    ...(p.forceWebGL ? { gpu: null } : {}),
  });
  if (report.backend === 'webgpu') {
    return { backend: 'webgpu', report, summary: `WebGPU on ${report.adapter ? formatAdapter(report.adapter) : 'an unknown adapter'}` };
  }
  const why = p.forceWebGL ? 'WebGPU skipped (?backend=webgl)' : report.fallbackReason ?? 'WebGPU unavailable';
  return { backend: 'webgl', report, summary: `WebGL fallback (${why}); renderer: ${webglRenderer()}` };
}

/** The WebGL renderer string tfjs runs on ("unknown" when the browser hides it). */
function webglRenderer(): string {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return 'unknown';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return 'unknown';
  }
}

/** Live tensors (for the page's leak display). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
