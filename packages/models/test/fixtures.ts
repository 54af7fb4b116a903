// Test helpers: the NVlabs reference fixtures (test/fixtures/*.safetensors), NCHW -> NHWC.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, tensorToFloat32, type SafetensorsTensor } from '../src/io/safetensors';

export const FIXTURES = ['edm_ddpmpp', 'edm_adm'] as const;
/** NVlabs/edm2 fixtures (their `edm.fixture` metadata is just the name). */
export const EDM2_FIXTURES = ['edm2_small', 'edm2_small_guide'] as const;
export type FixtureName = (typeof FIXTURES)[number] | (typeof EDM2_FIXTURES)[number];

export interface Fixture {
  name: FixtureName;
  bytes: Uint8Array;
  metadata: Record<string, string>;
  tensors: Map<string, SafetensorsTensor>;
  network: { class_name: string; kwargs: Record<string, unknown> };
  info: Record<string, { params?: Record<string, unknown>; shape: number[] }>;
}

const cache = new Map<string, Fixture>();

export function loadFixture(name: FixtureName): Fixture {
  let f = cache.get(name);
  if (!f) {
    const bytes = new Uint8Array(readFileSync(new URL(`../../../test/fixtures/${name}.safetensors`, import.meta.url)));
    const { metadata, tensors } = decodeSafetensors(bytes, `${name}.safetensors`);
    f = {
      name, bytes, metadata, tensors,
      network: JSON.parse(metadata['edm.network']!),
      info: (EDM2_FIXTURES as readonly string[]).includes(name) ? {} : JSON.parse(metadata['edm.fixture']!),
    };
    cache.set(name, f);
  }
  return f;
}

/** Raw values of a fixture tensor as float32 (F64 rounded) with its shape. */
export function raw(f: Fixture, key: string): { values: Float32Array; shape: number[] } {
  const t = f.tensors.get(key);
  if (!t) throw new Error(`fixture ${f.name}: no tensor '${key}'`);
  return { values: tensorToFloat32(t, key), shape: t.shape };
}

/** Values as float64 (exact for F64 tensors). */
export function raw64(f: Fixture, key: string): Float64Array {
  const t = f.tensors.get(key)!;
  if (t.dtype === 'F64') return new Float64Array(t.data.slice().buffer);
  return Float64Array.from(tensorToFloat32(t, key));
}

/** An NCHW fixture tensor as an NHWC tf tensor. */
export function nhwc(f: Fixture, key: string): tf.Tensor4D {
  const { values, shape } = raw(f, key);
  return tf.tidy(() => tf.transpose(tf.tensor4d(values, shape as [number, number, number, number]), [0, 2, 3, 1]));
}

/** NHWC tensor -> NCHW flat values. */
export function toNCHW(t: tf.Tensor4D): Float32Array {
  const u = tf.transpose(t, [0, 3, 1, 2]);
  const values = u.dataSync() as Float32Array;
  u.dispose();
  return values;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
