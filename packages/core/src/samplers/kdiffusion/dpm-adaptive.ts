// Adaptive DPM-Solver (Lu et al. 2022, "DPM-Solver", Section 3.4 / Alg. 4; k-diffusion
// sample_dpm_adaptive): DPM-Solver-12 (order 2) or -23 (order 3) with an embedded lower-order estimate,
// error-controlled step size in lambda = -ln sigma. Per attempted step:
//   x_low, x_high (order 2: DPM-Solver-1/-2; order 3: DPM-Solver-2 (r1 = 1/3) / -3, sharing evaluations),
//   delta = max(atol, rtol max(|x_low|, |x_prev|)),  error = ||(x_low - x_high) / delta||_2 / sqrt(numel),
// then the PID controller accepts or rejects and proposes the next h. It integrates from sigma_max to
// sigma_min; `denoiseToZero` (default on) then takes the final step to sigma = 0 (x = D(x; sigma_min)),
// as the other samplers do, for one more evaluation.
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../../denoiser';
import { checkLatents, churnNoise, clipSigmaRange } from '../common';
import { throwIfAborted } from '../abort';
import { resolveSamplerOptions, type SamplerSettings } from '../option-table';
import type { Sampler, SamplerOptions } from '../types';
import { ancestralStep } from './ancestral';
import { EpsCache, dpmSolver1Step, dpmSolver2Step, dpmSolver3Step } from './dpm-solver-steps';
import { PidStepSizeController } from './pid';

/**
 * Options of the adaptive DPM-Solver: the sampler table's `dpm_adaptive` (sigmaMin, sigmaMax, order 2 or 3,
 * rtol, atol, hInit, the PID coefficients pcoeff/icoeff/dcoeff, acceptSafety, eta, sNoise, denoiseToZero,
 * maxSteps; k-diffusion's defaults), plus per-sample `seeds` of the default noise (eta > 0) when `randnLike`
 * is not given (default 0 .. N-1).
 */
export type DpmAdaptiveOptions = SamplerOptions & SamplerSettings<'dpm_adaptive'> & { seeds?: readonly number[] };

/** What the adaptive solver did. */
export interface DpmAdaptiveInfo {
  /** Denoiser evaluations (NFE), including the final denoising step. */
  nfe: number;
  /** Attempted steps. */
  steps: number;
  /** Accepted steps. */
  nAccept: number;
  /** Rejected steps. */
  nReject: number;
}

