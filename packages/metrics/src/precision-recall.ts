// Improved precision and recall (Kynkaanniemi et al. 2019, "Improved Precision and Recall Metric for
// Assessing Generative Models", eq. 1-3): each set's manifold is the union of hyperspheres around its
// feature vectors, each with the radius of the distance to its k-th nearest neighbour in the same set
// (k = 3, the paper's choice). Precision is the fraction of generated vectors inside the real manifold;
// recall the fraction of real vectors inside the generated one. Distances are squared Euclidean,
// |a|^2 + |b|^2 - 2 a.b, as float32 matrix products on the active tfjs backend, in row blocks.
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link precisionRecall}. */
export interface PrecisionRecallOptions {
  /** Neighbourhood size k. Default 3. */
  k?: number;
  /** Distance-matrix entries per block (rows x columns); bounds the memory. Default 2^24 (64 MB). */
  blockEntries?: number;
}

/** Precision and recall in [0, 1]. */
export interface PrecisionRecallResult {
  precision: number;
  recall: number;
}

/** Squared distances [rows, n] between a row block and a whole set (norms precomputed). */
function squaredDistances(a: tf.Tensor2D, b: tf.Tensor2D, bNorms: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const aNorms = tf.sum(tf.square(a), 1, true);
    return tf.relu(tf.sub(tf.add(aNorms, bNorms), tf.mul(tf.matMul(a, b, false, true), 2))) as tf.Tensor2D;
  });
}

function blockRows(n: number, blockEntries: number): number {
  return Math.max(1, Math.min(n, Math.floor(blockEntries / n)));
}

/** Squared radius of each vector's hypersphere: its (k + 1)-th smallest distance in its own set (the first is itself). */
async function radii(set: tf.Tensor2D, norms: tf.Tensor1D, k: number, blockEntries: number): Promise<tf.Tensor1D> {
  const n = set.shape[0];
  const rows = blockRows(n, blockEntries);
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += rows) {
    const m = Math.min(rows, n - start);
    const kth = tf.tidy(() => {
      const dist = squaredDistances(tf.slice(set, [start, 0], [m, -1]), set, norms);
      const { values } = tf.topk(tf.neg(dist), k + 1, true);
      return tf.neg(tf.slice(values, [0, k], [m, 1]));
    });
    out.set(await kth.data() as Float32Array, start);
    kth.dispose();
  }
  return tf.tensor1d(out);
}

/** Fraction of `queries` inside the union of hyperspheres (centres `set`, squared radii `r2`). */
async function coverage(queries: tf.Tensor2D, set: tf.Tensor2D, setNorms: tf.Tensor1D, r2: tf.Tensor1D, blockEntries: number): Promise<number> {
  const n = queries.shape[0];
  const rows = blockRows(set.shape[0], blockEntries);
  let inside = 0;
  for (let start = 0; start < n; start += rows) {
    const m = Math.min(rows, n - start);
    const count = tf.tidy(() => {
      const dist = squaredDistances(tf.slice(queries, [start, 0], [m, -1]), set, setNorms);
      return tf.sum(tf.cast(tf.any(tf.lessEqual(dist, r2), 1), 'int32'));
    });
    inside += (await count.data())[0]!;
    count.dispose();
  }
  return inside / n;
}

/**
 * Precision and recall of generated features against real ones, both [n, d] row-major float32. Each set
 * needs more than k vectors (a k-th neighbour other than itself).
 */
export async function precisionRecall(
  real: Float32Array, generated: Float32Array, d: number, options: PrecisionRecallOptions = {},
): Promise<PrecisionRecallResult> {
  const k = options.k ?? 3;
  if (!Number.isInteger(k) || k < 1) throw new Error(`precisionRecall: k must be a positive integer, got ${k}`);
  const blockEntries = options.blockEntries ?? 2 ** 24;
  for (const [f, name] of [[real, 'real'], [generated, 'generated']] as const) {
    if (f.length % d !== 0) throw new Error(`precisionRecall: the ${name} set's ${f.length} values are not rows of ${d} features`);
    if (f.length / d <= k) throw new Error(`precisionRecall: the ${name} set has ${f.length / d} feature vector(s); k = ${k} needs more than ${k}`);
  }
  const r = tf.tensor2d(real, [real.length / d, d]);
  const g = tf.tensor2d(generated, [generated.length / d, d]);
  const rn = tf.tidy(() => tf.sum(tf.square(r), 1)) as tf.Tensor1D;
  const gn = tf.tidy(() => tf.sum(tf.square(g), 1)) as tf.Tensor1D;
  try {
    const rr = await radii(r, rn, k, blockEntries);
    const gr = await radii(g, gn, k, blockEntries);
    try {
      const precision = await coverage(g, r, rn, rr, blockEntries);
      const recall = await coverage(r, g, gn, gr, blockEntries);
      return { precision, recall };
    } finally {
      tf.dispose([rr, gr]);
    }
  } finally {
    tf.dispose([r, g, rn, gn]);
  }
}
