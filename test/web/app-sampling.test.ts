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
import { SAMPLERS, samplerById } from '../../examples/web/src/samplers';
import type { SampleSettings } from '../../examples/web/src/settings';

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

const settings = (sampler: string, o: Partial<SampleSettings> = {}): SampleSettings => ({
  seed: 5, batch: 3, classIndex: null, steps: 200, sampler, sChurn: 0, sMin: 0, sMax: Infinity, sNoise: 1, ...o,
});

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
  const deterministic = SAMPLERS.filter((c) => !/ancestral|sde/.test(c.id));

  for (const choice of deterministic) {
    it(`${choice.id}: the exact ODE solution of the seeded latents, one preview per step, no leak`, async () => {
      const net = new GaussianDenoiser();
      const before = tf.memory().numTensors;
      const seen: number[] = [];
      const x = await generate(net, choice, settings(choice.id), { onStep: ({ i, denoised }) => { seen.push(i); expect(denoised.length).toBe(3 * RES * RES); } });
      expect(tf.memory().numTensors).toBe(before);
      expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
      const want = exact();
      const err = Math.max(...x.map((v, k) => Math.abs(v - want[k]!)));
      // 200 steps: first-order Euler is within ~2e-2 (measured 1.98e-2), the second-order and multistep
      // methods within ~5e-4 (Heun 4.9e-4, DPM-Solver-2 2.8e-4, LMS 1.1e-5); wrong seeds would be off by ~1.
      expect(err).toBeLessThan(/euler/.test(choice.id) ? 3e-2 : 2e-3);
    });
  }

  for (const choice of SAMPLERS.filter((c) => !deterministic.includes(c))) {
    it(`${choice.id}: stochastic, finite, seeded (same seeds, same images), no leak`, async () => {
      const net = new GaussianDenoiser();
      const before = tf.memory().numTensors;
      const a = await generate(net, choice, settings(choice.id, { steps: 10 }));
      const b = await generate(net, choice, settings(choice.id, { steps: 10 }));
      expect(tf.memory().numTensors).toBe(before);
      expect(a.every(Number.isFinite)).toBe(true);
      expect(Array.from(a)).toEqual(Array.from(b));
    });
  }

  it('churn changes the result and is reproducible per seed (heun, S_churn 30)', async () => {
    const net = new GaussianDenoiser();
    const heun = samplerById('heun');
    const churned = await generate(net, heun, settings('heun', { sChurn: 30 }));
    const again = await generate(net, heun, settings('heun', { sChurn: 30 }));
    const plain = await generate(net, heun, settings('heun'));
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
    const run = generate(net, samplerById('heun'), settings('heun'), {
      signal: controller.signal,
      onStep: ({ i }) => { if (i === 2) controller.abort(); },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(tf.memory().numTensors).toBe(before);
  });
});
