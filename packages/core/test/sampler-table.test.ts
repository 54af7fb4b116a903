// The sampler table: every sampler runs by its name with the table's settings; options are checked against
// it (unknown ones named with the allowed ones, ranges, orders); defaults come from it (18 steps, once); every
// numeric setting has a range; edm's churnDraws draws the churn noise on every step or only where churn applies.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  NOISE_LEVEL_OPTIONS, SAMPLERS, SAMPLER_NAMES, StackedRandomGenerator, allSamplerOptions, edmDiscretization,
  edmSampler, runSamplerByName, samplerEntry,
} from '@edm/core';
import { readFileSync } from 'node:fs';
import { latentsFor, mixtureDenoiser, ring2d } from '../bench/mixture';
import { samplerTableMarkdown } from '../bench/sampler-docs';

const mix = ring2d();
const net = mixtureDenoiser(mix);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the table', () => {
  test('names k-diffusion\'s samplers without sample_, plus edm (first) and ablation', () => {
    expect(SAMPLER_NAMES).toEqual(['edm', 'ablation', 'euler', 'euler_ancestral', 'heun', 'dpm_2', 'dpm_2_ancestral',
      'lms', 'dpmpp_2s_ancestral', 'dpmpp_sde', 'dpmpp_2m', 'dpmpp_2m_sde', 'dpmpp_3m_sde', 'dpm_adaptive']);
  });

  test('every numeric setting has a range, every default lies in it', () => {
    for (const s of SAMPLERS) {
      for (const [key, spec] of Object.entries(s.options)) {
        if (spec.kind !== 'int' && spec.kind !== 'number') continue;
        expect(Number.isFinite(spec.min), `${s.name}.${key} min`).toBe(true);
        expect(Number.isFinite(spec.max) || key === 'sMax', `${s.name}.${key} max`).toBe(true);
        if (spec.default !== undefined) {
          expect(spec.default >= spec.min && spec.default <= spec.max, `${s.name}.${key} default`).toBe(true);
        }
      }
    }
    expect(allSamplerOptions().map((o) => o.key)).toEqual([...new Set(allSamplerOptions().map((o) => o.key))]);
  });

  test('docs/samplers.md holds the table as generated from it', () => {
    const doc = readFileSync(new URL('../../../docs/samplers.md', import.meta.url), 'utf8');
    expect(doc).toContain(samplerTableMarkdown());
  });

  test.each(SAMPLER_NAMES)('%s runs by name with its table settings; leaks nothing', async (name) => {
    const entry = samplerEntry(name);
    const z = latentsFor(mix.shape, 3, 2);
    const before = tf.memory().numTensors;
    const steps = 'numSteps' in entry.options ? { numSteps: 4 } : { rtol: 0.2 };
    let reports = 0;
    const x = await runSamplerByName(name, net, z, { ...steps, onStep: () => { reports++; } });
    expect(x.shape).toEqual(z.shape);
    expect(Array.from(x.dataSync()).every(Number.isFinite)).toBe(true);
    if ('numSteps' in entry.options) expect(reports).toBe(4);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    z.dispose();
  });
});

describe('options are checked against the table', () => {
  const z = () => latentsFor(mix.shape, 1, 1);
  test.each([
    ['edm', { sTmin: 0.1 }, /edmSampler: unknown option 'sTmin'; the edm sampler takes numSteps, sigmaMin, sigmaMax, rho, sChurn, sMin, sMax, sNoise, churnDraws, classLabels, randnLike, onStep, signal, seeds/],
    ['ablation', { eta: 1 }, /ablationSampler: unknown option 'eta'; the ablation sampler takes .*solver, discretization, schedule, scaling/],
    ['dpmpp_2m', { sChurn: 5 }, /dpmpp2mSampler: unknown option 'sChurn'/],
    ['edm', { numSteps: 100000000 }, /edmSampler: option numSteps must be an integer in 1..1000, got 100000000/],
    ['edm', { sNoise: 3 }, /edmSampler: option sNoise must be a number >= 0 and <= 2, got 3/],
    ['edm', { sigmaMin: 90 }, /edmSampler: options sigmaMin < sigmaMax required, got sigmaMin=90 >= sigmaMax=80/],
    ['ablation', { epsilonS: 1 }, /option epsilonS must be a number > 0 and < 1, got 1/],
    ['edm', { churnDraws: 'sometimes' }, /option churnDraws must be one of 'every-step', 'churn-steps', got "sometimes"/],
  ] as const)('%s %o', async (name, options, re) => {
    const x = z();
    await expect(runSamplerByName(name, net, x, options)).rejects.toThrow(re);
    x.dispose();
  });
  test('an unknown sampler is named with the known ones', async () => {
    const x = z();
    await expect(runSamplerByName('dpmpp_4m', net, x)).rejects.toThrow(/unknown sampler 'dpmpp_4m'; the samplers are edm, ablation, euler/);
    x.dispose();
  });
});

describe('defaults come from the table', () => {
  test('edm takes the table\'s 18 steps when numSteps is not given', async () => {
    expect(NOISE_LEVEL_OPTIONS.numSteps.default).toBe(18);
    const x = latentsFor(mix.shape, 1, 1);
    const sigmas: number[] = [];
    (await edmSampler(net, x, { onStep: ({ sigma }) => { sigmas.push(sigma); } })).dispose();
    expect(sigmas).toHaveLength(18);
    expect(sigmas[0]).toBeCloseTo(NOISE_LEVEL_OPTIONS.sigmaMax.default, 10);
    x.dispose();
  });
});

describe("edm's churnDraws", () => {
  const P = { numSteps: 6, sChurn: 40, sMin: 0.05, sMax: 50 };
  /** A randnLike that counts its calls. */
  function counting() {
    const gen = new StackedRandomGenerator([1, 2]);
    const f = (x: tf.Tensor4D) => {
      f.calls++;
      return gen.randnLike(x);
    };
    f.calls = 0;
    return f;
  }
  test('every-step (generate.py) draws on every step; churn-steps (EDM2) only where S_churn applies', async () => {
    const t = edmDiscretization(P.numSteps).slice(0, P.numSteps);
    const churnSteps = t.filter((s) => s >= P.sMin && s <= P.sMax).length;
    expect(churnSteps).toBeGreaterThan(0);
    expect(churnSteps).toBeLessThan(P.numSteps);
    const z = latentsFor(mix.shape, 2, 4);
    const every = counting();
    const a = await edmSampler(net, z, { ...P, randnLike: every });
    expect(every.calls).toBe(P.numSteps);
    const only = counting();
    const b = await edmSampler(net, z, { ...P, churnDraws: 'churn-steps', randnLike: only });
    expect(only.calls).toBe(churnSteps);
    // Skipping the draws of the steps without churn shifts the noise the churn steps get.
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b, z]);
  });
});
