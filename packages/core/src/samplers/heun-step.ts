// One step of the paper's Algorithm 2 from t^_i (lines 6-11), in the general form of its ablations
// (Algorithm 1 with sigma(t), s(t) and alpha), shared by edmSampler (sigma(t) = t, s(t) = 1, alpha = 1) and
// ablationSampler:
//   x^_i = (s(t^_i)/s(t_i)) x_i + noiseScale eps_i            (churn: t_i raised to t^_i; noiseScale 0 = none)
//   d_i = d(x^_i, t^_i),  h_i = t_{i+1} - t^_i
//   Euler (or the last step):  x_{i+1} = x^_i + h_i d_i
//   else:  x'_i = x^_i + alpha h_i d_i,  d'_i = d(x'_i, t'_i)
//          x_{i+1} = x^_i + h_i ((1 - 1/(2 alpha)) d_i + 1/(2 alpha) d'_i)
// where d(x, t) is the ODE's slope dx/dt (eq. 4), and t'_i = t^_i + alpha h_i (t_{i+1} in Algorithm 2).
import * as tf from '@tensorflow/tfjs-core';
import type { StepContext } from './kdiffusion/runner';

/** The ODE's slope at (x, t) with the denoiser output it used: [d(x, t), D(...)]. Called inside a tf.tidy. */
export type Slope = (x: tf.Tensor4D, t: number) => [tf.Tensor4D, tf.Tensor4D];

/** Where and how `heunStep` steps. */
export interface HeunStep {
  /** t^_i, the time after the churn, where the step starts. */
  tHat: number;
  /** t_{i+1}, the time where the step ends. */
  tNext: number;
  /** sqrt(sigma(t^_i)^2 - sigma(t_i)^2) s(t^_i) S_noise: the scale of eps_i in x^_i (0: no churn). */
  noiseScale: number;
  /** s(t^_i) / s(t_i), the factor of x_i in x^_i. Default 1. */
  xScale?: number;
  /** Take the Euler step only (the last step, or the Euler solver). Default false. */
  euler?: boolean;
  /** alpha of the 2nd order step: evaluates d at t^_i + alpha h_i (1 = Heun, 1/2 = midpoint). Default 1. */
  alpha?: number;
  /** t'_i, where the second slope is taken. Default t^_i + alpha h_i; Algorithm 2 passes t_{i+1}. */
  tPrime?: number;
  /**
   * Whether the reference draws eps_i on this step even when noiseScale = 0 (generate.py draws on every
   * step; EDM2's generate_images.py only where churn applies). A user's randnLike is called then, so
   * recorded draws line up; the default seeded source draws only what is used. Default true.
   */
  drawAlways?: boolean;
}

/** The state after a step and the last denoiser output of the step, both new tensors owned by the caller. */
export type HeunStepResult = { xNext: tf.Tensor4D; denoised: tf.Tensor4D };

/** Takes one step of Algorithm 2 from x_i (not disposed); eps_i comes from the run's draw (`ctx.draw`). */
export function heunStep(
  x: tf.Tensor4D,
  draw: StepContext['draw'],
  slope: Slope,
  step: HeunStep,
): HeunStepResult {
  const { tHat, tNext, noiseScale, xScale = 1, euler = false, alpha = 1, drawAlways = true } = step;
  const eps = draw(x, noiseScale !== 0, drawAlways);
  try {
    return tf.tidy((): HeunStepResult => {
      const xScaled = xScale === 1 ? x : tf.mul(x, xScale) as tf.Tensor4D;
      const xHat = eps === null || noiseScale === 0 ? xScaled : tf.add(xScaled, tf.mul(eps, noiseScale)) as tf.Tensor4D;
      const h = tNext - tHat;
      const [d, denoised] = slope(xHat, tHat);
      if (euler) return { xNext: tf.add(xHat, tf.mul(d, h)) as tf.Tensor4D, denoised };
      const xPrime = tf.add(xHat, tf.mul(d, alpha * h)) as tf.Tensor4D;
      const [dPrime, denoisedPrime] = slope(xPrime, step.tPrime ?? tHat + alpha * h);
      const w = 1 / (2 * alpha);
      const xNext = tf.add(xHat, tf.mul(tf.add(tf.mul(d, 1 - w), tf.mul(dPrime, w)), h)) as tf.Tensor4D;
      return { xNext, denoised: denoisedPrime };
    });
  } finally {
    eps?.dispose();
  }
}
