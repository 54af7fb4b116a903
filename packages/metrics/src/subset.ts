// Seeded subsets of feature rows: m distinct indices of [0, n) by a partial Fisher-Yates shuffle driven by
// @edm/core's Xoshiro128, so a subset is the same on every machine and backend.
import type { Xoshiro128 } from '@edm/core';

/** m distinct indices of [0, n), in increasing order. */
export function sampleIndices(rng: Xoshiro128, n: number, m: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rng.uniform() * (n - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.subarray(0, m).sort();
}

/** The rows `idx` of features [n, d] (row-major), as a new array. */
export function gatherRows(features: Float32Array, d: number, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * d);
  for (let i = 0; i < idx.length; i++) out.set(features.subarray(idx[i]! * d, (idx[i]! + 1) * d), i * d);
  return out;
}
