// Per-sample seeded noise, like the reference's StackedRandomGenerator (generate.py): one independent
// generator per sample, so sample i gets the same latents and the same churn noise whatever batch it is in
// and whatever the backend (the numbers are made in JavaScript, then uploaded).
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger } from '../validate';
import { Xoshiro128 } from './prng';
import type { RandomSource } from './random-source';

/** One generator per sample; draws of shape [N, ...] take row i from generator i. */
export class StackedRandomGenerator implements RandomSource {
  /** The per-sample seeds. */
  readonly seeds: readonly number[];
  private readonly generators: Xoshiro128[];

  /**
   * @param seeds one integer seed in [0, 2^32) per sample (the batch size is seeds.length).
   * @param options.stream selects independent streams for the same seeds (default 0): the samplers' default
   *   churn noise uses stream 1, so it never repeats latents drawn from the same seeds.
   */
  constructor(seeds: readonly number[], options: { stream?: number } = {}) {
    if (!Array.isArray(seeds) || seeds.length === 0) {
      throw new Error(`StackedRandomGenerator: seeds must be a non-empty array of integers, got ${String(seeds)}`);
    }
    seeds.forEach((s, i) => {
      if (!Number.isInteger(s) || s < 0 || s >= 2 ** 32) {
        throw new Error(`StackedRandomGenerator: seeds[${i}] must be an integer in [0, 2^32), got ${String(s)}`);
      }
    });
    this.seeds = [...seeds];
    this.generators = seeds.map((s) => new Xoshiro128(s, options.stream ?? 0));
  }

  /** Standard normal draws of shape [N, ...] (N = seeds.length), float32. */
  randn(shape: readonly number[]): tf.Tensor {
    return this.draw('randn', shape, (g, out) => g.fillNormal(out));
  }

  /** Uniform [0, 1) draws of shape [N, ...] (N = seeds.length), float32. */
  rand(shape: readonly number[]): tf.Tensor {
    return this.draw('rand', shape, (g, out) => g.fillUniform(out));
  }

  /** Standard normal draws shaped like x: pass as a sampler's `randnLike` (bound; safe to detach). */
  readonly randnLike = <T extends tf.Tensor>(x: T): T => this.randn(x.shape) as T;

  /** `RandomSource.normal` (= randn), so a generator can drive a loss. */
  normal(shape: number[]): tf.Tensor {
    return this.randn(shape);
  }

  /** `RandomSource.uniform` (= rand). */
  uniform(shape: number[]): tf.Tensor {
    return this.rand(shape);
  }

  private draw(what: string, shape: readonly number[], fill: (g: Xoshiro128, out: Float32Array) => void): tf.Tensor {
    const n = this.generators.length;
    if (shape.length < 1 || shape[0] !== n) {
      throw new Error(`StackedRandomGenerator.${what}: shape[0] must equal the number of seeds (${n}), ` +
        `got shape [${shape.join(', ')}]`);
    }
    shape.forEach((d, i) => checkInteger(`StackedRandomGenerator.${what}`, `shape[${i}]`, d, 0));
    const per = shape.slice(1).reduce((a, b) => a * b, 1);
    const data = new Float32Array(n * per);
    this.generators.forEach((g, i) => fill(g, data.subarray(i * per, (i + 1) * per)));
    return tf.tensor(data, [...shape], 'float32');
  }
}
