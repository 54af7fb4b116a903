// Frechet distance between Gaussians fitted to two feature sets (Heusel et al. 2017, eq. 6; FID when the
// features are the FID Inception's pool3):
//   d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))
// in float64, with means and N - 1 covariances as pytorch-fid computes them (np.mean, np.cov).
//
// pytorch-fid takes tr((S1 S2)^(1/2)) from scipy.linalg.sqrtm of the non-symmetric product, a Schur
// decomposition costing about 25 D^3 flops. Its trace is the sum of the square roots of the eigenvalues of
// S1 S2, which are real and non-negative, and equal those of the symmetric L^T S2 L for any factor
// S1 = L L^T (the non-zero eigenvalues of XY and YX coincide). So here: a pivoted Cholesky factor of S1
// (its numerical rank r, so a singular S1 from fewer samples than features is fine), M = L^T P^T S2 P L
// (r x r), its eigenvalues by Householder tridiagonalisation and QL, and the sum of their square roots (round-
// off negatives count as 0, as the real part of scipy's result does). About n^3 / 6 + n^2 r / 2 + n r^2 / 3 +
// 2 r^3 / 3 multiply-adds (tens of seconds for D = 2048 in JavaScript, docs/performance.md); on random data it
// agrees with scipy's sqrtm to about 1e-8 relative, singular products included.
//
// pytorch-fid's fallback: when sqrtm's result is not finite it adds eps I (eps = 1e-6) to both covariances
// and computes again. The symmetric route is finite for any finite positive semi-definite input (current
// scipy's sqrtm is too, on singular products), so the offset is only taken where the first computation
// fails (an eigenvalue that does not converge, or a non-finite result), with the same eps.
import { pivotedCholesky, symmetricEigenvalues, tiledDots } from './linalg';
import { featureMoments, statsFromMoments } from './moments';

/** A Gaussian fitted to N feature vectors: mean and unbiased (N - 1) covariance, float64. */
export interface FeatureStats {
  /** Number of feature vectors. */
  count: number;
  /** Feature width D. */
  dim: number;
  /** Mean [D]. */
  mean: Float64Array;
  /** Covariance [D, D] row-major, normalised by N - 1. */
  cov: Float64Array;
}

/**
 * Mean and covariance of `features` [N, dim] (row-major). Throws for N < 2 (no N - 1 covariance), a
 * length that is not a multiple of `dim`, or a non-finite feature.
 */
export function featureStats(features: Float32Array | Float64Array, dim: number, label = 'features'): FeatureStats {
  return statsFromMoments(featureMoments(features, dim, label), label);
}

/** tr((S1 S2)^(1/2)) for symmetric positive semi-definite n x n S1, S2 (row-major), by the symmetric route above. */
export function traceSqrtProduct(s1: Float64Array, s2: Float64Array, n: number): number {
  const { l, perm, rank: r } = pivotedCholesky(s1, n);
  if (r === 0) return 0;
  // lt: L's columns as rows (r x n), zero above the diagonal of L.
  const lt = new Float64Array(r * n);
  for (let i = 0; i < n; i++) for (let c = 0; c <= Math.min(i, r - 1); c++) lt[c * n + i] = l[i * r + c]!;
  // tt[c][i] = (P^T S2 P L)[i][c] = sum over j >= c of S2[perm i][perm j] L[j][c].
  const tt = new Float64Array(r * n);
  const s2p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const src = perm[i]! * n;
    for (let j = 0; j < n; j++) s2p[i * n + j] = s2[src + perm[j]!]!;
  }
  tiledDots(s2p, n, [0, n], lt, n, () => [0, r], (_i, c) => c, n, (i, c, v) => { tt[c * n + i] = v; });
  // M = L^T (P^T S2 P L), lower triangle: M[b][a] = sum over i >= a of L[i][a] T[i][b].
  const m = new Float64Array(r * r);
  tiledDots(lt, n, [0, r], tt, n, (a) => [a, r], (a) => a, n, (a, b, v) => { m[b * r + a] = v; });
  let trace = 0;
  for (const ev of symmetricEigenvalues(m, r)) if (ev > 0) trace += Math.sqrt(ev);
  return trace;
}

/** Options of {@link frechetDistance}. */
export interface FrechetOptions {
  /** pytorch-fid's offset, added to both covariances' diagonals when the first computation fails. Default 1e-6. */
  eps?: number;
  /** Receives pytorch-fid's warning when the offset is taken. */
  onWarning?: (message: string) => void;
}

/** The Frechet distance between two fitted Gaussians (same feature width). */
export function frechetDistance(a: FeatureStats, b: FeatureStats, options: FrechetOptions = {}): number {
  if (a.dim !== b.dim) throw new Error(`frechetDistance: feature widths differ (${a.dim} and ${b.dim})`);
  for (const [s, which] of [[a, 'first'], [b, 'second']] as const) {
    if (s.count < 2) throw new Error(`frechetDistance: the ${which} set has ${s.count} image(s); the Frechet distance needs at least 2 per set`);
  }
  const n = a.dim;
  let diff2 = 0;
  let trA = 0;
  let trB = 0;
  for (let i = 0; i < n; i++) {
    diff2 += (a.mean[i]! - b.mean[i]!) ** 2;
    trA += a.cov[i * n + i]!;
    trB += b.cov[i * n + i]!;
  }
  let trCovmean: number;
  try {
    trCovmean = traceSqrtProduct(a.cov, b.cov, n);
    if (!Number.isFinite(trCovmean)) throw new Error(`tr sqrt(S1 S2) is ${trCovmean}`);
  } catch (e) {
    const eps = options.eps ?? 1e-6;
    options.onWarning?.(`frechetDistance: ${(e as Error).message}; adding ${eps} to the diagonals of both covariances (pytorch-fid's fallback)`);
    const offset = (s: Float64Array) => {
      const c = s.slice();
      for (let i = 0; i < n; i++) c[i * n + i]! += eps;
      return c;
    };
    trCovmean = traceSqrtProduct(offset(a.cov), offset(b.cov), n);
    if (!Number.isFinite(trCovmean)) {
      throw new Error(`frechetDistance: tr sqrt(S1 S2) is not finite even with ${eps} added to the diagonals (covariances out of float64 range?)`);
    }
  }
  return diff2 + trA + trB - 2 * trCovmean;
}
