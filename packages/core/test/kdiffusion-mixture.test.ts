// Every k-diffusion sampler's output distribution on a Gaussian mixture (8 components on a ring in 2-D, the
// exact posterior-mean denoiser) at its recommended NFE: the squared MMD to the exact mixture (Gaussian
// kernel, closed-form data terms, unbiased sample term) must be within the sampling noise of exact samples.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import { K_SAMPLERS, type KSamplerName, type KSamplerOptions } from '../src/samplers/kdiffusion';
import type { Sampler } from '../src/samplers/types';
import { latentsFor, mixtureDenoiser, ring2d, sampleMixture } from '../bench/mixture';
import { mmd2ToMixture } from '../bench/distance';

const mix = ring2d();
const net = mixtureDenoiser(mix);
const N = 1000;
const dim = 2;
const ell = 2 * Math.sqrt(dim) * mix.std; // kernel width: twice the component scale
const mmd2 = (x: Float32Array) => mmd2ToMixture(x, dim, mix.means, mix.weights, mix.std, ell);
let z: tf.Tensor4D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  z = latentsFor(mix.shape, N, 1);
});

// Steps per sampler (NFE in parentheses): where each is usually run.
const recommended: Record<KSamplerName, KSamplerOptions> = {
  euler: { numSteps: 50 }, // 50
  euler_ancestral: { numSteps: 50 }, // 50
  heun: { numSteps: 18 }, // 35
  dpm_2: { numSteps: 18 }, // 35
  dpm_2_ancestral: { numSteps: 25 }, // 49
  lms: { numSteps: 25 }, // 25
  dpmpp_2s_ancestral: { numSteps: 20 }, // 39
  dpmpp_sde: { numSteps: 15 }, // 29
  dpmpp_2m: { numSteps: 25 }, // 25
  dpmpp_2m_sde: { numSteps: 30 }, // 30
  dpmpp_3m_sde: { numSteps: 50 }, // 50
  dpm_adaptive: {}, // rtol 0.05, atol 0.0078: ~40
};

// Exact samples give |MMD^2| of about 2e-4 at N = 1000 (measured: -1.9e-4, 1.6e-4, -1.4e-4, -1.2e-4).
const BOUND = 1e-3;

describe('output distribution on the 2-D ring mixture (MMD^2 to the exact mixture)', () => {
  test('the bound separates: exact samples pass, a 3-step Euler run fails', async () => {
    for (const seed of [5, 6]) {
      const d = sampleMixture(mix, N, seed);
      expect(Math.abs(mmd2(d.dataSync() as Float32Array))).toBeLessThan(BOUND / 2);
      d.dispose();
    }
    const bad = await K_SAMPLERS.euler(net, z, { numSteps: 3 });
    expect(mmd2(bad.dataSync() as Float32Array)).toBeGreaterThan(10 * BOUND);
    bad.dispose();
  });
  for (const [name, options] of Object.entries(recommended)) {
    test(`${name} ${JSON.stringify(options)}`, async () => {
      const sampler = K_SAMPLERS[name as KSamplerName] as Sampler<KSamplerOptions>;
      const x = await sampler(net, z, options);
      const m = mmd2(x.dataSync() as Float32Array);
      x.dispose();
      expect(m).toBeLessThan(BOUND);
    });
  }
});
