// The example app's sampling code (examples/web/src) in Node on the cpu backend, against closed forms:
// with Gaussian data N(0, s^2 I) the ideal denoiser is D(x; sigma) = x s^2 / (s^2 + sigma^2) and the
// probability-flow ODE maps x(sigma_max) = sigma_max z to x(0) = z s sigma_max / sqrt(s^2 + sigma_max^2).
// So every deterministic sampler of the page must return that image of the seeded latents z (the CLI's
// StackedRandomGenerator draws), and every sampler must report one preview per step and leak nothing.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { StackedRandomGenerator, type Denoiser } from '@edm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { classLabels, generate } from '../../examples/web/src/generate';
import { SAMPLERS } from '../../examples/web/src/samplers';
import { parseSettings, type SampleSettings } from '../../examples/web/src/settings';

const S = 0.5; // the data's standard deviation s
const RES = 4;

/** The ideal denoiser of N(0, S^2 I) data (records the class labels it was given). */
class GaussianDenoiser implements Denoiser {
  readonly sigmaMin = 0;
  readonly sigmaMax = Infinity;
  readonly imgResolution = RES;
  readonly imgChannels = 1;
  readonly labelDim = 10;
  lastLabels: number[][] | null = null;
  forward(x: tf.Tensor4D, sigma: number | tf.Tensor, labels?: tf.Tensor2D | null): tf.Tensor4D {
    if (labels) this.lastLabels = labels.arraySync();
    return tf.tidy(() => {
      const s2 = typeof sigma === 'number' ? sigma * sigma : tf.reshape(tf.square(sigma), [-1, 1, 1, 1]);
      return tf.div(tf.mul(x, S * S), tf.add(s2, S * S)) as tf.Tensor4D;
    });
  }
  roundSigma(sigma: number): number {
    return sigma;
  }
}

/** A request of the page for `sampler` with these fields typed in (the others at the table's defaults). */
const settings = (sampler: string, options: Record<string, string> = {}): SampleSettings =>
  parseSettings({ seed: '5', batch: '3', classIndex: 'auto', sampler, options }, 10);

