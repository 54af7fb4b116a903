// Noise level schedules sigma(t) of the generalised probability-flow ODE (paper eq. 4, Table 1), with their
// derivatives and inverses, in float64 (plain numbers), as the reference's ablation_sampler:
//   vp:     sigma(t) = sqrt(exp(beta_d t^2 / 2 + beta_min t) - 1)
//   ve:     sigma(t) = sqrt(t)
//   linear: sigma(t) = t                                   (EDM, "Ours")

/** A noise level schedule sigma(t) with sigma'(t) and sigma^{-1}. */
export interface NoiseSchedule {
  readonly name: 'vp' | 've' | 'linear';
  /** sigma(t). */
  sigma(t: number): number;
  /** d sigma / dt. */
  sigmaDeriv(t: number): number;
  /** sigma^{-1}(sigma) = t. */
  sigmaInv(sigma: number): number;
}

/** VP schedule with beta_d (`betaD`) and beta_min (`betaMin`) (reference defaults 19.9 and 0.1). */
export function vpSchedule(betaD = 19.9, betaMin = 0.1): NoiseSchedule {
  const sigma = (t: number) => Math.sqrt(Math.exp(0.5 * betaD * t * t + betaMin * t) - 1);
  return {
    name: 'vp',
    sigma,
    sigmaDeriv: (t) => {
      const s = sigma(t);
      return 0.5 * (betaMin + betaD * t) * (s + 1 / s);
    },
    sigmaInv: (s) => (Math.sqrt(betaMin * betaMin + 2 * betaD * Math.log(s * s + 1)) - betaMin) / betaD,
  };
}

/** VE schedule sigma(t) = sqrt(t). */
export function veSchedule(): NoiseSchedule {
  return {
    name: 've',
    sigma: (t) => Math.sqrt(t),
    sigmaDeriv: (t) => 0.5 / Math.sqrt(t),
    sigmaInv: (s) => s * s,
  };
}

/** Linear schedule sigma(t) = t (EDM). */
export function linearSchedule(): NoiseSchedule {
  return { name: 'linear', sigma: (t) => t, sigmaDeriv: () => 1, sigmaInv: (s) => s };
}

/**
 * beta_d and beta_min of the VP schedule that spans [sigmaMin, sigmaMax] over t in [epsilon_s, 1]
 * (reference ablation_sampler's vp_beta_d, vp_beta_min).
 */
export function vpBetasForRange(sigmaMin: number, sigmaMax: number, epsilonS: number): { betaD: number; betaMin: number } {
  const betaD = 2 * (Math.log(sigmaMin * sigmaMin + 1) / epsilonS - Math.log(sigmaMax * sigmaMax + 1)) / (epsilonS - 1);
  const betaMin = Math.log(sigmaMax * sigmaMax + 1) - 0.5 * betaD;
  return { betaD, betaMin };
}
