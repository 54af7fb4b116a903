// Randomness of a training run without hidden state: step k draws from its own xoshiro128** stream
// (seed, k), and the data order of epoch e from stream (seed ^ DATA_SALT, e); the augment pipe of step k
// from stream (seed ^ AUGMENT_SALT, k), and the dropout masks of pass r of step k from a seed taken from
// stream (seed ^ DROPOUT_SALT, k). Resuming at step k therefore needs only (seed, k) to reproduce every later
// draw exactly: the "RNG state" is the step counter.
import { Xoshiro128, seededRandomSource, type RandomSource } from '@edm/core';

const DATA_SALT = 0x5eed_da7a;
const AUGMENT_SALT = 0x0a06_3e17;
const DROPOUT_SALT = 0x0d20_9017;

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

/** The random source of step `step`'s augment pipe (its passes draw from it in order). */
export function augmentRandom(seed: number, step: number): RandomSource {
  return seededRandomSource((seed ^ AUGMENT_SALT) >>> 0, step);
}

/** The training-randomness seed (dropout, label dropout: `ForwardOptions.seed`) of pass `round` of step `step`. */
export function dropoutSeed(seed: number, step: number, round: number): number {
  const g = new Xoshiro128((seed ^ DROPOUT_SALT) >>> 0, step);
  let s = g.nextUint32();
  for (let r = 0; r < round; r++) s = g.nextUint32();
  return s;
}
