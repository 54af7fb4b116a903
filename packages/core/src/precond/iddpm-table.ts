// The iDDPM noise level table u_j (Nichol & Dhariwal 2021; paper Table 1 and Appendix C.3.4):
//   alpha_bar(j) = sin(pi/2 j / (M (C_2 + 1)))^2
//   u_M = 0,  u_{j-1} = sqrt((u_j^2 + 1) / max(alpha_bar(j-1) / alpha_bar(j), C_1) - 1),  j = M, ..., 1
// The reference computes alpha_bar in float32 (its j is an integer tensor); we reproduce that rounding with
// Math.fround so the table matches its values.

const f = Math.fround;

/** alpha_bar(j) in float32 arithmetic, as the reference. */
export function iddpmAlphaBar(j: number, M: number, C2: number): number {
  const a = f(f(f(f(0.5 * Math.PI) * j) / M) / f(C2 + 1));
  const s = f(Math.sin(a));
  return f(s * s);
}

/**
 * u_0 .. u_M (length M + 1, decreasing, u_M = 0). `arithmetic`: 'float32' as the reference's iDDPMPrecond
 * buffer (all float32), 'float64' as its ablation_sampler (float64 u, float32 alpha_bar ratios).
 */
export function iddpmUTable(M: number, C1: number, C2: number, arithmetic: 'float32' | 'float64'): Float64Array {
  const u = new Float64Array(M + 1);
  const c1 = f(C1);
  for (let j = M; j > 0; j--) {
    const ratio = Math.max(f(iddpmAlphaBar(j - 1, M, C2) / iddpmAlphaBar(j, M, C2)), c1);
    u[j - 1] = arithmetic === 'float32'
      ? f(Math.sqrt(f(f(f(f(u[j]! * u[j]!) + 1) / ratio) - 1)))
      : Math.sqrt((u[j]! * u[j]! + 1) / ratio - 1);
  }
  return u;
}

/** Index of the u_j nearest to sigma (the first one on ties), as the reference's round_sigma. */
export function nearestIndex(u: Float64Array, sigma: number): number {
  let best = 0;
  let bestDist = Infinity;
  for (let j = 0; j < u.length; j++) {
    const d = Math.abs(sigma - u[j]!);
    if (d < bestDist) {
      bestDist = d;
      best = j;
    }
  }
  return best;
}
