// The shared contract of the k-diffusion samplers: determinism (same seeds = same samples; sample i the same
// alone or in a batch), no tensor leaks, onStep, AbortSignal, randnLike draws, option errors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import { SamplerAbortedError } from '../src/samplers/abort';
import { K_SAMPLERS, type KSamplerName, type KSamplerOptions } from '../src/samplers/kdiffusion';
import { samplerOptionNames } from '../src/samplers/option-table';
import type { Sampler, SamplerCallbackInfo } from '../src/samplers/types';
import { latentsFor, mixtureDenoiser, ring2d } from '../bench/mixture';

const mix = ring2d();
const net = mixtureDenoiser(mix);
const names = Object.keys(K_SAMPLERS) as KSamplerName[];
/** Whether the sampler takes the option (its table; others are rejected as unknown). */
const takes = (name: KSamplerName, option: string) => samplerOptionNames(name).includes(option);
/** 6 steps for the fixed-step samplers (dpm_adaptive chooses its own). */
const steps = (name: KSamplerName) => (takes(name, 'numSteps') ? { numSteps: 6 } : {});
const run = (name: KSamplerName, latents: tf.Tensor4D, options: KSamplerOptions = {}) =>
  (K_SAMPLERS[name] as Sampler<KSamplerOptions>)(net, latents, { ...steps(name), ...options });
/** S_churn 10 where the sampler has churn, so the churn samplers draw noise too. */
const churn = (name: KSamplerName) => (takes(name, 'sChurn') ? { sChurn: 10 } : {}) as KSamplerOptions;
const stochastic: KSamplerName[] = ['euler_ancestral', 'dpm_2_ancestral', 'dpmpp_2s_ancestral', 'dpmpp_sde',
  'dpmpp_2m_sde', 'dpmpp_3m_sde'];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('determinism and per-sample seeds', () => {
  test.each(names)('%s: same latents and seeds twice give identical samples; no tensors leak', async (name) => {
    const z = latentsFor(mix.shape, 4, 3);
    const before = tf.memory().numTensors;
    const a = await run(name, z, churn(name));
    expect(tf.memory().numTensors).toBe(before + 1);
    const b = await run(name, z, churn(name));
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(Number.isFinite(tf.sum(a).dataSync()[0]!)).toBe(true);
    tf.dispose([a, b, z]);
  });
  test.each(stochastic)('%s: sample i is the same alone (seed i) as in a batch of 4; other seeds differ', async (name) => {
    const z = latentsFor(mix.shape, 4, 3);
    const batch = await run(name, z);
    const z2 = tf.slice(z, [2, 0, 0, 0], [1, 1, 1, 2]);
    const alone = await run(name, z2, { seeds: [2] });
    const row = tf.slice(batch, [2, 0, 0, 0], [1, 1, 1, 2]);
    const got = alone.dataSync();
    const want = row.dataSync();
    for (let k = 0; k < 2; k++) expect(got[k]).toBeCloseTo(want[k]!, 5);
    const other = await run(name, z2, { seeds: [7] });
    expect(Math.abs(other.dataSync()[0]! - got[0]!)).toBeGreaterThan(1e-4);
    tf.dispose([z, batch, z2, alone, row, other]);
  });
});

describe('randnLike', () => {
  test.each(stochastic)('%s: every draw goes through options.randnLike (count and shape), and zero draws give eta = 0', async (name) => {
    const z = latentsFor(mix.shape, 3, 4);
    let calls = 0;
    const zeros = (x: tf.Tensor4D) => { calls++; return tf.zerosLike(x); };
    const before = tf.memory().numTensors;
    const a = await run(name, z, { randnLike: zeros });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(calls).toBeGreaterThanOrEqual(5); // 6 steps, no noise on the last
    // With zero noise, eta = 1 adds nothing, so the result is the deterministic part of the update only;
    // with real draws it differs.
    const b = await run(name, z);
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b, z]);
  });
  test('recorded draws replay: the same sequence of draws gives the same samples', async () => {
    const z = latentsFor(mix.shape, 3, 4);
    const recorded: tf.Tensor4D[] = [];
    const rec = (x: tf.Tensor4D) => { const n = tf.randomNormal(x.shape) as tf.Tensor4D; recorded.push(tf.clone(n)); return n; };
    const a = await run('dpmpp_sde', z, { randnLike: rec });
    let k = 0;
    const replay = (_x: tf.Tensor4D) => tf.clone(recorded[k++]!);
    const b = await run('dpmpp_sde', z, { randnLike: replay });
    expect(k).toBe(recorded.length);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b, z, ...recorded]);
  });
  test('a randnLike of the wrong shape is an error naming the option', async () => {
    const z = latentsFor(mix.shape, 3, 4);
    await expect(run('euler_ancestral', z, { randnLike: () => tf.zeros([1, 1, 1, 2]) as tf.Tensor4D }))
      .rejects.toThrow(/randnLike must return a tensor shaped like x \[3, 1, 1, 2\]/);
    z.dispose();
  });
});