/** Adaptive DPM-Solver; returns the samples and the step statistics (NFE). */
export async function sampleDpmAdaptive(net: Denoiser, latents: tf.Tensor4D, options: DpmAdaptiveOptions = {}):
  Promise<{ x: tf.Tensor4D; info: DpmAdaptiveInfo }> {
  const name = 'dpmAdaptiveSampler';
  const o = resolveSamplerOptions('dpm_adaptive', options, name);
  checkLatents(name, net, latents);
  const { sigmaMin, sigmaMax } = clipSigmaRange(name, net, o.sigmaMin, o.sigmaMax);
  const { order, rtol, atol, eta, sNoise, maxSteps } = o;
  const pid = new PidStepSizeController(o.hInit, o.pcoeff, o.icoeff, o.dcoeff, eta ? 1.5 : order, o.acceptSafety);
  const classLabels = options.classLabels ?? null;
  const noise = churnNoise(name, options, latents.shape[0]);
  const info: DpmAdaptiveInfo = { nfe: 0, steps: 0, nAccept: 0, nReject: 0 };
  const sigmaOf = (lambda: number): number => Math.exp(-lambda);
  const evalEps = (x: tf.Tensor4D, lambda: number): tf.Tensor4D => {
    info.nfe++;
    const sigma = sigmaOf(lambda);
    return tf.tidy(() => tf.div(tf.sub(x, net.forward(x, sigma, classLabels)), sigma) as tf.Tensor4D);
  };

  const tEnd = -Math.log(sigmaMin);
  let s = -Math.log(sigmaMax);
  let x = tf.tidy(() => tf.mul(latents, sigmaMax) as tf.Tensor4D);
  let xPrev = tf.clone(x);
  try {
    while (s < tEnd - 1e-5) {
      throwIfAborted(options.signal, name, info.nAccept);
      if (info.steps >= maxSteps) {
        throw new Error(`${name}: no convergence within maxSteps=${maxSteps} attempted steps ` +
          `(reached sigma=${sigmaOf(s)}; loosen rtol/atol or raise maxSteps)`);
      }
      const t = Math.min(tEnd, s + pid.h);
      let tDown = t;
      let su = 0;
      if (eta) {
        const { sigmaDown } = ancestralStep(sigmaOf(s), sigmaOf(t), eta);
        tDown = Math.min(tEnd, -Math.log(sigmaDown));
        su = Math.sqrt(Math.max(0, sigmaOf(t) ** 2 - sigmaOf(tDown) ** 2));
      }
      const cache = new EpsCache(evalEps);
      let xLow: tf.Tensor4D | null = null;
      let xHigh: tf.Tensor4D | null = null;
      let denoised: tf.Tensor4D | null = null;
      try {
        const eps = cache.get('eps', x, s);
        denoised = tf.tidy(() => tf.sub(x, tf.mul(eps, sigmaOf(s))) as tf.Tensor4D);
        if (order === 2) {
          xLow = dpmSolver1Step(cache, x, s, tDown);
          xHigh = dpmSolver2Step(cache, x, s, tDown);
        } else {
          xLow = dpmSolver2Step(cache, x, s, tDown, 1 / 3);
          xHigh = dpmSolver3Step(cache, x, s, tDown);
        }
      } finally {
        cache.dispose();
      }
      const lo = xLow;
      const hi = xHigh;
      const errorT = tf.tidy(() => {
        const delta = tf.maximum(tf.scalar(atol), tf.mul(tf.maximum(tf.abs(lo), tf.abs(xPrev)), rtol));
        return tf.div(tf.norm(tf.div(tf.sub(lo, hi), delta)), Math.sqrt(x.size));
      });
      const error = (await errorT.data())[0]!;
      errorT.dispose();
      const accept = pid.proposeStep(error);
      info.steps++;
      if (accept) {
        xPrev.dispose();
        xPrev = lo;
        let next = hi;
        const scale = su * sNoise;
        const n = scale > 0 || !noise.lazy ? noise.randnLike(hi) : null;
        if (n !== null && scale > 0) {
          next = tf.tidy(() => tf.add(hi, tf.mul(n, scale)) as tf.Tensor4D);
          hi.dispose();
        }
        n?.dispose();
        x.dispose();
        x = next;
        const sigma = sigmaOf(s);
        s = t;
        info.nAccept++;
        try {
          await options.onStep?.({ i: info.nAccept - 1, sigma, sigmaNext: sigmaOf(t), x, denoised });
        } finally {
          denoised.dispose();
        }
      } else {
        tf.dispose([lo, hi, denoised]);
        info.nReject++;
      }
    }
    if (o.denoiseToZero) {
      throwIfAborted(options.signal, name, info.nAccept);
      info.nfe++;
      const denoised = tf.tidy(() => net.forward(x, sigmaMin, classLabels));
      x.dispose();
      x = tf.clone(denoised);
      try {
        await options.onStep?.({ i: info.nAccept, sigma: sigmaMin, sigmaNext: 0, x, denoised });
      } finally {
        denoised.dispose();
      }
    }
    return { x, info };
  } catch (err) {
    x.dispose();
    throw err;
  } finally {
    xPrev.dispose();
  }
}

/** Adaptive DPM-Solver on the shared sampler signature (use `sampleDpmAdaptive` to get the NFE). */
export const dpmAdaptiveSampler: Sampler<DpmAdaptiveOptions> = async (net, latents, options = {}) =>
  (await sampleDpmAdaptive(net, latents, options)).x;
