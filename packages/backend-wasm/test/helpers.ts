// Test helpers: deterministic inputs, running a kernel on a named backend, comparing arrays.
import * as tf from '@tensorflow/tfjs-core';

/** Deterministic pseudo-random values in [-1, 1) (a fixed LCG; no tfjs RNG, identical on every backend). */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Runs a kernel by name on `backend` with fresh copies of the inputs; returns its values and shape. */
export async function runKernelOn(
  backend: string,
  kernelName: string,
  inputs: Record<string, { shape: number[]; data: Float32Array }>,
  attrs: Record<string, unknown>,
): Promise<{ data: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.data, v.shape);
  const out = tf.engine().runKernel(kernelName, ts as unknown as tf.NamedTensorMap, attrs as never) as tf.Tensor;
  const result = { data: (await out.data()) as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(ts)]);
  return result;
}

/** Largest |a - b| and largest |b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): { diff: number; scale: number } {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { diff, scale };
}

type KernelInputs = Record<string, { shape: number[]; data: Float32Array }>;

/**
 * The convolution kernels our wasm convolution serves, on the same x and filter: Conv2D, and FusedConv2D (linear)
 * with and without bias, each as [kernel name, inputs, attributes].
 */
export function convKernelCalls(x: KernelInputs[string], filter: KernelInputs[string], bias: KernelInputs[string],
  attrs: Record<string, unknown>): [string, KernelInputs, Record<string, unknown>][] {
  const fusedAttrs = { ...attrs, activation: 'linear' };
  return [
    ['Conv2D', { x, filter }, attrs],
    ['FusedConv2D', { x, filter, bias }, fusedAttrs],
    ['FusedConv2D', { x, filter }, fusedAttrs],
  ];
}