describe('onStep and AbortSignal', () => {
  test.each(names.filter((n) => n !== 'dpm_adaptive'))('%s: onStep sees every step i with sigma -> sigmaNext', async (name) => {
    const z = latentsFor(mix.shape, 2, 5);
    const seen: Omit<SamplerCallbackInfo, 'x' | 'denoised'>[] = [];
    const sigmas = [10, 3, 1, 0.3, 0.05, 0];
    const x = await run(name, z, {
      sigmas,
      onStep: ({ i, sigma, sigmaNext, x: xi, denoised }) => {
        expect(xi.shape).toEqual([2, 1, 1, 2]);
        expect(denoised.isDisposed).toBe(false);
        seen.push({ i, sigma, sigmaNext });
      },
    });
    expect(seen).toEqual(sigmas.slice(0, -1).map((sigma, i) => ({ i, sigma, sigmaNext: sigmas[i + 1] })));
    tf.dispose([x, z]);
  });
  test('dpm_adaptive: onStep walks from sigma_max to sigma_min, then the final step to 0', async () => {
    const z = latentsFor(mix.shape, 2, 5);
    const seen: [number, number][] = [];
    const x = await K_SAMPLERS.dpm_adaptive(net, z, { onStep: ({ sigma, sigmaNext }) => { seen.push([sigma, sigmaNext]); } });
    expect(seen[0]![0]).toBeCloseTo(80, 8);
    expect(seen.at(-1)).toEqual([0.002, 0]);
    for (let k = 1; k < seen.length; k++) expect(seen[k]![0]).toBeCloseTo(seen[k - 1]![1], 10);
    tf.dispose([x, z]);
  });
  test.each(names)('%s: an aborted signal rejects with SamplerAbortedError and leaks nothing', async (name) => {
    const z = latentsFor(mix.shape, 2, 5);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const p = (K_SAMPLERS[name] as Sampler<KSamplerOptions>)(net, z, {
      ...steps(name), signal: controller.signal, onStep: ({ i }) => { if (i === 1) controller.abort('stop'); },
    });
    await expect(p).rejects.toBeInstanceOf(SamplerAbortedError);
    await expect(p).rejects.toThrow(/aborted by options.signal before step 2/);
    expect(tf.memory().numTensors).toBe(before);
    z.dispose();
  });
});

describe('options', () => {
  test('class labels reach the denoiser', async () => {
    const z = latentsFor(mix.shape, 2, 6);
    const labels = tf.cast(tf.oneHot([3, 3], 8), 'float32') as tf.Tensor2D;
    const x = await run('dpmpp_2m', z, { classLabels: labels, numSteps: 20 });
    const mu = mix.means[3]!;
    const v = x.dataSync();
    for (let i = 0; i < 2; i++) expect(Math.hypot(v[2 * i]! - mu[0]!, v[2 * i + 1]! - mu[1]!)).toBeLessThan(0.3);
    tf.dispose([z, labels, x]);
  });
  test('bad options throw errors naming the option and what was expected', async () => {
    const z = latentsFor(mix.shape, 2, 6);
    await expect(run('euler', z, { numSteps: 0 })).rejects.toThrow(/numSteps must be an integer >= 1, got 0/);
    await expect(run('euler', z, { rho: 0 })).rejects.toThrow(/eulerSampler: option rho must be a finite number > 0/);
    await expect(run('heun', z, { sigmaMin: 5, sigmaMax: 1 })).rejects.toThrow(/heunSampler.*sigmaMin < sigmaMax/);
    await expect(run('lms', z, { sigmas: [1, 2, 0] })).rejects.toThrow(/lmsSampler: option sigmas must be strictly decreasing/);
    await expect(run('lms', z, { order: 9 } as KSamplerOptions)).rejects.toThrow(/order must be an integer in 1..6, got 9/);
    await expect(run('euler_ancestral', z, { eta: -1 } as KSamplerOptions)).rejects.toThrow(/option eta must be a finite number >= 0, got -1/);
    await expect(run('dpmpp_2m_sde', z, { solverType: 'rk4' } as KSamplerOptions))
      .rejects.toThrow(/solverType must be one of 'midpoint', 'heun', got "rk4"/);
    await expect(run('dpmpp_3m_sde', z, { variant: 'x' } as KSamplerOptions)).rejects.toThrow(/variant must be one of 'kdiffusion', 'taylor'/);
    await expect(K_SAMPLERS.dpm_adaptive(net, z, { order: 4 as 3 })).rejects.toThrow(/order must be an integer in 2..3, got 4/);
    // An option the sampler does not take (a typo, or another sampler's) is an error naming the allowed ones.
    await expect(run('euler', z, { sTmin: 0.1 } as KSamplerOptions))
      .rejects.toThrow(/eulerSampler: unknown option 'sTmin'; the euler sampler takes numSteps, sigmaMin, sigmaMax, rho, sChurn, sMin, sMax, sNoise, sigmas, classLabels/);
    await expect(run('euler_ancestral', z, { sChurn: 1 } as KSamplerOptions)).rejects.toThrow(/unknown option 'sChurn'; the euler_ancestral sampler takes .*eta, sNoise/);
    await expect(K_SAMPLERS.dpm_adaptive(net, z, { numSteps: 6 } as never)).rejects.toThrow(/dpmAdaptiveSampler: unknown option 'numSteps'/);
    // Ranges and orders come from the table too.
    await expect(run('euler', z, { numSteps: 1001 })).rejects.toThrow(/eulerSampler: option numSteps must be an integer in 1..1000, got 1001/);
    await expect(run('heun', z, { sMin: 5, sMax: 1 } as KSamplerOptions)).rejects.toThrow(/heunSampler: options sMin <= sMax required, got sMin=5 > sMax=1/);
    await expect(run('euler', tf.zeros([2, 2, 1, 1]) as tf.Tensor4D)).rejects.toThrow(/tensor latents must have shape \[N, 1, 1, 2\]/);
    z.dispose();
  });
});
