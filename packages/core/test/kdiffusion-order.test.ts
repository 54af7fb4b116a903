// Convergence orders of the k-diffusion samplers on the closed-form Gaussian case: data N(0, s^2 I) has the
// ideal denoiser D(x; sigma) = x s^2 / (s^2 + sigma^2), and the probability-flow ODE the exact solution
// x(sigma) = x(sigma_0) sqrt((s^2 + sigma^2) / (s^2 + sigma_0^2)). Integrating from sigma_max to sigma_min with
// N and 2N steps, the error ratio e(N) / e(2N) ~ 2^p measures the order p.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  K_SAMPLERS, dpmpp3mSdeSampler, sampleDpmAdaptive, type KSamplerName, type KSamplerOptions,
} from '../src/samplers/kdiffusion';
import { samplerOptionNames } from '../src/samplers/option-table';
import type { Sampler } from '../src/samplers/types';
import { exponential, karras } from '../src/schedules';
import { gaussianDenoiser, gaussianExact, latentsFor } from '../bench/mixture';

const s = 0.5;
const shape = { resolution: 4, channels: 2 };
const net = gaussianDenoiser(s, shape);
const sigmaMin = 0.002;
const sigmaMax = 80;
let z: tf.Tensor4D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  z = latentsFor(shape, 8, 1);
});

/** Max abs error at sigma_min against the exact solution, for n steps of the given schedule (no final 0). */
async function errorAt(sampler: Sampler<KSamplerOptions>, n: number, options: object, rho?: number): Promise<number> {
  const sigmas = (rho === undefined ? exponential(n, sigmaMin, sigmaMax) : karras(n, sigmaMin, sigmaMax, rho)).slice(0, -1);
  const x = await sampler(net, z, { ...options, sigmas });
  const exact = gaussianExact(tf.mul(z, sigmaMax) as tf.Tensor4D, s, sigmaMax, sigmaMin);
  const err = tf.tidy(() => tf.max(tf.abs(tf.sub(x, exact))).dataSync()[0]!);
  tf.dispose([x, exact]);
  return err;
}

/** log2 of the error ratios for n = 16, 32, 64 steps. */
async function orders(sampler: Sampler<KSamplerOptions>, options: object = {}, rho?: number): Promise<number[]> {
  const e = [];
  for (const n of [16, 32, 64]) e.push(await errorAt(sampler, n, options, rho));
  return [Math.log2(e[0]! / e[1]!), Math.log2(e[1]! / e[2]!)];
}

const cases: [string, number, number, object][] = [
  // name, lower and upper bound of the measured order, options
  ['euler', 0.85, 1.15, {}],
  ['heun', 1.8, 2.4, {}],
  ['dpm_2', 1.8, 2.4, {}],
  ['dpmpp_2m', 1.8, 2.4, {}],
  ['dpmpp_2m_sde', 1.8, 2.4, { eta: 0 }], // eta = 0: the ODE (= 2M)
  ['dpmpp_sde', 1.8, 2.4, { eta: 0 }], // eta = 0: DPM-Solver++(2S) on the ODE
];

