// Post-hoc EMA (Karras et al. 2024, "Analyzing and Improving the Training Dynamics of Diffusion Models",
// Section 3 and Appendix C; reference training/phema.py). A power-function EMA with exponent gamma averages
// the weights with a profile proportional to t^gamma over training time [0, T]; its width is given as the
// relative standard deviation sigma_rel of that profile:
//   sigma_rel = sqrt((gamma + 1) / ((gamma + 2)^2 (gamma + 3)))                                  (eq. 123)
//   gamma from sigma_rel: the largest real root of gamma^3 + 7 gamma^2 + (16 - s^-2) gamma + (12 - s^-2)
//                                                                                        (eq. 126, Algorithm 2)
//   beta(t) = (1 - t_delta / t)^(gamma + 1)       (the EMA decay of one update ending at t; eq. 127)
// Snapshots of such EMAs at times t_i with exponents gamma_i are profiles p_i; any other profile (another
// sigma_rel, another time) is reconstructed as the least-squares combination sum_i x_i p_i:
//   <p_a, p_b> = (gamma_a + 1)(gamma_b + 1) (t_a / t_b)^(t_a < t_b ? gamma_b : -gamma_a)
//                / ((gamma_a + gamma_b + 1) max(t_a, t_b))                              (eq. 151, Algorithm 3)
//   A x = b with A_ij = <p_i, p_j>, b_i = <p_i, p_out>; then x normalised to sum 1.
// All in float64.

/** Upper bound of sigma_rel (its limit as gamma -> -1 is sqrt(1/12) = 0.2887), as the reference checks it. */
export const PHEMA_MAX_STD = 0.289;

/** sigma_rel of a power-function EMA with exponent gamma (eq. 123). */
export function expToStd(exp: number): number {
  return Math.sqrt((exp + 1) / (exp + 2) ** 2 / (exp + 3));
}

/**
 * The exponent gamma of a power-function EMA with relative standard deviation `std` in (0, 0.289)
 * (eq. 126): the largest real root of the cubic, by Newton's method from above it (monotone convergence).
 */
export function stdToExp(std: number): number {
  if (!(typeof std === 'number' && std > 0 && std < PHEMA_MAX_STD)) {
    throw new Error(`stdToExp: std (relative standard deviation) must be in (0, ${PHEMA_MAX_STD}), got ${String(std)}`);
  }
  const t = std ** -2;
  const c = [7, 16 - t, 12 - t];
  const f = (x: number) => ((x + c[0]!) * x + c[1]!) * x + c[2]!;
  const df = (x: number) => (3 * x + 2 * c[0]!) * x + c[1]!;
  // Cauchy's bound: every root is below 1 + max |c_i|, and the cubic is convex right of its largest root.
  let x = 1 + Math.max(...c.map(Math.abs));
  for (let i = 0; i < 200; i++) {
    const step = f(x) / df(x);
    const next = x - step;
    if (!(next < x)) break;
    x = next;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

/** beta of one power-function EMA update from t_next - t_delta to t_next (eq. 127). */
export function powerFunctionBeta(std: number, tNext: number, tDelta: number): number {
  return (1 - tDelta / tNext) ** (stdToExp(std) + 1);
}

/** <p_a, p_b>: the inner product of two power-function EMA profiles (time, sigma_rel) (eq. 151). */
export function powerFunctionCorrelation(aOfs: number, aStd: number, bOfs: number, bStd: number): number {
  const aExp = stdToExp(aStd);
  const bExp = stdToExp(bStd);
  const tRatio = aOfs / bOfs;
  const tExp = aOfs < bOfs ? bExp : -aExp;
  const tMax = Math.max(aOfs, bOfs);
  return ((aExp + 1) * (bExp + 1) * tRatio ** tExp) / ((aExp + bExp + 1) * tMax);
}

/** Solves A X = B (A n x n, B n x m, row-major arrays of rows) by Gaussian elimination with partial pivoting. */
export function solveLinear(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  const m = b[0]?.length ?? 0;
  const A = a.map((r) => [...r]);
  const B = b.map((r) => [...r]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(A[i]![k]!) > Math.abs(A[p]![k]!)) p = i;
    if (A[p]![k] === 0) throw new Error(`solveLinear: the matrix is singular (column ${k})`);
    [A[k], A[p]] = [A[p]!, A[k]!];
    [B[k], B[p]] = [B[p]!, B[k]!];
    for (let i = k + 1; i < n; i++) {
      const f = A[i]![k]! / A[k]![k]!;
      if (f === 0) continue;
      for (let j = k; j < n; j++) A[i]![j]! -= f * A[k]![j]!;
      for (let j = 0; j < m; j++) B[i]![j]! -= f * B[k]![j]!;
    }
  }
  const X = B.map((r) => r.map(() => 0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = 0; j < m; j++) {
      let s = B[i]![j]!;
      for (let k = i + 1; k < n; k++) s -= A[i]![k]! * X[k]![j]!;
      X[i]![j] = s / A[i]![i]!;
    }
  }
  return X;
}

/** One EMA profile: the training time of the snapshot (images) and its sigma_rel. */
export interface EmaProfile {
  /** Training time t (images seen; any unit, the same for all profiles). */
  ofs: number;
  /** Relative standard deviation sigma_rel in (0, 0.289). */
  std: number;
}

/**
 * The post-hoc EMA coefficients (Algorithm 3): X [inputs][outputs] such that output j = sum_i X[i][j] input_i,
 * the least-squares fit of each output profile by the input profiles, each column normalised to sum 1.
 * Throws naming the problem when there are no inputs, a time is not positive or a std is out of range.
 */
export function solvePosthocCoefficients(inputs: readonly EmaProfile[], outputs: readonly EmaProfile[]): number[][] {
  if (inputs.length === 0) throw new Error('solvePosthocCoefficients: no input profiles (snapshots)');
  for (const [what, list] of [['input', inputs], ['output', outputs]] as const) {
    list.forEach((p, i) => {
      if (!(Number.isFinite(p.ofs) && p.ofs > 0)) throw new Error(`solvePosthocCoefficients: ${what} ${i}: time must be > 0, got ${p.ofs}`);
      stdToExp(p.std);
    });
  }
  const A = inputs.map((p) => inputs.map((q) => powerFunctionCorrelation(p.ofs, p.std, q.ofs, q.std)));
  const B = inputs.map((p) => outputs.map((q) => powerFunctionCorrelation(p.ofs, p.std, q.ofs, q.std)));
  const X = solveLinear(A, B);
  for (let j = 0; j < outputs.length; j++) {
    const s = X.reduce((acc, row) => acc + row[j]!, 0);
    for (const row of X) row[j]! /= s;
  }
  return X;
}
