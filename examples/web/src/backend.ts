// Choosing the compute engine by what is fast, and saying in words which runs and why: WebGPU on a hardware
// adapter (@edm/backend-webgpu), else tfjs's wasm backend with our WebAssembly SIMD kernels (@edm/backend-wasm;
// on a CPU it is far faster than WebGL on a software rasterizer or than a software WebGPU adapter: the default
// request, 16 MNIST digits in 18 steps, took 117 s on WebGL over SwiftShader), else WebGL. Page URL options:
// `?backend=webgpu|wasm|webgl` starts there (wasm and webgl skip WebGPU; webgl skips wasm too), `?software=1`
// accepts a software WebGPU adapter (SwiftShader, lavapipe: refused by default).
import * as tf from '@tensorflow/tfjs-core';
import { formatAdapter, useWebGPU, WebGPUUnavailableError, type WebGPUReport } from '@edm/backend-webgpu';
import { useWasm } from '@edm/backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** The engines, in the order they are tried. */
export const ENGINES = ['webgpu', 'wasm', 'webgl'] as const;
export type Engine = (typeof ENGINES)[number];

/** Which backend runs, in words for the page. */
export interface BackendStatus {
  /** The active tfjs backend. */
  backend: Engine;
  /** One line for the page, e.g. "WebGPU on nvidia ampere, hardware". */
  summary: string;
  /** The report of useWebGPU (when WebGPU was tried or WebGL runs). */
  report?: WebGPUReport;
}

/** Page URL options of the backend choice. */
export interface BackendParams {
  /** Accept a software WebGPU adapter (`?software=1`). */
  allowSoftwareAdapter: boolean;
  /** The first engine tried (`?backend=`); default 'webgpu'. */
  first: Engine;
}

/** Reads the backend options from the page URL's query string. */
export function backendParams(search: string): BackendParams {
  const q = new URLSearchParams(search);
  const backend = q.get('backend');
  if (backend !== null && !(ENGINES as readonly string[]).includes(backend)) {
    throw new Error(`URL option backend: expected one of ${ENGINES.join(', ')}, got '${backend}'`);
  }
  return { allowSoftwareAdapter: q.get('software') === '1', first: (backend ?? 'webgpu') as Engine };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Makes tfjs run on the fastest engine that starts (see the banner); throws (with every reason) when none can. */
export async function startBackend(p: BackendParams): Promise<BackendStatus> {
  const skipped: string[] = [];
  if (p.first === 'webgpu') {
    try {
      const report = await useWebGPU({ allowSoftwareAdapter: p.allowSoftwareAdapter, fallback: 'none' });
      return { backend: 'webgpu', report, summary: `WebGPU on ${report.adapter ? formatAdapter(report.adapter) : 'an unknown adapter'}` };
    } catch (e) {
      if (!(e instanceof WebGPUUnavailableError)) throw e;
      skipped.push(e.message);
    }
  } else {
    skipped.push(`WebGPU skipped (?backend=${p.first})`);
  }
  if (p.first !== 'webgl') {
    try {
      const wasm = await useWasm({
        wasmPaths: {
          'tfjs-backend-wasm.wasm': wasmPlain,
          'tfjs-backend-wasm-simd.wasm': wasmSimd,
          'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
        },
      });
      const how = `${wasm.simd ? 'WebAssembly SIMD' : 'WebAssembly without SIMD'}, ${wasm.threads} thread${wasm.threads > 1 ? 's' : ''}`;
      return { backend: 'wasm', summary: `wasm (${how}; ${skipped.join('; ')})` };
    } catch (e) {
      skipped.push(`wasm: ${message(e)}`);
    }
  } else {
    skipped.push('wasm skipped (?backend=webgl)');
  }
  let report: WebGPUReport;
  try {
    report = await useWebGPU({ gpu: null });
  } catch (e) {
    throw new Error(`no engine could start: ${skipped.join('; ')}; WebGL: ${message(e)}`);
  }
  return { backend: 'webgl', report, summary: `WebGL fallback (${skipped.join('; ')}); renderer: ${webglRenderer()}` };
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
