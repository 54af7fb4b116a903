// Dense float64 linear algebra for the Frechet distance, in plain JavaScript (tfjs has no float64): the
// covariance of features, a pivoted Cholesky factorisation of a positive semi-definite matrix, and the
// eigenvalues of a symmetric matrix (Householder tridiagonalisation, then the implicit QL iteration).
// Matrices are row-major Float64Arrays; inner loops are dot products and axpys over contiguous rows.

/** sum_k a[ai + k] * b[bi + k] for k < n. */
export function dot(a: Float64Array, ai: number, b: Float64Array, bi: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += a[ai + k]! * b[bi + k]!;
    s1 += a[ai + k + 1]! * b[bi + k + 1]!;
    s2 += a[ai + k + 2]! * b[bi + k + 2]!;
    s3 += a[ai + k + 3]! * b[bi + k + 3]!;
  }
  for (; k < n; k++) s0 += a[ai + k]! * b[bi + k]!;
  return s0 + s1 + s2 + s3;
}

/**
 * The 2 x 4 dot products of the rows a[ai + r * as ...] (r < 2) with the rows b[bi + c * bs ...] (c < 4), each
 * over n elements, into out[4 r + c]: one pass loads 6 values for 8 multiply-adds (a plain dot loads 2 for 1).
 */
export function dots2x4(a: Float64Array, ai: number, as: number, b: Float64Array, bi: number, bs: number, n: number, out: Float64Array): void {
  const a1 = ai + as;
  const b1 = bi + bs;
  const b2 = b1 + bs;
  const b3 = b2 + bs;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  for (let k = 0; k < n; k++) {
    const x = a[ai + k]!;
    const y = a[a1 + k]!;
    const c0 = b[bi + k]!;
    const c1 = b[b1 + k]!;
    const c2 = b[b2 + k]!;
    const c3 = b[b3 + k]!;
    s00 += x * c0; s01 += x * c1; s02 += x * c2; s03 += x * c3;
    s10 += y * c0; s11 += y * c1; s12 += y * c2; s13 += y * c3;
  }
  out[0] = s00; out[1] = s01; out[2] = s02; out[3] = s03;
  out[4] = s10; out[5] = s11; out[6] = s12; out[7] = s13;
}

/**
 * Dot products of rows of `a` (rows `rows`, stride `as`) with rows of `b` (rows `cols`, stride `bs`), row r with
 * col c starting at element start(r, c) of both and running to `end`: calls `put(r, c, value)`. Tiles of 2 x 4
 * start at the smallest start of the tile (callers' rows hold zeros before their own start).
 */
export function tiledDots(
  a: Float64Array, as: number, rows: [number, number], b: Float64Array, bs: number, cols: (r: number) => [number, number],
  start: (r: number, c: number) => number, end: number, put: (r: number, c: number, v: number) => void,
): void {
  const out = new Float64Array(8);
  let r = rows[0];
  for (; r + 1 < rows[1]; r += 2) {
    const [c0, c1] = cols(r);
    let c = c0;
    for (; c + 3 < c1; c += 4) {
      const from = Math.min(start(r, c), start(r + 1, c));
      dots2x4(a, r * as + from, as, b, c * bs + from, bs, end - from, out);
      for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) put(r + i, c + j, out[4 * i + j]!);
    }
    for (; c < c1; c++) {
      for (let i = 0; i < 2; i++) {
        const from = start(r + i, c);
        put(r + i, c, dot(a, (r + i) * as + from, b, c * bs + from, end - from));
      }
    }
    // Row r + 1 may take columns row r does not (a triangle): the rest one by one.
    const [d0, d1] = cols(r + 1);
    for (let cc = Math.max(d0, c1); cc < d1; cc++) {
      const from = start(r + 1, cc);
      put(r + 1, cc, dot(a, (r + 1) * as + from, b, cc * bs + from, end - from));
    }
  }
  for (; r < rows[1]; r++) {
    const [c0, c1] = cols(r);
    for (let c = c0; c < c1; c++) {
      const from = start(r, c);
      put(r, c, dot(a, r * as + from, b, c * bs + from, end - from));
    }
  }
}

