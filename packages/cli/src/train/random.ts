// Randomness of a training run without hidden state: step k draws from its own xoshiro128** stream
// (seed, k), and the data order of epoch e from stream (seed ^ DATA_SALT, e). Resuming at step k therefore
// needs only (seed, k) to reproduce every later draw exactly: the "RNG state" is the step counter.
import { Xoshiro128 } from '@edm/core';

const DATA_SALT = 0x5eed_da7a;

/** The generator of training step `step` (sigma draws, noise, x-flips). */
export function stepRandom(seed: number, step: number): Xoshiro128 {
  return new Xoshiro128(seed >>> 0, step);
}

/** A uniformly shuffled order of 0..n-1 for epoch `epoch` (Fisher-Yates). */
export function epochPermutation(seed: number, epoch: number, n: number): Uint32Array {
  const g = new Xoshiro128((seed ^ DATA_SALT) >>> 0, epoch);
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(g.uniform() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
