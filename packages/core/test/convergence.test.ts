// Closed-form convergence: for Gaussian data the ideal denoiser is known and the probability-flow ODE has
// an exact solution; Euler must converge with order 1 and Heun with order 2 as the number of steps doubles,
// for every discretization (each with its own schedule sigma(t) and scaling s(t), as in the paper's Table 1).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import { ablationSampler, edmSampler, type AblationSamplerOptions } from '@edm/core';
import { exactRatio, GaussianDenoiser } from './helpers/gaussian';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const DATA_STD = 0.5;
const X0 = [1, -0.7, 0.3, 2];

/**
 * Relative error of x at t_{N-1} (= sigma_min, before the final Euler step to 0, whose error does not
 * shrink with N) against the exact solution, and the scaling s there.
 */
type Run = (net: GaussianDenoiser, latents: tf.Tensor4D, onStep: AblationSamplerOptions['onStep'], numSteps: number) =>
  Promise<tf.Tensor4D>;

async function errorAtLastLevel(run: Run, numSteps: number, scaled: boolean): Promise<number> {
  const net = new GaussianDenoiser(DATA_STD);
  const latents = tf.tensor4d(X0, [X0.length, 1, 1, 1]);
  let xLast: Float32Array | null = null;
  let sigmaLast = 0;
  const out = await run(net, latents, ({ i, x, sigmaNext }) => {
    if (i === numSteps - 2) {
      xLast = x.dataSync() as Float32Array;
      sigmaLast = sigmaNext;
    }
  }, numSteps);
  out.dispose();
  latents.dispose();
  // The start point is latents * sigma_0 * s_0 (the first denoiser call sees sigma_0 = net.calls[0]).
  const sigma0 = net.calls[0]!;
  // s(t) = 1/sqrt(1 + sigma^2) for VP scaling.
  const s = (sigma: number) => (scaled ? 1 / Math.sqrt(1 + sigma * sigma) : 1);
  let err = 0;
  X0.forEach((x0, k) => {
    const exact = x0 * sigma0 * exactRatio(DATA_STD, sigma0, sigmaLast) * s(sigmaLast);
    err = Math.max(err, Math.abs(xLast![k]! - exact) / Math.abs(exact));
  });
  return err;
}

/** Observed orders log2(e_N / e_2N) over a sequence of doublings. */
async function orders(run: Run, steps: number[], scaled: boolean) {
  const errors: number[] = [];
  for (const n of steps) errors.push(await errorAtLastLevel(run, n, scaled));
  const ords = errors.slice(1).map((e, k) => Math.log2(errors[k]! / e));
  return { errors, ords };
}

const CASES: Array<{ discretization: 'edm' | 'vp' | 've' | 'iddpm'; schedule: 'linear' | 'vp' | 've'; scaling: 'none' | 'vp' }> = [
  { discretization: 'edm', schedule: 'linear', scaling: 'none' },
  { discretization: 'vp', schedule: 'vp', scaling: 'vp' },
  { discretization: 've', schedule: 've', scaling: 'none' },
  { discretization: 'iddpm', schedule: 'linear', scaling: 'none' },
];

describe('ODE solvers converge at their order on Gaussian data (closed form)', () => {
  for (const c of CASES) {
    const name = `${c.discretization} discretization, ${c.schedule} schedule, ${c.scaling} scaling`;
    test(`Euler is order 1: ${name}`, async () => {
      const { errors, ords } = await orders((net, latents, onStep, numSteps) =>
        ablationSampler(net, latents, { ...c, solver: 'euler', onStep, numSteps }), [32, 64, 128, 256], c.scaling === 'vp');
      console.log(`euler ${name}: errors ${errors.map((e) => e.toExponential(2)).join(' ')} orders ${ords.map((o) => o.toFixed(2)).join(' ')}`);
      for (const o of ords.slice(-2)) expect(o).toBeGreaterThan(0.9), expect(o).toBeLessThan(1.15);
    });
    test(`Heun is order 2: ${name}`, async () => {
      const { errors, ords } = await orders((net, latents, onStep, numSteps) =>
        ablationSampler(net, latents, { ...c, solver: 'heun', onStep, numSteps }), [8, 16, 32, 64], c.scaling === 'vp');
      console.log(`heun ${name}: errors ${errors.map((e) => e.toExponential(2)).join(' ')} orders ${ords.map((o) => o.toFixed(2)).join(' ')}`);
      const last = ords[ords.length - 1]!;
      expect(last).toBeGreaterThan(1.8);
      expect(last).toBeLessThan(2.3);
    });
  }
  test('edmSampler (Algorithm 1) is Heun, order 2, and equals the ablation sampler with edm/linear/none', async () => {
    const { errors, ords } = await orders((net, latents, onStep, numSteps) => edmSampler(net, latents, { onStep, numSteps }), [8, 16, 32, 64], false);
    console.log(`edmSampler: errors ${errors.map((e) => e.toExponential(2)).join(' ')} orders ${ords.map((o) => o.toFixed(2)).join(' ')}`);
    expect(ords[ords.length - 1]!).toBeGreaterThan(1.8);
    expect(ords[ords.length - 1]!).toBeLessThan(2.3);
    // Same trajectory as the general form with sigma(t) = t, s(t) = 1 (up to float32 rounding).
    const latents = tf.tensor4d(X0, [X0.length, 1, 1, 1]);
    const a = await edmSampler(new GaussianDenoiser(DATA_STD), latents, { numSteps: 12 });
    const b = await ablationSampler(new GaussianDenoiser(DATA_STD), latents, { numSteps: 12 });
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-6);
    tf.dispose([a, b, latents]);
  });
});
