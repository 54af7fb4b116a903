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
import { discretization, vpDefaultSigmaRange } from '../discretization';
import { noScaling, vpScaling, type Scaling } from '../ode/scaling';
import { linearSchedule, veSchedule, vpBetasForRange, vpSchedule, type NoiseSchedule } from '../ode/schedule';
import { churnGamma, clipSigmaRange } from './common';
import { heunStep, type Slope } from './heun-step';
import { runSampler, type NoiseLevels, type Stepper, type StepContext } from './kdiffusion/runner';
import { ABLATION_OPTIONS, resolveSamplerOptions, type ResolvedSamplerSettings, type SamplerSettings } from './option-table';
import type { SamplerOptions } from './types';

/** ODE solvers of the ablation sampler. */
export const SOLVERS = ABLATION_OPTIONS.solver.choices;
/** Noise level schedules sigma(t). */
export const SCHEDULES = ABLATION_OPTIONS.schedule.choices;
/** Scalings s(t). */
export const SCALINGS = ABLATION_OPTIONS.scaling.choices;

/**
 * Options of `ablationSampler`: the sampler table's `ablation` (numSteps, sigmaMin, sigmaMax, rho; churn;
 * solver, discretization, schedule, scaling, alpha, epsilonS, C1, C2, M), plus per-sample `seeds` of the
 * default churn noise. sigmaMin and sigmaMax default by discretization (see `ablationSigmaRange`).
 */
export type AblationSamplerOptions = SamplerOptions & SamplerSettings<'ablation'> & { seeds?: readonly number[] };

const WHERE = 'ablationSampler';

/** The default noise range of a discretization, before clipping to the network's. */
export function ablationSigmaRange(disc: ResolvedSamplerSettings<'ablation'>['discretization'], epsilonS = 1e-3):
  { sigmaMin: number; sigmaMax: number } {
  const vp = vpDefaultSigmaRange(epsilonS);
  return {
    sigmaMin: { vp: vp.sigmaMin, ve: 0.02, iddpm: 0.002, edm: 0.002 }[disc],
    sigmaMax: { vp: vp.sigmaMax, ve: 100, iddpm: 81, edm: 80 }[disc],
  };
}

/** The ablation sampler's time steps and ODE: t_i, sigma(t), s(t) and the slope d(x, t) = dx/dt. */
interface AblationPlan {
  t: number[];
  sched: NoiseSchedule;
  scal: Scaling;
}

function ablationPlan(net: Denoiser, o: ResolvedSamplerSettings<'ablation'>): AblationPlan {
  // Noise range: defaults by discretization, then clipped to the network's.
  const def = ablationSigmaRange(o.discretization, o.epsilonS);
  const range = clipSigmaRange(WHERE, net, o.sigmaMin ?? def.sigmaMin, o.sigmaMax ?? def.sigmaMax);
  const sigmaSteps = discretization(o.discretization, o.numSteps, {
    ...range, rho: o.rho, epsilonS: o.epsilonS, C1: o.C1, C2: o.C2, M: o.M,
  });
  const betas = vpBetasForRange(range.sigmaMin, range.sigmaMax, o.epsilonS);
  const sched: NoiseSchedule = o.schedule === 'vp' ? vpSchedule(betas.betaD, betas.betaMin)
    : o.schedule === 've' ? veSchedule() : linearSchedule();
  const scal: Scaling = o.scaling === 'vp' ? vpScaling(sched) : noScaling();
  const t = sigmaSteps.map((sg, i) => (i < o.numSteps ? sched.sigmaInv(net.roundSigma(sg)) : 0));
  return { t, sched, scal };
}

/** The noise levels the runner reports (sigma(t_i)) and the latents' scale sigma(t_0) s(t_0). */
function ablationLevels({ t, sched, scal }: AblationPlan): NoiseLevels {
  return { sigmas: t.map((ti) => sched.sigma(ti)), initialScale: sched.sigma(t[0]!) * scal.s(t[0]!) };
}

/** The ablation sampler's update from t_i to t_{i+1} on the shared runner. */
function ablationStepper(net: Denoiser, ctx: StepContext, o: ResolvedSamplerSettings<'ablation'>, plan: AblationPlan): Stepper {
  const { t } = plan;
  const { sigma, sigmaDeriv, sigmaInv } = plan.sched;
  const { s, sDeriv } = plan.scal;
  const numSteps = t.length - 1;
  // d(x, t) = a(t) x - b(t) D(x / s(t); sigma(t)); returns [d, D].
  const slope: Slope = (x, tt) => {
    const den = ctx.denoise(s(tt) === 1 ? x : tf.div(x, s(tt)) as tf.Tensor4D, sigma(tt));
    const a = sigmaDeriv(tt) / sigma(tt) + sDeriv(tt) / s(tt);
    const b = (sigmaDeriv(tt) * s(tt)) / sigma(tt);
    return [tf.sub(tf.mul(x, a), tf.mul(den, b)) as tf.Tensor4D, den];
  };
  return {
    step(x, i) {
      const tCur = t[i]!;
      const tNext = t[i + 1]!;
      // Churn: raise sigma(t_i) to sigma(t^) = (1 + gamma_i) sigma(t_i), rescaling x to s(t^).
      const sigmaCur = sigma(tCur);
      const gamma = churnGamma(o, numSteps, sigmaCur);
      const tHat = sigmaInv(net.roundSigma(sigmaCur + gamma * sigmaCur));
      const noiseScale = Math.sqrt(Math.max(sigma(tHat) ** 2 - sigmaCur ** 2, 0)) * s(tHat) * o.sNoise;
      // Euler or alpha-Heun step from t^ to t_{i+1} (Euler on the last step).
      const out = heunStep(x, ctx.draw, slope, {
        tHat, tNext, noiseScale, xScale: s(tHat) / s(tCur), alpha: o.alpha, euler: o.solver === 'euler' || i === numSteps - 1,
      });
      return { x: out.xNext, denoised: out.denoised };
    },
  };
}

/**
 * Samples from `net` starting at standard-normal `latents` [N, H, W, C] (scaled by sigma(t_0) s(t_0) here, as
 * the reference). Returns x_N (a new tensor); `latents` is not disposed.
 */
export async function ablationSampler(
  net: Denoiser,
  latents: tf.Tensor4D,
  options: AblationSamplerOptions = {},
): Promise<tf.Tensor4D> {
  const o = resolveSamplerOptions('ablation', options);
  let plan: AblationPlan | undefined;
  const levels = () => ablationLevels(plan = ablationPlan(net, o));
  return runSampler(WHERE, net, latents, options, levels, (ctx) => ablationStepper(net, ctx, o, plan!));
}