describe('convergence order on the Gaussian case (exponential schedule, steps 16 -> 32 -> 64)', () => {
  for (const [name, lo, hi, options] of cases) {
    test(`${name}: order in [${lo}, ${hi}]`, async () => {
      const p = await orders(K_SAMPLERS[name as keyof typeof K_SAMPLERS] as Sampler<KSamplerOptions>, options);
      for (const q of p) {
        expect(q).toBeGreaterThan(lo);
        expect(q).toBeLessThan(hi);
      }
    });
  }
  test('lms (order 4): above second order, rising towards 4 (startup steps are lower order)', async () => {
    const p = await orders(K_SAMPLERS.lms as Sampler<KSamplerOptions>);
    expect(p[0]).toBeGreaterThan(2.5);
    expect(p[1]).toBeGreaterThan(3);
  });
  test("dpmpp_3m_sde (eta = 0) variant 'taylor': at least third order", async () => {
    const p = await orders(dpmpp3mSdeSampler as Sampler<KSamplerOptions>, { eta: 0, variant: 'taylor' });
    expect(Math.min(...p)).toBeGreaterThan(2.7);
  });
  test("dpmpp_3m_sde (eta = 0) variant 'kdiffusion' (k-diffusion's coefficient): second order, as measured", async () => {
    const p = await orders(dpmpp3mSdeSampler as Sampler<KSamplerOptions>, { eta: 0 });
    expect(p[1]).toBeGreaterThan(1.8);
    expect(p[1]).toBeLessThan(2.4);
  });
  test('Karras rho = 7 (the paper schedule): Euler order 1, Heun order 2', async () => {
    const pe = await orders(K_SAMPLERS.euler as Sampler<KSamplerOptions>, {}, 7);
    const ph = await orders(K_SAMPLERS.heun as Sampler<KSamplerOptions>, {}, 7);
    pe.forEach((q) => expect(Math.abs(q - 1)).toBeLessThan(0.15));
    ph.forEach((q) => expect(Math.abs(q - 2)).toBeLessThan(0.3));
  });
});

describe('the final step to sigma = 0', () => {
  test('every fixed-step sampler returns exactly D(x; sigma_min) on sigmas [sigma_min, 0]', async () => {
    const x0 = tf.mul(z, sigmaMin) as tf.Tensor4D;
    const want = tf.tidy(() => tf.mul(x0, s * s / (s * s + sigmaMin * sigmaMin)).dataSync() as Float32Array);
    for (const [name, sampler] of Object.entries(K_SAMPLERS)) {
      if (name === 'dpm_adaptive') continue;
      const churn = samplerOptionNames(name as KSamplerName).includes('sChurn') ? { sChurn: 0 } : {};
      const x = await (sampler as Sampler<KSamplerOptions>)(net, z, { sigmas: [sigmaMin, 0], ...churn } as KSamplerOptions);
      const got = x.dataSync();
      for (let i = 0; i < got.length; i += 7) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-7);
      x.dispose();
    }
    // ...and that limit differs from the exact ODE endpoint x(0) only by O(sigma_min^2 / s^2).
    const exact = gaussianExact(x0, s, sigmaMin, 0);
    const relErr = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.div(exact, x0), s * s / (s * s + sigmaMin ** 2)))).dataSync()[0]!);
    expect(relErr).toBeLessThan(sigmaMin ** 2 / s ** 2);
    tf.dispose([x0, exact]);
  });
});

describe('adaptive DPM-Solver', () => {
  test('tighter tolerances cost more evaluations and give smaller errors; NFE is counted', async () => {
    const exact = gaussianExact(tf.mul(z, sigmaMax) as tf.Tensor4D, s, sigmaMax, sigmaMin);
    const results = [];
    for (const rtol of [0.05, 0.005]) {
      for (const order of [2, 3] as const) {
        let evals = 0;
        const counting = { ...net, forward: (...a: Parameters<typeof net.forward>) => { evals++; return net.forward(...a); } };
        const { x, info } = await sampleDpmAdaptive(counting, z, { rtol, atol: 1e-4, order, denoiseToZero: false });
        const err = tf.tidy(() => tf.max(tf.abs(tf.sub(x, exact))).dataSync()[0]!);
        x.dispose();
        expect(info.nfe).toBe(evals);
        expect(info.nfe).toBe(order * info.steps);
        expect(info.steps).toBe(info.nAccept + info.nReject);
        results.push({ rtol, order, err, nfe: info.nfe });
      }
    }
    for (const order of [2, 3]) {
      const [loose, tight] = results.filter((r) => r.order === order);
      expect(tight!.nfe).toBeGreaterThan(loose!.nfe);
      expect(tight!.err).toBeLessThan(loose!.err);
    }
    // rtol = 0.005: measured max errors 0.016 (order 2, 50 NFE) and 0.015 (order 3, 45 NFE) on samples of scale ~1.
    for (const r of results.filter((q) => q.rtol === 0.005)) expect(r.err).toBeLessThan(0.03);
    exact.dispose();
  });
});