/** Samples per chunk of the covariance accumulation (a chunk's columns stay in cache). */
const COV_CHUNK = 128;

/**
 * Mean and centred second moment M2 = sum over samples of (x - mean)(x - mean)^T of N feature vectors of width
 * d (row-major), in float64: two passes (the mean first), so M2 carries no cancellation. Needs N >= 1.
 */
export function meanAndSecondMoment(features: ArrayLike<number>, n: number, d: number): { mean: Float64Array; m2: Float64Array } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += features[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  // Upper triangle, chunk by chunk: each chunk transposed to d rows of its centred values, so every entry is
  // one contiguous dot product per chunk; then mirrored.
  const m2 = new Float64Array(d * d);
  const cols = new Float64Array(d * COV_CHUNK);
  for (let start = 0; start < n; start += COV_CHUNK) {
    const m = Math.min(COV_CHUNK, n - start);
    for (let s = 0; s < m; s++) {
      const row = (start + s) * d;
      for (let j = 0; j < d; j++) cols[j * COV_CHUNK + s] = features[row + j]! - mean[j]!;
    }
    tiledDots(cols, COV_CHUNK, [0, d], cols, COV_CHUNK, (i) => [i, d], () => 0, m, (i, j, v) => { m2[i * d + j]! += v; });
  }
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) m2[j * d + i] = m2[i * d + j]!;
  return { mean, m2 };
}

/**
 * Pivoted Cholesky factorisation of a symmetric positive semi-definite n x n matrix A:
 * P^T A P = L L^T with L n x r lower trapezoidal (row-major, row stride r), r the numerical rank: the
 * factorisation stops when the largest remaining pivot is at most n * eps * max(diag A) (LAPACK dpstrf's
 * default tolerance), so a singular covariance (fewer samples than features) keeps only its range.
 * Left-looking: each column is n dot products over the rows already computed.
 */
export function pivotedCholesky(a: Float64Array, n: number): { l: Float64Array; perm: Int32Array; rank: number } {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const diag = new Float64Array(n); // diagonal of the remaining Schur complement, in permuted order
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    diag[i] = a[i * n + i]!;
    maxDiag = Math.max(maxDiag, diag[i]!);
  }
  const tol = n * Number.EPSILON * maxDiag;
  const full = new Float64Array(n * n); // rows of L, stride n, while the rank is unknown
  let rank = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (diag[i]! > diag[p]!) p = i;
    if (!(diag[p]! > tol)) break;
    if (p !== k) {
      [perm[k], perm[p]] = [perm[p]!, perm[k]!];
      [diag[k], diag[p]] = [diag[p]!, diag[k]!];
      for (let c = 0; c < k; c++) [full[k * n + c], full[p * n + c]] = [full[p * n + c]!, full[k * n + c]!];
    }
    const lkk = Math.sqrt(diag[k]!);
    full[k * n + k] = lkk;
    const rowK = perm[k]! * n;
    for (let i = k + 1; i < n; i++) {
      const v = (a[rowK + perm[i]!]! - dot(full, i * n, full, k * n, k)) / lkk;
      full[i * n + k] = v;
      diag[i]! -= v * v;
    }
    rank = k + 1;
  }
  const l = new Float64Array(n * rank);
  for (let i = 0; i < n; i++) l.set(full.subarray(i * n, i * n + Math.min(i + 1, rank)), i * rank);
  return { l, perm, rank };
}