/** The exact x(0) for the seeded latents of seeds 5, 6, 7 (sigma_max 80). */
function exact(): Float32Array {
  const z = new StackedRandomGenerator([5, 6, 7]).randn([3, RES, RES, 1]);
  const x0 = z.dataSync().map((v) => (v * S * 80) / Math.sqrt(S * S + 80 * 80));
  z.dispose();
  return Float32Array.from(x0);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('examples/web sampling', () => {
  const deterministic = SAMPLERS.filter((c) => !/ancestral|sde/.test(c.name));
  // The adaptive solver at a tight tolerance (its default rtol 0.05 stops 0.15 away from the exact image).
  const steps = (name: string): Record<string, string> =>
    (name === 'dpm_adaptive' ? { rtol: '0.0005', atol: '0.0001' } : { numSteps: '200' });

  for (const choice of deterministic) {
    it(`${choice.name}: the exact ODE solution of the seeded latents, one preview per step, no leak`, async () => {
      const net = new GaussianDenoiser();
      const before = tf.memory().numTensors;
      const seen: number[] = [];
      const x = await generate(net, settings(choice.name, steps(choice.name)), { onStep: ({ i, denoised }) => { seen.push(i); expect(denoised.length).toBe(3 * RES * RES); } });
      expect(tf.memory().numTensors).toBe(before);
      expect(seen).toEqual(Array.from({ length: choice.name === 'dpm_adaptive' ? seen.length : 200 }, (_, i) => i));
      const want = exact();
      const err = Math.max(...x.map((v, k) => Math.abs(v - want[k]!)));
      // 200 steps: first-order Euler is within ~2e-2 (measured 1.98e-2), the second-order and multistep
      // methods within ~5e-4 (Heun 4.9e-4, DPM-Solver-2 2.8e-4, LMS 1.1e-5), the adaptive solver at rtol 5e-4
      // within 3.7e-3 (measured); wrong seeds would be off by ~1.
      expect(err).toBeLessThan(choice.name === 'euler' ? 3e-2 : choice.name === 'dpm_adaptive' ? 1e-2 : 2e-3);
    });
  }

  for (const choice of SAMPLERS.filter((c) => !deterministic.includes(c))) {
    it(`${choice.name}: stochastic, finite, seeded (same seeds, same images), no leak`, async () => {
      const net = new GaussianDenoiser();
      const before = tf.memory().numTensors;
      const a = await generate(net, settings(choice.name, { numSteps: '10' }));
      const b = await generate(net, settings(choice.name, { numSteps: '10' }));
      expect(tf.memory().numTensors).toBe(before);
      expect(a.every(Number.isFinite)).toBe(true);
      expect(Array.from(a)).toEqual(Array.from(b));
    });
  }

  it('churn changes the result and is reproducible per seed (edm, S_churn 30)', async () => {
    const net = new GaussianDenoiser();
    const churned = await generate(net, settings('edm', { numSteps: '200', sChurn: '30' }));
    const again = await generate(net, settings('edm', { numSteps: '200', sChurn: '30' }));
    const plain = await generate(net, settings('edm', { numSteps: '200' }));
    expect(Array.from(churned)).toEqual(Array.from(again));
    expect(Math.max(...churned.map((v, k) => Math.abs(v - plain[k]!)))).toBeGreaterThan(1e-3);
  });

  it('class labels: one-hot of the chosen class, or seed mod labelDim', () => {
    const net = new GaussianDenoiser();
    const fixed = classLabels(net, [5, 6], 7)!;
    const auto = classLabels(net, [5, 16], null)!;
    expect(fixed.arraySync().map((r) => r.indexOf(1))).toEqual([7, 7]);
    expect(auto.arraySync().map((r) => r.indexOf(1))).toEqual([5, 6]);
    expect(auto.sum().arraySync()).toBe(2);
    fixed.dispose();
    auto.dispose();
  });

  it('cancel: an aborted signal rejects between steps and leaks nothing', async () => {
    const net = new GaussianDenoiser();
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = generate(net, settings('edm', { numSteps: '200' }), {
      signal: controller.signal,
      onStep: ({ i }) => { if (i === 2) controller.abort(); },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(tf.memory().numTensors).toBe(before);
  });
});

/**
 * For each setting of the sampler table: a value to type into the page's field, and the other fields it needs
 * to matter (S_tmin matters only with churn, epsilon_s only with the vp discretization, ...).
 */
const CHANGE: Record<string, { value: string; base?: Record<string, string> }> = {
  numSteps: { value: '7' },
  sigmaMin: { value: '0.05' },
  sigmaMax: { value: '40' },
  rho: { value: '3' },
  sChurn: { value: '0', base: { sChurn: '30' } },
  sMin: { value: '1', base: { sChurn: '30' } },
  sMax: { value: '5', base: { sChurn: '30' } },
  sNoise: { value: '1.2', base: { sChurn: '30', eta: '1' } },
  // The first step (sigma 80) has no churn: skipping its draw shifts the noise of the later steps.
  churnDraws: { value: 'churn-steps', base: { sChurn: '30', sMax: '30' } },
  solver: { value: 'euler' },
  discretization: { value: 'vp' },
  schedule: { value: 'vp' },
  scaling: { value: 'vp' },
  alpha: { value: '0.5' },
  epsilonS: { value: '0.01', base: { discretization: 'vp' } },
  // C_1 clips the alpha_bar ratios of the highest u_j: only a large clip reaches below sigma_max 81.
  C1: { value: '0.9', base: { discretization: 'iddpm' } },
  C2: { value: '0.02', base: { discretization: 'iddpm' } },
  M: { value: '500', base: { discretization: 'iddpm' } },
  eta: { value: '0.5' },
  order: { value: '2' },
  r: { value: '0.3' },
  solverType: { value: 'heun' },
  variant: { value: 'taylor' },
  rtol: { value: '0.005' },
  atol: { value: '0.0001' },
  hInit: { value: '0.5' },
  pcoeff: { value: '0.5' },
  icoeff: { value: '0.5' },
  dcoeff: { value: '0.5' },
  acceptSafety: { value: '0.99', base: { rtol: '0.005' } },
  denoiseToZero: { value: 'false' },
};

describe("every setting of every sampler reaches it from the page's fields", () => {
  for (const choice of SAMPLERS) {
    // maxSteps bounds the adaptive solver: its effect is the error when the bound is hit (below).
    const keys = Object.keys(choice.options).filter((k) => k !== 'maxSteps');
    it(`${choice.name}: ${keys.join(', ')}`, async () => {
      const net = new GaussianDenoiser();
      const steps = choice.name === 'dpm_adaptive' ? {} : { numSteps: '6' };
      for (const key of keys) {
        const change = CHANGE[key];
        expect(change, `a test value for ${key}`).toBeDefined();
        const base = Object.fromEntries(Object.entries({ ...steps, ...change!.base }).filter(([k]) => k in choice.options));
        const a = await generate(net, settings(choice.name, base));
        const b = await generate(net, settings(choice.name, { ...base, [key]: change!.value }));
        const diff = Math.max(...a.map((v, k) => Math.abs(v - b[k]!)));
        expect(diff, `${choice.name}: ${key} ${change!.value} changes the images`).toBeGreaterThan(1e-6);
      }
    });
  }

  it('dpm_adaptive: maxSteps stops a run that needs more steps', async () => {
    await expect(generate(new GaussianDenoiser(), settings('dpm_adaptive', { maxSteps: '2' }))).rejects.toThrow(/no convergence within maxSteps=2/);
  });
});
