// The generalised sampler of the paper's ablations (Algorithms 1 and 2 in their general form with sigma(t)
// and s(t), eq. 4; reference generate.py ablation_sampler): any of the four discretizations, schedules
// sigma(t) vp|ve|linear, scalings s(t) vp|none, Euler or Heun with alpha (alpha = 1: Heun, 1/2: midpoint).
//   dx/dt = (sigma'(t)/sigma(t) + s'(t)/s(t)) x - sigma'(t) s(t) / sigma(t) D(x / s(t); sigma(t))
//   t_i = sigma^{-1}(round(sigma_i)),  t_N = 0
//   t^ = sigma^{-1}(round(sigma(t_i) + gamma sigma(t_i)))
//   x^ = s(t^)/s(t_i) x_i + sqrt(max(sigma(t^)^2 - sigma(t_i)^2, 0)) s(t^) S_noise eps
//   h = t_{i+1} - t^,  x' = x^ + alpha h d(x^, t^),  t' = t^ + alpha h
//   Euler (or last step): x_{i+1} = x^ + h d(x^, t^)
//   Heun: x_{i+1} = x^ + h ((1 - 1/(2 alpha)) d(x^, t^) + 1/(2 alpha) d(x', t'))
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser';
import { DISCRETIZATIONS, discretization, vpDefaultSigmaRange, type DiscretizationName } from '../discretization';
import { noScaling, vpScaling, type Scaling } from '../ode/scaling';
import { linearSchedule, veSchedule, vpBetasForRange, vpSchedule, type NoiseSchedule } from '../ode/schedule';
import { checkChoice, checkInteger, checkNumber } from '../validate';
import { throwIfAborted } from './abort';
import { checkChurn, checkLatents, churnGamma, churnNoise, clipSigmaRange, reportStep, type ChurnOptions } from './common';
import { heunStep, type Slope } from './heun-step';
import type { SamplerOptions } from './types';

/** ODE solvers of the ablation sampler. */
export const SOLVERS = ['euler', 'heun'] as const;
/** Noise level schedules sigma(t). */
export const SCHEDULES = ['vp', 've', 'linear'] as const;
/** Scalings s(t). */
export const SCALINGS = ['vp', 'none'] as const;

/** Options of `ablationSampler` (camelCase of the reference's ablation_sampler arguments). */
export interface AblationSamplerOptions extends SamplerOptions, ChurnOptions {
  /** N, number of steps. Default 18. */
  numSteps?: number;
  /**
   * sigma_min (raised to the network's). Default by discretization: vp sigma_VP(epsilon_s) (beta_d 19.9,
   * beta_min 0.1), ve 0.02, iddpm 0.002, edm 0.002.
   */
  sigmaMin?: number;
  /** sigma_max (lowered to the network's). Default by discretization: vp sigma_VP(1) ~ 152.17, ve 100, iddpm 81, edm 80. */
  sigmaMax?: number;
  /** rho, exponent of the edm discretization. Default 7. */
  rho?: number;
  /** The ODE solver: 'euler' (1st order) or 'heun' (2nd order, with alpha). Default 'heun'. */
  solver?: (typeof SOLVERS)[number];
  /** Time step discretization: 'vp', 've', 'iddpm' or 'edm'. Default 'edm'. */
  discretization?: DiscretizationName;
  /** Noise level schedule sigma(t): 'vp', 've' or 'linear'. Default 'linear'. */
  schedule?: (typeof SCHEDULES)[number];
  /** Scaling s(t): 'vp' or 'none'. Default 'none'. */
  scaling?: (typeof SCALINGS)[number];
  /** alpha of the 2nd order step: evaluates at t^ + alpha h (1 = Heun, 0.5 = midpoint). Default 1. */
  alpha?: number;
  /** epsilon_s, the last t of the vp discretization and schedule. Default 1e-3. */
  epsilonS?: number;
  /** C_1 of the iddpm discretization. Default 0.001. */
  C1?: number;
  /** C_2 of the iddpm discretization. Default 0.008. */
  C2?: number;
  /** M of the iddpm discretization. Default 1000. */
  M?: number;
}

const WHERE = 'ablationSampler';

/**
 * Samples from `net` starting at standard-normal `latents` [N, H, W, C] (scaled by sigma(t_0) s(t_0) here, as
 * the reference). Returns x_N (a new tensor); `latents` is not disposed.
 */
