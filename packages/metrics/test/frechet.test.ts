// Frechet distance: pytorch-fid's number on the fixture's two feature sets (1e-6 relative), and the trace
// of the matrix square root against closed forms (commuting, singular, 2 x 2), plus its errors.
import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '@edm/core';
import { featureStats, frechetDistance, traceSqrtProduct } from '../src/index';
import { symmetricEigenvalues } from '../src/linalg';
import { fidReference, refValues } from './helpers/fid-fixture';

const ref = fidReference();

/** Q diag(values) Q^T for the Householder reflection Q = I - 2 u u^T / u^T u. */
function rotated(values: number[], u: Float64Array): Float64Array {
  const n = values.length;
  const uu = u.reduce((a, v) => a + v * v, 0);
  const q = (i: number, j: number) => (i === j ? 1 : 0) - (2 * u[i]! * u[j]!) / uu;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += q(i, k) * values[k]! * q(j, k);
    out[i * n + j] = s;
  }
  return out;
}

describe('frechetDistance', () => {
  it("matches pytorch-fid's calculate_frechet_distance on the fixture sets within 1e-6 relative", () => {
    const a = refValues(ref, 'fd.a');
    const b = refValues(ref, 'fd.b');
    const expected = refValues(ref, 'fd.value')[0]!;
    const fd = frechetDistance(featureStats(a, 64), featureStats(b, 64));
    process.stdout.write(`FD ${fd} vs pytorch-fid ${expected}: relative error ${Math.abs(fd / expected - 1).toExponential(2)}\n`);
    expect(Math.abs(fd / expected - 1)).toBeLessThan(1e-6);
    // float32 features (what a detector gives) change it by less than their rounding.
    const fd32 = frechetDistance(featureStats(Float32Array.from(a), 64), featureStats(Float32Array.from(b), 64));
    expect(Math.abs(fd32 / expected - 1)).toBeLessThan(1e-5);
  });

  it('is 0 for a set against itself and symmetric', () => {
    const a = featureStats(refValues(ref, 'fd.a').subarray(0, 100 * 64), 64);
    const b = featureStats(refValues(ref, 'fd.b').subarray(0, 90 * 64), 64);
    expect(Math.abs(frechetDistance(a, a))).toBeLessThan(1e-9 * 64);
    expect(frechetDistance(a, b)).toBeCloseTo(frechetDistance(b, a), 8);
  });

  it('mean and N - 1 covariance as np.cov', () => {
    // Three 2-D points: mean (2, 1), covariance [[1, -0.5], [-0.5, 1]] (hand-computed).
    const { mean, cov } = featureStats(Float64Array.from([1, 1, 2, 2, 3, 0]), 2);
    expect([...mean]).toEqual([2, 1]);
    expect([...cov]).toEqual([1, -0.5, -0.5, 1]);
  });

  it('refuses fewer than 2 images, different widths, and non-finite features', () => {
    expect(() => featureStats(new Float32Array(8), 8, 'samples')).toThrow(
      'samples: the Frechet distance needs at least 2 images per set (its covariance divides by N - 1), got 1');
    expect(() => featureStats(new Float32Array(10), 4)).toThrow(/10 values are not rows of 4 features/);
    const bad = new Float32Array(8);
    bad[5] = NaN;
    expect(() => featureStats(bad, 4)).toThrow(/feature 1 of image 1 is not finite/);
    const s2 = featureStats(new Float32Array([0, 1, 1, 0]), 2);
    const s1 = featureStats(new Float32Array([0, 1, 1]), 1);
    expect(() => frechetDistance(s1, s2)).toThrow(/feature widths differ \(1 and 2\)/);
  });

  it("takes pytorch-fid's eps offset where the first computation fails, and says so", () => {
    const n = 2;
    const huge = { count: 3, dim: n, mean: new Float64Array(n), cov: new Float64Array([1e200, 0, 0, 1e200]) };
    const warnings: string[] = [];
    expect(() => frechetDistance(huge, huge, { onWarning: (w) => warnings.push(w) })).toThrow(/not finite even with/);
    expect(warnings[0]).toMatch(/adding 0\.000001 to the diagonals of both covariances \(pytorch-fid's fallback\)/);
  });
});

describe('traceSqrtProduct', () => {
  const rng = new Xoshiro128(5);
  const u = Float64Array.from({ length: 40 }, () => rng.normal());

  it('commuting matrices, singular ones included: sum of sqrt(a_i b_i)', () => {
    const a = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 0 : rng.uniform() * 4));
    const b = Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? 0 : rng.uniform() * 2));
    const expected = a.reduce((s, ai, i) => s + Math.sqrt(ai * b[i]!), 0);
    const got = traceSqrtProduct(rotated(a, u), rotated(b, u), 40);
    // Round-off eigenvalues near the zero ones (~1e-16) add their square roots (~1e-8): scipy's sqrtm too.
    expect(Math.abs(got / expected - 1)).toBeLessThan(1e-7);
    const full = a.map((ai) => ai + 0.5);
    const exact = full.reduce((s, ai, i) => s + Math.sqrt(ai * (b[i]! + 0.5)), 0);
    expect(Math.abs(traceSqrtProduct(rotated(full, u), rotated(b.map((bi) => bi + 0.5), u), 40) / exact - 1)).toBeLessThan(1e-12);
    expect(traceSqrtProduct(new Float64Array(16), rotated([1, 2, 3, 4], u.subarray(0, 4)), 4)).toBe(0);
  });

  it('2 x 2 products that do not commute: sqrt(tr M + 2 sqrt(det M))', () => {
    for (let t = 0; t < 20; t++) {
      const sym = (): Float64Array => {
        const p = rng.normal(), q = rng.normal(), r = rng.normal(), s = rng.normal();
        return new Float64Array([p * p + q * q, p * r + q * s, p * r + q * s, r * r + s * s]); // X X^T
      };
      const s1 = sym();
      const s2 = sym();
      const m = [s1[0]! * s2[0]! + s1[1]! * s2[2]!, s1[0]! * s2[1]! + s1[1]! * s2[3]!, s1[2]! * s2[0]! + s1[3]! * s2[2]!, s1[2]! * s2[1]! + s1[3]! * s2[3]!];
      const expected = Math.sqrt(m[0]! + m[3]! + 2 * Math.sqrt(Math.max(0, m[0]! * m[3]! - m[1]! * m[2]!)));
      expect(Math.abs(traceSqrtProduct(s1, s2, 2) / expected - 1)).toBeLessThan(1e-10);
    }
  });

  it('symmetric eigenvalues of a rotated diagonal matrix', () => {
    const values = Array.from({ length: 40 }, (_, i) => (i - 20) * 0.37 + (i % 2 ? 1e-3 : 0));
    const got = [...symmetricEigenvalues(rotated(values, u), 40)].sort((p, q) => p - q);
    const want = [...values].sort((p, q) => p - q);
    for (let i = 0; i < 40; i++) expect(got[i]).toBeCloseTo(want[i]!, 10);
  });
});
