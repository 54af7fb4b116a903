// Distances between sample sets, computed in float64 JavaScript.
//   Sliced Wasserstein-2: SW_2(P, Q)^2 = E_theta W_2^2(theta.P, theta.Q) over random unit directions theta;
//   each 1-D W_2 between equal-size empirical sets is the RMS difference of the sorted projections.
import { Xoshiro128 } from '../src/noise/prng';

/** Sliced Wasserstein-2 distance between two equal-size sets of n points of dimension dim (row-major). */
export function slicedWasserstein(a: Float32Array, b: Float32Array, dim: number, numProjections = 128, seed = 99): number {
  const n = a.length / dim;
  if (b.length !== a.length || !Number.isInteger(n)) {
    throw new Error(`slicedWasserstein: the sets must have the same size and dimension ${dim}, got ${a.length} and ${b.length} values`);
  }
  const g = new Xoshiro128(seed, 11);
  const pa = new Float64Array(n);
  const pb = new Float64Array(n);
  const theta = new Float64Array(dim);
  let total = 0;
  for (let p = 0; p < numProjections; p++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) { theta[j] = g.normal(); norm += theta[j]! ** 2; }
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) {
      let sa = 0;
      let sb = 0;
      for (let j = 0; j < dim; j++) { sa += a[i * dim + j]! * theta[j]!; sb += b[i * dim + j]! * theta[j]!; }
      pa[i] = sa / norm;
      pb[i] = sb / norm;
    }
    pa.sort();
    pb.sort();
    let w = 0;
    for (let i = 0; i < n; i++) w += (pa[i]! - pb[i]!) ** 2;
    total += w / n;
  }
  return Math.sqrt(total / numProjections);
}

/** Root-mean-square difference per coordinate between two equal-size arrays (paired samples). */
export function rmse(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`rmse: sizes differ, ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / a.length);
}

/**
 * Squared maximum mean discrepancy between samples x (n points, row-major) and an isotropic Gaussian mixture
 * P = sum_k pi_k N(mu_k, c^2 I), with the Gaussian kernel k(x, y) = exp(-|x - y|^2 / (2 l^2)). The data
 * terms are exact (no data sampling noise):
 *   E_{y~P} k(x, y)      = sum_k pi_k (l^2 / (l^2 + c^2))^{d/2} exp(-|x - mu_k|^2 / (2 (l^2 + c^2)))
 *   E_{y,y'~P} k(y, y')  = sum_{k,k'} pi_k pi_k' (l^2 / (l^2 + 2c^2))^{d/2} exp(-|mu_k - mu_k'|^2 / (2 (l^2 + 2c^2)))
 * and the sample term is the unbiased U-statistic, so E[MMD^2] = 0 for exact samples (the estimate may be
 * slightly negative).
 */
export function mmd2ToMixture(x: Float32Array, dim: number, means: number[][], weights: number[], c: number, l: number): number {
  const n = x.length / dim;
  const l2 = l * l;
  const c2 = c * c;
  let xx = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let d2 = 0;
      for (let q = 0; q < dim; q++) d2 += (x[i * dim + q]! - x[j * dim + q]!) ** 2;
      xx += 2 * Math.exp(-d2 / (2 * l2));
    }
  }
  xx /= n * (n - 1);
  const a1 = (l2 / (l2 + c2)) ** (dim / 2);
  let xy = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < means.length; k++) {
      let d2 = 0;
      const mu = means[k]!;
      for (let q = 0; q < dim; q++) d2 += (x[i * dim + q]! - mu[q]!) ** 2;
      xy += weights[k]! * a1 * Math.exp(-d2 / (2 * (l2 + c2)));
    }
  }
  xy /= n;
  const a2 = (l2 / (l2 + 2 * c2)) ** (dim / 2);
  let yy = 0;
  for (let k = 0; k < means.length; k++) {
    for (let m = 0; m < means.length; m++) {
      let d2 = 0;
      for (let q = 0; q < dim; q++) d2 += (means[k]![q]! - means[m]![q]!) ** 2;
      yy += weights[k]! * weights[m]! * a2 * Math.exp(-d2 / (2 * (l2 + 2 * c2)));
    }
  }
  return xx - 2 * xy + yy;
}
