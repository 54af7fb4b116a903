// DPM-Solver++(2M) SDE (Lu et al. 2022, SDE-DPM-Solver++(2M); k-diffusion sample_dpmpp_2m_sde). With
// h = ln(sigma_i / sigma_{i+1}), eta h the share of noise, r = h_{i-1} / h:
//   x_{i+1} = (sigma_{i+1}/sigma_i) e^{-eta h} x_i + (1 - e^{-(1+eta) h}) D_i + correction + sigma_{i+1} sqrt(1 - e^{-2 eta h}) S_noise n,
//   correction (midpoint) = 0.5 phi_1 / r (D_i - D_{i-1}),        phi_1 = 1 - e^{-(1+eta) h},
//   correction (heun)     = (1 - phi_1 / ((1+eta) h)) / r (D_i - D_{i-1}).
// The step to sigma = 0 returns D_i; the noise n as in multistep-sde.ts. eta = 0 is DPM-Solver++(2M).
import * as tf from '@tensorflow/tfjs-core';
import { sdeMultistepStepper } from './multistep-sde';
import { kSampler, type KSamplerOptionsOf } from './runner';

/**
 * Options of `dpmpp2mSdeSampler` (the sampler table's `dpmpp_2m_sde`: noise levels, eta, s_noise and the
 * second-order correction `solverType`, 'midpoint' as k-diffusion or 'heun').
 */
export type Dpmpp2mSdeOptions = KSamplerOptionsOf<'dpmpp_2m_sde'>;

/** DPM-Solver++(2M) SDE: one evaluation and (when eta > 0) one noise draw per step. */
export const dpmpp2mSdeSampler = kSampler('dpmpp_2m_sde', (ctx, { eta, sNoise, solverType }) =>
  // One past step: D_{i-1} and h_{i-1}.
  sdeMultistepStepper(ctx, eta, sNoise, 1, (step) => {
    const { x, denoised, sigma, sigmaNext, h, past } = step;
    const etaH = eta * h;
    const phi1 = -Math.expm1(-h - etaH); // 1 - e^{-(1+eta) h}
    const y = tf.add(tf.mul(x, (sigmaNext / sigma) * Math.exp(-etaH)), tf.mul(denoised, phi1));
    if (past.length === 0) return y;
    const r = past[0]!.h / h;
    const c = solverType === 'heun' ? (phi1 / (-h - etaH) + 1) / r : 0.5 * phi1 / r;
    return tf.add(y, tf.mul(tf.sub(denoised, past[0]!.denoised), c));
  }));
