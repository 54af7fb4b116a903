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
import { checkInteger, checkNumber } from '../../validate';
import { checkLatents, churnNoise, clipSigmaRange } from '../common';
import { throwIfAborted } from '../abort';
import type { Sampler, SamplerOptions } from '../types';
import { ancestralStep } from './ancestral';
import { EpsCache, dpmSolver1Step, dpmSolver2Step, dpmSolver3Step } from './dpm-solver-steps';
import { PidStepSizeController } from './pid';

/** Options of the adaptive DPM-Solver (k-diffusion defaults). */
export interface DpmAdaptiveOptions extends SamplerOptions {
  /** Per-sample seeds of the default noise (eta > 0) when `randnLike` is not given (default 0 .. N-1). */
  seeds?: readonly number[];
  /** sigma_min, where the adaptive integration ends (default 0.002, raised to the denoiser's sigmaMin). */
  sigmaMin?: number;
  /** sigma_max, where it starts; latents are scaled by it (default 80, lowered to the denoiser's sigmaMax). */
  sigmaMax?: number;
  /** Order of the high-order solver: 2 (DPM-Solver-12) or 3 (DPM-Solver-23). Default 3. */
  order?: 2 | 3;
  /** rtol: relative error tolerance. Default 0.05. */
  rtol?: number;
  /** atol: absolute error tolerance (in data units). Default 0.0078. */
  atol?: number;
  /** h_init: first step size in lambda = -ln sigma. Default 0.05. */
  hInit?: number;
  /** PID controller proportional coefficient. Default 0. */
  pcoeff?: number;
  /** PID controller integral coefficient. Default 1. */
  icoeff?: number;
  /** PID controller derivative coefficient. Default 0. */
  dcoeff?: number;
  /** accept_safety: a step is accepted when the controller's factor is >= this. Default 0.81. */
  acceptSafety?: number;
  /** eta: ancestral noise share (0 = ODE). Default 0. */
  eta?: number;
  /** s_noise: multiplier of the ancestral noise. Default 1. */
  sNoise?: number;
  /** Take the final step sigma_min -> 0 (x = D(x; sigma_min)). Default true. */
  denoiseToZero?: boolean;
  /** Upper bound on attempted steps, a guard against tolerances that cannot be met. Default 10000. */
  maxSteps?: number;
}

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
  checkLatents(name, net, latents);
  const { sigmaMin, sigmaMax } = clipSigmaRange(name, net, options.sigmaMin ?? 0.002, options.sigmaMax ?? 80);
  const order = options.order ?? 3;
  if (order !== 2 && order !== 3) throw new Error(`${name}: option order must be 2 or 3, got ${String(order)}`);
  const rtol = checkNumber(name, 'rtol', options.rtol ?? 0.05, 'nonnegative');
  const atol = checkNumber(name, 'atol', options.atol ?? 0.0078, 'positive');
  const hInit = Math.abs(checkNumber(name, 'hInit', options.hInit ?? 0.05, 'positive'));
  const eta = checkNumber(name, 'eta', options.eta ?? 0, 'nonnegative');
  const sNoise = checkNumber(name, 'sNoise', options.sNoise ?? 1, 'nonnegative');
  const maxSteps = checkInteger(name, 'maxSteps', options.maxSteps ?? 10000, 1);
  const pid = new PidStepSizeController(hInit, checkNumber(name, 'pcoeff', options.pcoeff ?? 0),
    checkNumber(name, 'icoeff', options.icoeff ?? 1), checkNumber(name, 'dcoeff', options.dcoeff ?? 0),
    eta ? 1.5 : order, checkNumber(name, 'acceptSafety', options.acceptSafety ?? 0.81, 'positive'));
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
    if (options.denoiseToZero ?? true) {
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
