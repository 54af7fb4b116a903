// DPM-Solver++(3M) SDE (k-diffusion sample_dpmpp_3m_sde): a third-order multistep data-prediction method
// with noise. With h = ln(sigma_i / sigma_{i+1}), h_eta = (1 + eta) h, r0 = h_{i-1}/h, r1 = h_{i-2}/h:
//   x_{i+1} = e^{-h_eta} x_i + (1 - e^{-h_eta}) D_i + phi_2 d1 - phi_3 d2 + sigma_{i+1} sqrt(1 - e^{-2 eta h}) S_noise n,
//   d1_0 = (D_i - D_{i-1}) / r0, d1_1 = (D_{i-1} - D_{i-2}) / r1,
//   d1 = d1_0 + (d1_0 - d1_1) r0 / (r0 + r1), d2 = (d1_0 - d1_1) / (r0 + r1),
//   phi_2 = (e^{-h_eta} - 1) / h_eta + 1, phi_3 = phi_2 / h_eta - 1/2.
// (e^{-h_eta} x = (sigma_{i+1}/sigma_i) e^{-eta h} x.) The first step is first order, the second uses the
// 2M correction phi_2 d1_0; the step to sigma = 0 returns D_i. eta = 0 gives the deterministic
// DPM-Solver++(3M). Noise: options.randnLike draws, same law as k-diffusion's Brownian tree increments
// (see multistep-sde.ts).
//
// Note on the order. d2 = (d1_0 - d1_1)/(r0 + r1) = h^2 D''/2 + O(h^3), while the exact integral of the
// quadratic Taylor term, int_0^h e^{-(h-u)} u^2 D''/2 du, is (1 - 2 phi_2/h) h^2 D''/2 = -2 phi_3 d2. k-diffusion
// (and the multistep code of DPM-Solver it follows) uses -phi_3 d2, half of it: an O(h^3) local error, so
// its global error falls as h^2, not h^3 (measured in packages/core/test/kdiffusion-order.test.ts).
// variant 'kdiffusion' (default) keeps that formula for parity with k-diffusion; variant 'taylor' uses
// -2 phi_3 d2 and is third order.
import * as tf from '@tensorflow/tfjs-core';
import { sdeMultistepStepper, type PastStep } from './multistep-sde';
import { kSampler, type KSamplerOptionsOf } from './runner';

/**
 * Options of `dpmpp3mSdeSampler` (the sampler table's `dpmpp_3m_sde`: noise levels, eta, s_noise and
 * `variant`: 'kdiffusion' (default), k-diffusion's coefficient -phi_3 on d2, second order in practice;
 * 'taylor', the exact Taylor coefficient -2 phi_3, third order; see the note above).
 */
export type Dpmpp3mSdeOptions = KSamplerOptionsOf<'dpmpp_3m_sde'>;

/** DPM-Solver++(3M) SDE: one evaluation and (when eta > 0) one noise draw per step. */
export const dpmpp3mSdeSampler = kSampler('dpmpp_3m_sde', (ctx, { eta, sNoise, variant }) => {
  const d2Scale = variant === 'taylor' ? 2 : 1;
  // Two past steps: D_{i-1}, h_{i-1} and D_{i-2}, h_{i-2}.
  return sdeMultistepStepper(ctx, eta, sNoise, 2, (step) => {
    const { x, denoised, h, past } = step;
    const hEta = h * (eta + 1);
    const y = tf.add(tf.mul(x, Math.exp(-hEta)), tf.mul(denoised, -Math.expm1(-hEta)));
    const phi2 = Math.expm1(-hEta) / hEta + 1;
    if (past.length === 2) {
      const [p1, p2] = past as [PastStep, PastStep];
      const r0 = p1.h / h;
      const r1 = p2.h / h;
      const d10 = tf.div(tf.sub(denoised, p1.denoised), r0);
      const d11 = tf.div(tf.sub(p1.denoised, p2.denoised), r1);
      const diff = tf.sub(d10, d11);
      const d1 = tf.add(d10, tf.mul(diff, r0 / (r0 + r1)));
      const d2 = tf.div(diff, r0 + r1);
      const phi3 = phi2 / hEta - 0.5;
      return tf.sub(tf.add(y, tf.mul(d1, phi2)), tf.mul(d2, phi3 * d2Scale));
    }
    if (past.length === 1) {
      const [p1] = past as [PastStep];
      return tf.add(y, tf.mul(tf.div(tf.sub(denoised, p1.denoised), p1.h / h), phi2)); // the 2M correction
    }
    return y;
  });
});
