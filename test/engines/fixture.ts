// The NVlabs reference fixture (test/fixtures/edm_ddpmpp.safetensors) for the cross-engine tests: raw
// tensors (NCHW, as PyTorch) and helpers to move between its layout and our NHWC one.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, tensorToFloat32 } from '@edm/models';
import type { SafetensorsTensor } from '@edm/models';

export const FIXTURE_PATH = new URL('../fixtures/edm_ddpmpp.safetensors', import.meta.url);

export interface EngineFixture {
  bytes: Uint8Array;
  tensors: Map<string, SafetensorsTensor>;
}

let cached: EngineFixture | undefined;

/** The edm_ddpmpp fixture (read once). */
export function ddpmppFixture(): EngineFixture {
  if (!cached) {
    const bytes = new Uint8Array(readFileSync(FIXTURE_PATH));
    cached = { bytes, tensors: decodeSafetensors(bytes, 'edm_ddpmpp.safetensors').tensors };
  }
  return cached;
}

/** A fixture tensor's values (float64 for F64 tensors, else float32 widened) and shape. */
export function fixtureValues(f: EngineFixture, key: string): { values: Float64Array; shape: number[] } {
  const t = f.tensors.get(key);
  if (!t) throw new Error(`edm_ddpmpp fixture: no tensor '${key}'`);
  const values = t.dtype === 'F64' ? new Float64Array(t.data.slice().buffer) : Float64Array.from(tensorToFloat32(t, key));
  return { values, shape: t.shape };
}

/** An NCHW fixture tensor as an NHWC tf tensor (on the active backend). */
export function fixtureNHWC(f: EngineFixture, key: string): tf.Tensor4D {
  const { values, shape } = fixtureValues(f, key);
  return tf.tidy(() => tf.transpose(tf.tensor4d(Float32Array.from(values), shape as [number, number, number, number]), [0, 2, 3, 1]));
}

/** NHWC tensor -> NCHW values (async read: WebGPU in Node has no dataSync). */
export async function readNCHW(t: tf.Tensor4D): Promise<Float32Array> {
  const u = tf.transpose(t, [0, 3, 1, 2]);
  const values = (await u.data()) as Float32Array;
  u.dispose();
  return values;
}

/** max |a - b| and max |ref|. */
export function compare(ours: ArrayLike<number>, ref: ArrayLike<number>): { maxAbsErr: number; maxRef: number } {
  if (ours.length !== ref.length) throw new Error(`length mismatch: ours ${ours.length}, reference ${ref.length}`);
  let maxAbsErr = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    maxAbsErr = Math.max(maxAbsErr, Math.abs(ours[i]! - ref[i]!));
    maxRef = Math.max(maxRef, Math.abs(ref[i]!));
  }
  return { maxAbsErr, maxRef };
}