export async function ablationSampler(
  net: Denoiser,
  latents: tf.Tensor4D,
  options: AblationSamplerOptions = {},
): Promise<tf.Tensor4D> {
  checkLatents(WHERE, net, latents);
  const numSteps = checkInteger(WHERE, 'numSteps', options.numSteps ?? 18, 1);
  const rho = checkNumber(WHERE, 'rho', options.rho ?? 7, 'positive');
  const solver = checkChoice(WHERE, 'solver', options.solver ?? 'heun', SOLVERS);
  const disc = checkChoice(WHERE, 'discretization', options.discretization ?? 'edm', DISCRETIZATIONS);
  const scheduleName = checkChoice(WHERE, 'schedule', options.schedule ?? 'linear', SCHEDULES);
  const scalingName = checkChoice(WHERE, 'scaling', options.scaling ?? 'none', SCALINGS);
  const alpha = checkNumber(WHERE, 'alpha', options.alpha ?? 1, 'positive');
  const epsilonS = checkNumber(WHERE, 'epsilonS', options.epsilonS ?? 1e-3, 'positive');
  if (epsilonS >= 1) throw new Error(`${WHERE}: option epsilonS must be in (0, 1), got ${epsilonS}`);
  const churn = checkChurn(WHERE, options);
  const noise = churnNoise(WHERE, options, latents.shape[0]);
  const classLabels = options.classLabels ?? null;

  // Noise range: defaults by discretization, then clipped to the network's.
  const vpDef = vpDefaultSigmaRange(epsilonS);
  const defMin = { vp: vpDef.sigmaMin, ve: 0.02, iddpm: 0.002, edm: 0.002 }[disc];
  const defMax = { vp: vpDef.sigmaMax, ve: 100, iddpm: 81, edm: 80 }[disc];
  const range = clipSigmaRange(WHERE, net, options.sigmaMin ?? defMin, options.sigmaMax ?? defMax);

  const sigmaSteps = discretization(disc, numSteps, {
    ...range, rho, epsilonS, C1: options.C1 ?? 0.001, C2: options.C2 ?? 0.008, M: options.M ?? 1000,
  });
  const betas = vpBetasForRange(range.sigmaMin, range.sigmaMax, epsilonS);
  const sched: NoiseSchedule = scheduleName === 'vp' ? vpSchedule(betas.betaD, betas.betaMin)
    : scheduleName === 've' ? veSchedule() : linearSchedule();
  const scal: Scaling = scalingName === 'vp' ? vpScaling(sched) : noScaling();
  const { sigma, sigmaDeriv, sigmaInv } = sched;
  const { s, sDeriv } = scal;

  const t = sigmaSteps.map((sg, i) => (i < numSteps ? sigmaInv(net.roundSigma(sg)) : 0));
  // d(x, t) = a(t) x - b(t) D(x / s(t); sigma(t)); returns [d, D].
  const slope: Slope = (x, tt) => {
    const den = net.forward(s(tt) === 1 ? x : tf.div(x, s(tt)) as tf.Tensor4D, sigma(tt), classLabels);
    const a = sigmaDeriv(tt) / sigma(tt) + sDeriv(tt) / s(tt);
    const b = (sigmaDeriv(tt) * s(tt)) / sigma(tt);
    return [tf.sub(tf.mul(x, a), tf.mul(den, b)) as tf.Tensor4D, den];
  };

  let x = tf.tidy(() => tf.mul(tf.cast(latents, 'float32'), sigma(t[0]!) * s(t[0]!)) as tf.Tensor4D);
  try {
    for (let i = 0; i < numSteps; i++) {
      throwIfAborted(options.signal, WHERE, i);
      const tCur = t[i]!;
      const tNext = t[i + 1]!;
      // Churn: raise sigma(t_i) to sigma(t^) = (1 + gamma_i) sigma(t_i), rescaling x to s(t^).
      const sigmaCur = sigma(tCur);
      const gamma = churnGamma(churn, numSteps, sigmaCur);
      const tHat = sigmaInv(net.roundSigma(sigmaCur + gamma * sigmaCur));
      const noiseScale = Math.sqrt(Math.max(sigma(tHat) ** 2 - sigmaCur ** 2, 0)) * s(tHat) * churn.sNoise;
      // Euler or alpha-Heun step from t^ to t_{i+1} (Euler on the last step).
      const step = heunStep(x, noise, slope, {
        tHat, tNext, noiseScale, xScale: s(tHat) / s(tCur), alpha, euler: solver === 'euler' || i === numSteps - 1,
      });
      x.dispose();
      x = step.xNext;
      await reportStep(options.onStep, { i, sigma: sigmaCur, sigmaNext: sigma(tNext), x, denoised: step.denoised });
    }
  } catch (e) {
    x.dispose();
    throw e;
  }
  return x;
}
