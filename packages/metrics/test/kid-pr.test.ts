// KID against the fixture's value (unbiased MMD^2 over the two whole sets) and a float64 brute force;
// precision/recall against a brute force of the paper's definition and the obvious cases.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Xoshiro128 } from '@edm/core';
import { kernelInceptionDistance, precisionRecall } from '../src/index';
import { fidReference, refValues } from './helpers/fid-fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function gaussian(seed: number, n: number, d: number, shift = 0, scale = 1): Float32Array {
  const rng = new Xoshiro128(seed);
  return Float32Array.from({ length: n * d }, () => rng.normal() * scale + shift);
}

/** Unbiased MMD^2 with (x.y / d + 1)^3 over whole sets, float64, the definition written out. */
function mmdBruteForce(x: Float32Array, y: Float32Array, d: number): number {
  const k = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += a[i * d + t]! * b[j * d + t]!;
    return (s / d + 1) ** 3;
  };
  const m = x.length / d;
  let xx = 0, yy = 0, xy = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
    if (i !== j) { xx += k(x, i, x, j); yy += k(y, i, y, j); }
    xy += k(x, i, y, j);
  }
  return (xx + yy) / (m * (m - 1)) - (2 * xy) / (m * m);
}

describe('kernelInceptionDistance', () => {
  it("matches the fixture's unbiased MMD^2 over the two whole sets within 1e-6 relative", async () => {
    const ref = fidReference();
    const a = Float32Array.from(refValues(ref, 'fd.a'));
    const b = Float32Array.from(refValues(ref, 'fd.b'));
    const expected = refValues(ref, 'kid.value')[0]!;
    const kid = await kernelInceptionDistance(a, b, 64, { subsets: 1, subsetSize: 400 });
    process.stdout.write(`KID ${kid.mean} vs reference ${expected}: relative error ${Math.abs(kid.mean / expected - 1).toExponential(2)}\n`);
    expect(kid.subsetSize).toBe(400);
    expect(Math.abs(kid.mean / expected - 1)).toBeLessThan(1e-6);
    expect(kid.std).toBe(0);
  });

  it('subsets: each is the brute force of its draw; seeded; mean and std (ddof 0) over them', async () => {
    const x = gaussian(1, 50, 6);
    const y = gaussian(2, 40, 6, 0.3);
    const kid = await kernelInceptionDistance(x, y, 6, { subsets: 5, subsetSize: 20, seed: 3 });
    expect(kid.values).toHaveLength(5);
    const again = await kernelInceptionDistance(x, y, 6, { subsets: 5, subsetSize: 20, seed: 3 });
    expect(again.values).toEqual(kid.values);
    const other = await kernelInceptionDistance(x, y, 6, { subsets: 5, subsetSize: 20, seed: 4 });
    expect(other.values).not.toEqual(kid.values);
    const mean = kid.values.reduce((a, v) => a + v, 0) / 5;
    expect(kid.mean).toBeCloseTo(mean, 12);
    expect(kid.std).toBeCloseTo(Math.sqrt(kid.values.reduce((a, v) => a + (v - mean) ** 2, 0) / 5), 12);
    // Whole sets (subset size capped at the smaller set when it equals both): the brute force.
    const whole = await kernelInceptionDistance(x.subarray(0, 40 * 6), y, 6, { subsets: 2 });
    expect(whole.subsetSize).toBe(40);
    expect(Math.abs(whole.mean / mmdBruteForce(x.subarray(0, 40 * 6), y, 6) - 1)).toBeLessThan(1e-5);
    // Same distribution: near 0; shifted: clearly positive.
    const same = await kernelInceptionDistance(gaussian(7, 200, 6), gaussian(8, 200, 6), 6, { subsets: 3, subsetSize: 100 });
    const far = await kernelInceptionDistance(gaussian(7, 200, 6), gaussian(8, 200, 6, 1), 6, { subsets: 3, subsetSize: 100 });
    expect(Math.abs(same.mean)).toBeLessThan(far.mean / 20);
  });

  it('refuses sets of fewer than 2 vectors and bad widths', async () => {
    await expect(kernelInceptionDistance(new Float32Array(4), new Float32Array(8), 4)).rejects.toThrow(/the first set has 1 feature vector\(s\); KID needs at least 2 per set/);
    await expect(kernelInceptionDistance(new Float32Array(8), new Float32Array(9), 4)).rejects.toThrow(/9 values are not rows of 4 features/);
  });
});

/** The paper's definition, float64 loops: fraction of `queries` within some set member's k-NN radius. */
function coverageBruteForce(set: Float32Array, queries: Float32Array, d: number, k: number): number {
  const dist = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += (a[i * d + t]! - b[j * d + t]!) ** 2;
    return s;
  };
  const n = set.length / d;
  const radius = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => dist(set, i, set, j)).sort((p, q) => p - q)[k]!);
  const q = queries.length / d;
  let inside = 0;
  for (let i = 0; i < q; i++) if (radius.some((r, j) => dist(queries, i, set, j) <= r)) inside++;
  return inside / q;
}

describe('precisionRecall', () => {
  it('agrees with the definition written out (k = 3 and k = 5, blocks smaller than the sets)', async () => {
    const real = gaussian(11, 90, 4);
    const fake = gaussian(12, 70, 4, 0.5, 0.7);
    for (const k of [3, 5]) {
      const pr = await precisionRecall(real, fake, 4, { k, blockEntries: 1000 });
      expect(pr.precision).toBeCloseTo(coverageBruteForce(real, fake, 4, k), 10);
      expect(pr.recall).toBeCloseTo(coverageBruteForce(fake, real, 4, k), 10);
      expect(pr.precision).toBeGreaterThan(0);
      expect(pr.precision).toBeLessThan(1);
    }
  });

  it('identical sets: 1 and 1; far apart: 0 and 0', async () => {
    const real = gaussian(21, 40, 3);
    expect(await precisionRecall(real, real, 3)).toEqual({ precision: 1, recall: 1 });
    expect(await precisionRecall(real, gaussian(22, 30, 3, 100), 3)).toEqual({ precision: 0, recall: 0 });
  });

  it('refuses a set of k or fewer vectors', async () => {
    await expect(precisionRecall(gaussian(1, 3, 2), gaussian(2, 10, 2), 2)).rejects.toThrow(/the real set has 3 feature vector\(s\); k = 3 needs more than 3/);
  });
});