/**
 * Eigenvalues of a symmetric n x n matrix (row-major; only the lower triangle is read; `a` is overwritten),
 * in no particular order. Householder reflections reduce it to tridiagonal form (Golub & Van Loan, Matrix
 * Computations, algorithm 8.3.1), then the implicit QL iteration with Wilkinson shifts finds the
 * eigenvalues of the tridiagonal matrix. Throws if an eigenvalue does not converge in 60 iterations.
 */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const d = new Float64Array(n); // diagonal
  const e = new Float64Array(n); // e[i]: the entry (i, i - 1) below the diagonal
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // The Householder vector v of column k below the diagonal (rows k+1..n-1): (I - beta v v^T) x = alpha e1.
    const m = n - k - 1;
    let scale = 0;
    for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(a[(k + 1 + i) * n + k]!));
    d[k] = a[k * n + k]!;
    if (scale === 0) { e[k + 1] = 0; continue; }
    let norm2 = 0;
    for (let i = 0; i < m; i++) {
      v[i] = a[(k + 1 + i) * n + k]! / scale;
      norm2 += v[i]! * v[i]!;
    }
    const alpha = -Math.sign(v[0]! || 1) * Math.sqrt(norm2);
    v[0]! -= alpha;
    // v^T v = norm2 - x0^2 + (x0 - alpha)^2 = 2 (norm2 - alpha x0), with x0 = v[0] + alpha.
    const x0 = v[0]! + alpha;
    const vtv = 2 * (norm2 - alpha * x0);
    e[k + 1] = alpha * scale;
    if (vtv === 0) continue;
    const b = 2 / vtv;
    // p = b * A22 v, with A22 the trailing block (lower triangle stored): row i adds its dot product and
    // scatters its strictly-lower part to the earlier entries.
    p.fill(0, 0, m);
    for (let i = 0; i < m; i++) {
      const row = (k + 1 + i) * n + k + 1;
      const vi = v[i]!;
      let s = a[row + i]! * vi;
      for (let j = 0; j < i; j++) {
        const aij = a[row + j]!;
        s += aij * v[j]!;
        p[j]! += aij * vi;
      }
      p[i]! += s;
    }
    for (let i = 0; i < m; i++) p[i]! *= b;
    // w = p - (b p^T v / 2) v; A22 -= v w^T + w v^T (lower triangle).
    const c = (b * dot(p, 0, v, 0, m)) / 2;
    for (let i = 0; i < m; i++) p[i]! -= c * v[i]!;
    for (let i = 0; i < m; i++) {
      const row = (k + 1 + i) * n + k + 1;
      const vi = v[i]!;
      const pi = p[i]!;
      for (let j = 0; j <= i; j++) a[row + j]! -= vi * p[j]! + pi * v[j]!;
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2]!;
    e[n - 1] = a[(n - 1) * n + n - 2]!;
  }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + n - 1]!;
  return tridiagonalEigenvalues(d, e);
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix with diagonal d and subdiagonal e (e[i] couples i - 1 and
 * i; e[0] unused) by the implicit QL iteration with Wilkinson shifts (Wilkinson & Reinsch, Handbook for
 * Automatic Computation II, procedure tql1). d is overwritten with the eigenvalues and returned.
 */
export function tridiagonalEigenvalues(d: Float64Array, e: Float64Array): Float64Array {
  const n = d.length;
  const off = new Float64Array(n); // off[i] couples i and i + 1
  for (let i = 0; i + 1 < n; i++) off[i] = e[i + 1]!;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      // Find a negligible off-diagonal entry: the block l..m is unreduced.
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(off[m]!) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (iter >= 60) throw new Error(`symmetricEigenvalues: eigenvalue ${l} of ${n} did not converge in 60 QL iterations`);
      // Wilkinson shift from the leading 2 x 2 block.
      let g = (d[l + 1]! - d[l]!) / (2 * off[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + off[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let pp = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        const f = s * off[i]!;
        const b = c * off[i]!;
        r = Math.hypot(f, g);
        off[i + 1] = r;
        if (r === 0) {
          d[i + 1]! -= pp;
          off[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - pp;
        r = (d[i]! - g) * s + 2 * c * b;
        pp = s * r;
        d[i + 1] = g + pp;
        g = c * r - b;
      }
      if (r === 0 && i >= l) continue;
      d[l]! -= pp;
      off[l] = g;
      off[m] = 0;
    }
  }
  return d;
}
