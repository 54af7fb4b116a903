// Kernel Inception Distance (Binkowski et al. 2018, "Demystifying MMD GANs", eq. 2 with the kernel of
// section 4): the unbiased estimate of the squared maximum mean discrepancy between two feature sets with
// the polynomial kernel k(x, y) = (x.y / d + 1)^3,
//   MMD^2_u = sum_{i != j} k(x_i, x_j) / (m (m - 1)) + sum_{i != j} k(y_i, y_j) / (m (m - 1)) - 2 sum_{i, j} k(x_i, y_j) / m^2,
// averaged over random subsets of m from each set (100 subsets of 1000 by default, as NVlabs' and
// torch-fidelity's KID), drawn without replacement by a seeded Xoshiro128 (@edm/core); the standard
// deviation is over the subsets (numpy's np.std, ddof 0, as torch-fidelity reports it). The dot products
// run as float32 matrix products on the active tfjs backend (NVlabs' numpy code multiplies float32
// features too); kernel values and sums are float64.
import * as tf from '@tensorflow/tfjs-core';
import { Xoshiro128 } from '@edm/core';
import { gatherRows, sampleIndices } from './subset';

/** Options of {@link kernelInceptionDistance}. */
export interface KidOptions {
  /** Number of subsets. Default 100. */
  subsets?: number;
  /** Subset size m (capped at the smaller set). Default 1000. */
  subsetSize?: number;
  /** Seed of the subset draws. Default 0. */
  seed?: number;
}

/** KID over the subsets. */
export interface KidResult {
  /** Mean of MMD^2_u over the subsets. */
  mean: number;
  /** Standard deviation over the subsets (ddof 0; 0 for one subset). */
  std: number;
  /** The subset size used. */
  subsetSize: number;
  /** Each subset's MMD^2_u. */
  values: number[];
}

/** Sum of k = (g / d + 1)^3 over a Gram matrix g [m, m'] (float64), and the same over its diagonal. */
function kernelSum(g: Float32Array, rows: number, cols: number, d: number): { all: number; diag: number } {
  let all = 0;
  let diag = 0;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const t = g[i * cols + j]! / d + 1;
      s += t * t * t;
    }
    all += s;
    if (i < cols) {
      const t = g[i * cols + i]! / d + 1;
      diag += t * t * t;
    }
  }
  return { all, diag };
}

async function gram(a: Float32Array, b: Float32Array, d: number): Promise<Float32Array> {
  const ta = tf.tensor2d(a, [a.length / d, d]);
  const tb = b === a ? ta : tf.tensor2d(b, [b.length / d, d]);
  const g = tf.matMul(ta, tb, false, true);
  const out = await g.data() as Float32Array;
  tf.dispose([ta, tb, g]);
  return out;
}

/**
 * KID between feature sets x [nx, d] and y [ny, d] (row-major float32). Throws when a set has fewer than 2
 * vectors (the unbiased estimate needs m >= 2).
 */
export async function kernelInceptionDistance(
  x: Float32Array, y: Float32Array, d: number, options: KidOptions = {},
): Promise<KidResult> {
  if (!Number.isInteger(d) || d < 1) throw new Error(`kernelInceptionDistance: feature width must be a positive integer, got ${d}`);
  for (const [f, name] of [[x, 'first'], [y, 'second']] as const) {
    if (f.length % d !== 0) throw new Error(`kernelInceptionDistance: the ${name} set's ${f.length} values are not rows of ${d} features`);
    if (f.length / d < 2) throw new Error(`kernelInceptionDistance: the ${name} set has ${f.length / d} feature vector(s); KID needs at least 2 per set`);
  }
  const subsets = options.subsets ?? 100;
  if (!Number.isInteger(subsets) || subsets < 1) throw new Error(`kernelInceptionDistance: subsets must be a positive integer, got ${subsets}`);
  const nx = x.length / d;
  const ny = y.length / d;
  const m = Math.min(nx, ny, options.subsetSize ?? 1000);
  if (!Number.isInteger(m) || m < 2) throw new Error(`kernelInceptionDistance: subsetSize must be an integer >= 2, got ${options.subsetSize}`);
  const rng = new Xoshiro128(options.seed ?? 0, 0x6b6964);
  const values: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const xs = m === nx ? x : gatherRows(x, d, sampleIndices(rng, nx, m));
    const ys = m === ny ? y : gatherRows(y, d, sampleIndices(rng, ny, m));
    const kxx = kernelSum(await gram(xs, xs, d), m, m, d);
    const kyy = kernelSum(await gram(ys, ys, d), m, m, d);
    const kxy = kernelSum(await gram(xs, ys, d), m, m, d);
    values.push((kxx.all - kxx.diag + kyy.all - kyy.diag) / (m * (m - 1)) - (2 * kxy.all) / (m * m));
  }
  const mean = values.reduce((a, v) => a + v, 0) / subsets;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / subsets);
  return { mean, std, subsetSize: m, values };
}
