// The browser test page, bundled by esbuild from the packages' built dist (as a user's bundler would see
// them): loads the fixture checkpoint over HTTP, picks WebGPU (or the WebGL fallback) with useWebGPU,
// evaluates D_x and the 5-step Heun sampler on the fixture's inputs and returns the numbers (NCHW).
import * as tf from '@tensorflow/tfjs-core';
import { edmSampler } from '@edm/core';
import { decodeSafetensors, loadNetwork, tensorToFloat32 } from '@edm/models';
import { useWebGPU } from '@edm/backend-webgpu';
import type { WebGPUReport } from '@edm/backend-webgpu';

/** What the page returns to the test. */
export interface PageResult {
  report: WebGPUReport;
  backend: string;
  dx: number[];
  heun: number[];
  numTensorsLeaked: number;
  ms: { load: number; dx: number; heun: number };
}

/** How to pick the backend: 'webgpu' allows the software adapter; 'default' refuses it; 'no-webgpu' hides navigator.gpu. */
export type PageMode = 'webgpu' | 'default' | 'no-webgpu';

async function readNCHW(t: tf.Tensor4D): Promise<number[]> {
  const u = tf.transpose(t, [0, 3, 1, 2]);
  const v = Array.from(await u.data());
  u.dispose();
  return v;
}

function nhwc(tensors: ReturnType<typeof decodeSafetensors>['tensors'], key: string): tf.Tensor4D {
  const t = tensors.get(key);
  if (!t) throw new Error(`fixture: no tensor '${key}'`);
  return tf.tidy(() => tf.transpose(tf.tensor4d(tensorToFloat32(t, key), t.shape as [number, number, number, number]), [0, 2, 3, 1]));
}

async function run(mode: PageMode, sample: boolean): Promise<PageResult | { report: WebGPUReport; backend: string }> {
  const report = await useWebGPU(mode === 'webgpu' ? { allowSoftwareAdapter: true } : mode === 'no-webgpu' ? { gpu: null } : {});
  const backend = tf.getBackend();
  if (!sample) return { report, backend };
  const t0 = performance.now();
  const bytes = new Uint8Array(await (await fetch('/edm_ddpmpp.safetensors')).arrayBuffer());
  const { tensors } = decodeSafetensors(bytes, 'edm_ddpmpp.safetensors');
  const before = tf.memory().numTensors;
  const net = await loadNetwork(bytes, { source: 'edm_ddpmpp.safetensors' });
  const t1 = performance.now();
  const x = nhwc(tensors, 'fixture.x');
  const sigmaT = tensors.get('fixture.sigma')!;
  const sigma = tf.tensor1d(tensorToFloat32(sigmaT, 'fixture.sigma'));
  const d = net.forward(x, sigma);
  const dx = await readNCHW(d);
  const t2 = performance.now();
  const latents = nhwc(tensors, 'fixture.latents');
  const out = await edmSampler(net, latents, { numSteps: 5 });
  const heun = await readNCHW(out);
  const t3 = performance.now();
  tf.dispose([x, sigma, d, latents, out]);
  net.dispose();
  return { report, backend, dx, heun, numTensorsLeaked: tf.memory().numTensors - before,
    ms: { load: t1 - t0, dx: t2 - t1, heun: t3 - t2 } };
}

(globalThis as { edmRun?: typeof run }).edmRun = run;
document.title = 'edm-ready';
