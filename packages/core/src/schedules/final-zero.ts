// The final step to sigma = 0. Every schedule ends at sigma_min and then appends exactly one 0, so the last
// step is sigma_min -> 0 (for sigma_min = 0.002, a step smaller than any other of the schedule), not a
// schedule that ramps down to 0 itself (whose last interval is as large as its predecessors: the oversized
// last step of k-diffusion issue #37 and the doubled 0 of ComfyUI #4005). The samplers take that step as
// the limit sigma_next -> 0 (x = D(x; sigma_min), no log 0).

/** Appends one 0 to the noise levels unless they already end with 0. Returns a new array. */
export function withFinalZero(sigmas: readonly number[]): number[] {
  const out = sigmas.slice();
  if (out.length === 0 || out[out.length - 1] !== 0) out.push(0);
  return out;
}

/**
 * Checks that `sigmas` is a usable noise-level sequence for a sampler: at least 2 values, finite,
 * strictly decreasing, all > 0 except possibly the last (0). Returns a plain number array.
 * @param owner - name used in the error message (sampler name).
 */
export function checkSigmas(owner: string, sigmas: ArrayLike<number>): number[] {
  const s = Array.from(sigmas);
  if (s.length < 2) {
    throw new Error(`${owner}: option sigmas needs at least 2 noise levels (start and end), got ${s.length}`);
  }
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    const last = i === s.length - 1;
    if (!Number.isFinite(v) || v < 0 || (v === 0 && !last)) {
      throw new Error(`${owner}: option sigmas[${i}] must be finite and > 0 (only the last may be 0), got ${v}`);
    }
    if (i > 0 && !(v < s[i - 1]!)) {
      throw new Error(`${owner}: option sigmas must be strictly decreasing, got sigmas[${i - 1}] = ${s[i - 1]} then sigmas[${i}] = ${v}`);
    }
  }
  return s;
}
