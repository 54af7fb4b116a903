// Mergeable moments: shards merged in any split equal the single pass (featureStats) to rounding, and the
// Frechet distance from merged shards equals the single-machine value (pytorch-fid's fixture sets), plus the
// errors for moments that do not fit together.
import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '@edm/core';
import {
  checkFeatureMoments, featureMoments, featureStats, frechetDistance, mergeAllFeatureMoments, mergeFeatureMoments, statsFromMoments,
} from '../src/index';
import { fidReference, refValues } from './helpers/fid-fixture';

/** Largest |a - b| relative to the largest |b|. */
function relErr(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** Features with a large common offset (where raw sums of x x^T would lose digits) and some spread. */
function features(n: number, d: number, seed: number): Float32Array {
  const rng = new Xoshiro128(seed, 0);
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i++) out[i] = 100 + (i % d) + 3 * (rng.uniform() - 0.5);
  return out;
}

/** The moments of rows [from, to) of `f`. */
const shard = (f: Float32Array, d: number, from: number, to: number) => featureMoments(f.subarray(from * d, to * d), d);

describe('mergeable feature moments', () => {
  it('shards of any size merged in order equal the single pass (mean and covariance within 1e-12)', () => {
    const d = 24;
    const n = 301;
    const f = features(n, d, 5);
    const whole = featureStats(f, d);
    for (const cuts of [[0, 150, 301], [0, 1, 2, 100, 299, 301], [0, 7, 14, 21, 28, 35, 301], [0, 300, 301]]) {
      const parts = cuts.slice(1).map((to, i) => shard(f, d, cuts[i]!, to));
      const merged = statsFromMoments(mergeAllFeatureMoments(parts));
      expect(merged.count).toBe(n);
      expect(relErr(merged.mean, whole.mean), `cuts ${cuts}`).toBeLessThan(1e-12);
      expect(relErr(merged.cov, whole.cov), `cuts ${cuts}`).toBeLessThan(1e-12);
    }
  });

  it('merging is symmetric in its two arguments up to rounding, and one shard is itself', () => {
    const d = 5;
    const f = features(40, d, 9);
    const [a, b] = [shard(f, d, 0, 13), shard(f, d, 13, 40)];
    const ab = mergeFeatureMoments(a, b);
    const ba = mergeFeatureMoments(b, a);
    expect(relErr(ab.m2, ba.m2)).toBeLessThan(1e-14);
    expect(relErr(ab.mean, ba.mean)).toBeLessThan(1e-14);
    expect(mergeAllFeatureMoments([a])).toBe(a);
  });

  it("the Frechet distance from merged shards equals the single pass on pytorch-fid's fixture sets (1e-9 relative)", () => {
    const ref = fidReference();
    const a = Float32Array.from(refValues(ref, 'fd.a'));
    const b = Float32Array.from(refValues(ref, 'fd.b'));
    const d = 64;
    const n = a.length / d;
    const single = frechetDistance(featureStats(a, d), featureStats(b, d));
    const parts = [];
    for (let from = 0; from < n; from += 37) parts.push(shard(a, d, from, Math.min(n, from + 37)));
    const sharded = frechetDistance(statsFromMoments(mergeAllFeatureMoments(parts)), featureStats(b, d));
    expect(Math.abs(sharded / single - 1)).toBeLessThan(1e-9);
  });

  it('refuses moments that do not fit: other widths, wrong lengths, non-finite values, too few for a covariance', () => {
    const a = featureMoments(new Float32Array([1, 2, 3, 4]), 2);
    const b = featureMoments(new Float32Array([1, 2, 3]), 3);
    expect(() => mergeFeatureMoments(a, b)).toThrow('mergeFeatureMoments: feature widths differ (2 and 3)');
    expect(() => mergeAllFeatureMoments([])).toThrow(/no moments/);
    expect(() => statsFromMoments(b, 'shard 3')).toThrow('shard 3: the Frechet distance needs at least 2 images per set (its covariance divides by N - 1), got 1');
    expect(() => featureMoments(new Float32Array(0), 4, 'empty')).toThrow('empty: no feature vectors');
    expect(() => checkFeatureMoments({ ...a, m2: new Float64Array(3) }, 'job 7')).toThrow('job 7: second moment has 3 values, expected 2 x 2');
    expect(() => checkFeatureMoments({ ...a, mean: new Float64Array(3) }, 'job 7')).toThrow('job 7: mean has 3 values, expected 2');
    expect(() => checkFeatureMoments({ ...a, count: 0 }, 'job 7')).toThrow('job 7: count must be a positive integer, got 0');
    expect(() => checkFeatureMoments({ ...a, mean: new Float64Array([1, NaN]) }, 'job 7')).toThrow('job 7: mean value 1 is not finite (NaN)');
    expect(() => checkFeatureMoments(a)).not.toThrow();
  });
});
