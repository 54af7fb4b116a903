// Mergeable first and second moments of feature sets, so the Frechet distance of N images can be computed from
// shards computed apart (other processes or machines) and equal the single-pass value to rounding.
//
// A shard keeps its count n, mean m and centred second moment M2 = sum (x - m)(x - m)^T (float64, two passes:
// no cancellation). Two shards a, b combine exactly (Chan, Golub & LeVeque 1979, the pairwise update, here
// for vectors):
//   n = n_a + n_b,   m = (n_a m_a + n_b m_b) / n,   M2 = M2_a + M2_b + (n_a n_b / n) (m_b - m_a)(m_b - m_a)^T
// and the covariance is M2 / (n - 1), as np.cov. Merging centred moments (not raw sums of x x^T) keeps the
// precision of the two-pass formula: the correction term is small where the shards' means agree.
import type { FeatureStats } from './frechet';
import { meanAndSecondMoment } from './linalg';

/** The moments of a set of feature vectors: count, mean [D] and centred second moment M2 [D, D] (row-major). */
export interface FeatureMoments {
  /** Number of feature vectors (>= 1). */
  count: number;
  /** Feature width D. */
  dim: number;
  /** Mean [D]. */
  mean: Float64Array;
  /** sum over the vectors of (x - mean)(x - mean)^T, [D, D] row-major, symmetric. */
  m2: Float64Array;
}

/**
 * The moments of `features` [N, dim] (row-major). Throws for N < 1, a length that is not a multiple of `dim`,
 * or a non-finite feature (naming the image and feature).
 */
export function featureMoments(features: Float32Array | Float64Array, dim: number, label = 'features'): FeatureMoments {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`${label}: feature width must be a positive integer, got ${dim}`);
  if (features.length % dim !== 0) throw new Error(`${label}: ${features.length} values are not rows of ${dim} features`);
  const count = features.length / dim;
  if (count < 1) throw new Error(`${label}: no feature vectors`);
  for (let i = 0; i < features.length; i++) {
    if (!Number.isFinite(features[i]!)) throw new Error(`${label}: feature ${i % dim} of image ${Math.floor(i / dim)} is not finite (${features[i]})`);
  }
  return { count, dim, ...meanAndSecondMoment(features, count, dim) };
}

/** Checks that `m` is a well-formed FeatureMoments (for moments that arrived from elsewhere); throws naming `label`. */
export function checkFeatureMoments(m: FeatureMoments, label = 'moments'): void {
  if (!Number.isInteger(m.dim) || m.dim < 1) throw new Error(`${label}: feature width must be a positive integer, got ${m.dim}`);
  if (!Number.isInteger(m.count) || m.count < 1) throw new Error(`${label}: count must be a positive integer, got ${m.count}`);
  if (m.mean.length !== m.dim) throw new Error(`${label}: mean has ${m.mean.length} values, expected ${m.dim}`);
  if (m.m2.length !== m.dim * m.dim) throw new Error(`${label}: second moment has ${m.m2.length} values, expected ${m.dim} x ${m.dim}`);
  for (const [name, a] of [['mean', m.mean], ['second moment', m.m2]] as const) {
    const bad = a.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${label}: ${name} value ${bad} is not finite (${a[bad]})`);
  }
}

/** The moments of the union of the sets `a` and `b` (Chan et al.'s pairwise update; see the file header). */
export function mergeFeatureMoments(a: FeatureMoments, b: FeatureMoments): FeatureMoments {
  if (a.dim !== b.dim) throw new Error(`mergeFeatureMoments: feature widths differ (${a.dim} and ${b.dim})`);
  const d = a.dim;
  const count = a.count + b.count;
  const mean = new Float64Array(d);
  const delta = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    mean[j] = (a.count * a.mean[j]! + b.count * b.mean[j]!) / count;
    delta[j] = b.mean[j]! - a.mean[j]!;
  }
  const w = (a.count * b.count) / count;
  const m2 = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const wi = w * delta[i]!;
    for (let j = 0; j < d; j++) m2[i * d + j] = a.m2[i * d + j]! + b.m2[i * d + j]! + wi * delta[j]!;
  }
  return { count, dim: d, mean, m2 };
}

/** Merges any number of shards' moments, in the order given (at least one). */
export function mergeAllFeatureMoments(parts: readonly FeatureMoments[]): FeatureMoments {
  if (parts.length === 0) throw new Error('mergeAllFeatureMoments: no moments to merge');
  return parts.slice(1).reduce(mergeFeatureMoments, parts[0]!);
}

/** Mean and N - 1 covariance from moments (N >= 2), as featureStats gives for the same vectors. */
export function statsFromMoments(m: FeatureMoments, label = 'features'): FeatureStats {
  if (m.count < 2) {
    throw new Error(`${label}: the Frechet distance needs at least 2 images per set (its covariance divides by N - 1), got ${m.count}`);
  }
  const cov = new Float64Array(m.m2.length);
  for (let i = 0; i < cov.length; i++) cov[i] = m.m2[i]! / (m.count - 1);
  return { count: m.count, dim: m.dim, mean: m.mean.slice(), cov };
}
