// DPM-Solver++(2M) SDE (Lu et al. 2022, SDE-DPM-Solver++(2M); k-diffusion sample_dpmpp_2m_sde). With
// h = ln(sigma_i / sigma_{i+1}), eta h the share of noise, r = h_{i-1} / h:
//   x_{i+1} = (sigma_{i+1}/sigma_i) e^{-eta h} x_i + (1 - e^{-(1+eta) h}) D_i + correction + sigma_{i+1} sqrt(1 - e^{-2 eta h}) S_noise n,
//   correction (midpoint) = 0.5 phi_1 / r (D_i - D_{i-1}),        phi_1 = 1 - e^{-(1+eta) h},
//   correction (heun)     = (1 - phi_1 / ((1+eta) h)) / r (D_i - D_{i-1}).
// The step to sigma = 0 returns D_i. k-diffusion draws n from a Brownian tree; the increments over the
// disjoint intervals [sigma_{i+1}, sigma_i] are independent standard normals, so options.randnLike draws
// have exactly the tree's law (only the path's consistency across step counts is lost). eta = 0 is
// DPM-Solver++(2M).
import * as tf from '@tensorflow/tfjs-core';
import { checkChoice } from '../../validate';
import type { Sampler } from '../types';
import { resolveAncestral } from './ancestral';
import type { AncestralOptions, KSamplerOptions } from './options';
import { runSampler } from './runner';

/** Options of `dpmpp2mSdeSampler`. */
export interface Dpmpp2mSdeOptions extends KSamplerOptions, AncestralOptions {
  /** The second-order correction: 'midpoint' (default, as k-diffusion) or 'heun'. */
  solverType?: 'midpoint' | 'heun';
}

/** DPM-Solver++(2M) SDE: one evaluation and (when eta > 0) one noise draw per step. */
export const dpmpp2mSdeSampler: Sampler<Dpmpp2mSdeOptions> = async (net, latents, options = {}) => {
  const name = 'dpmpp2mSdeSampler';
  const { eta, sNoise } = resolveAncestral(name, options);
  const solverType = checkChoice(name, 'solverType', options.solverType ?? 'midpoint', ['midpoint', 'heun'] as const);
  return runSampler(name, net, latents, options, (ctx) => {
    let oldDenoised: tf.Tensor4D | null = null;
    let hLast = 0;
    return {
      step(x, i) {
        const sigma = ctx.sigmas[i]!;
        const sigmaNext = ctx.sigmas[i + 1]!;
        const denoised = ctx.denoise(x, sigma);
        let next: tf.Tensor4D;
        if (sigmaNext === 0) {
          next = tf.clone(denoised);
        } else {
          const h = Math.log(sigma / sigmaNext);
          const etaH = eta * h;
          const noise = ctx.draw(x, eta > 0 && sNoise > 0, eta > 0);
          const old = oldDenoised;
          next = tf.tidy(() => {
            const phi1 = -Math.expm1(-h - etaH); // 1 - e^{-(1+eta) h}
            let y = tf.add(tf.mul(x, (sigmaNext / sigma) * Math.exp(-etaH)), tf.mul(denoised, phi1));
            if (old !== null) {
              const r = hLast / h;
              const c = solverType === 'heun' ? (phi1 / (-h - etaH) + 1) / r : 0.5 * phi1 / r;
              y = tf.add(y, tf.mul(tf.sub(denoised, old), c));
            }
            if (noise && eta > 0 && sNoise > 0) y = tf.add(y, tf.mul(noise, sigmaNext * Math.sqrt(-Math.expm1(-2 * etaH)) * sNoise));
            return y as tf.Tensor4D;
          });
          noise?.dispose();
          hLast = h;
        }
        oldDenoised?.dispose();
        oldDenoised = tf.clone(denoised);
        return { x: next, denoised };
      },
      dispose() { oldDenoised?.dispose(); },
    };
  });
};
