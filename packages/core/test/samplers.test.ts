// Sampler contract: Algorithm 2 with churn against a float64 transcription on Gaussian data (with the NVlabs
// fixture's recorded noise), the ablation sampler's churn, determinism (seed i alone or in a batch of 4),
// onStep, abort, leaks and option errors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  ablationSampler, edmDiscretization, edmSampler, EDMPrecond, IDDPMPrecond, replayNoise, SamplerAbortedError,
  StackedRandomGenerator, type SamplerCallbackInfo,
} from '@edm/core';
import { GaussianDenoiser } from './helpers/gaussian';
import { loadFixture, nchwToNhwc } from './helpers/fixture';
import { ToyBackbone } from './helpers/toy';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fx = loadFixture();
const latentsNhwc = nchwToNhwc(fx.tensor('fixture.latents'));
const noiseDraws = () => {
  const t = fx.tensor('fixture.sample.heun_churn.noise');
  return tf.tidy(() => tf.transpose(tf.tensor(Float32Array.from(t.data), t.shape) as tf.Tensor, [0, 1, 3, 4, 2])) as tf.Tensor5D;
};

describe('Algorithm 2 (stochastic Heun) on Gaussian data', () => {
  const P = { numSteps: 6, sChurn: 40, sMin: 0.05, sMax: 50, sNoise: 1.003 };
  test('matches a float64 transcription of the paper\'s Algorithm 2, driven by the fixture\'s recorded noise', async () => {
    const s2 = 0.25; // Gaussian data, sigma_data = 0.5: D(x; sigma) = x s^2 / (s^2 + sigma^2)
    const D = (x: number, sigma: number) => (x * s2) / (s2 + sigma * sigma);
    const draws = noiseDraws();
    const noise = draws.dataSync();
    const per = latentsNhwc.data.length;
    const t = edmDiscretization(P.numSteps);
    const x = Float64Array.from(latentsNhwc.data, (v) => v * t[0]!);
    for (let i = 0; i < P.numSteps; i++) {
      const gamma = t[i]! >= P.sMin && t[i]! <= P.sMax ? Math.min(P.sChurn / P.numSteps, Math.SQRT2 - 1) : 0;
      const tHat = t[i]! * (1 + gamma);
      for (let k = 0; k < per; k++) {
        const xHat = x[k]! + Math.sqrt(tHat ** 2 - t[i]! ** 2) * P.sNoise * noise[i * per + k]!;
        const d = (xHat - D(xHat, tHat)) / tHat;
        let xNext = xHat + (t[i + 1]! - tHat) * d;
        if (i < P.numSteps - 1) {
          const d2 = (xNext - D(xNext, t[i + 1]!)) / t[i + 1]!;
          xNext = xHat + (t[i + 1]! - tHat) * (0.5 * d + 0.5 * d2);
        }
        x[k] = xNext;
      }
    }
    const latents = tf.tensor4d(latentsNhwc.data, latentsNhwc.shape);
    const out = await edmSampler(new GaussianDenoiser(0.5, 8, 3), latents, { ...P, randnLike: replayNoise(draws) });
    const got = out.dataSync();
    const scale = Math.max(...Array.from(x, Math.abs));
    const err = Math.max(...Array.from(got, (g, k) => Math.abs(g - x[k]!))) / scale;
    expect(err).toBeLessThan(1e-5);
    // The ablation sampler with edm/linear/none and Heun is the same algorithm, noise included.
    const abl = await ablationSampler(new GaussianDenoiser(0.5, 8, 3), latents, { ...P, randnLike: replayNoise(draws) });
    const err2 = tf.tidy(() => tf.max(tf.abs(tf.sub(abl, out))).dataSync()[0]!) / scale;
    expect(err2).toBeLessThan(1e-5);
    tf.dispose([latents, out, abl, draws]);
  });
});

describe('determinism and per-sample seeds', () => {
  const net = () => new EDMPrecond(new ToyBackbone(0.3, 0.2, 2), { imgResolution: 4, imgChannels: 2 });
  test('same seeds twice: identical; sample i identical alone or in a batch of 4 (edm and ablation, with churn)', async () => {
    for (const sampler of [edmSampler, ablationSampler]) {
      const run = async (seeds: number[]) => {
        const gen = new StackedRandomGenerator(seeds);
        const latents = gen.randn([seeds.length, 4, 4, 2]) as tf.Tensor4D;
        const out = await sampler(net(), latents, { numSteps: 5, sChurn: 20, randnLike: gen.randnLike });
        const data = Array.from(out.dataSync());
        tf.dispose([latents, out]);
        return data;
      };
      const batch = await run([100, 101, 102, 103]);
      expect(await run([100, 101, 102, 103])).toEqual(batch);
      expect(await run([102])).toEqual(batch.slice(2 * 32, 3 * 32));
      // The default churn noise (option seeds) is also per sample.
      const runDefault = async (seeds: number[]) => {
        const latents = new StackedRandomGenerator(seeds).randn([seeds.length, 4, 4, 2]) as tf.Tensor4D;
        const out = await sampler(net(), latents, { numSteps: 5, sChurn: 20, seeds });
        const data = Array.from(out.dataSync());
        tf.dispose([latents, out]);
        return data;
      };
      const b2 = await runDefault([7, 8, 9, 10]);
      expect(await runDefault([9])).toEqual(b2.slice(2 * 32, 3 * 32));
    }
  });
});

describe('onStep, abort, leaks', () => {
  test('onStep sees every step in order, is awaited, and its tensors are valid during the call', async () => {
    const seen: Array<Omit<SamplerCallbackInfo, 'x' | 'denoised'> & { xShape: number[]; dMean: number }> = [];
    const latents = tf.ones([1, 1, 1, 1]) as tf.Tensor4D;
    let pending = 0;
    const out = await edmSampler(new GaussianDenoiser(0.5), latents, {
      numSteps: 4,
      onStep: async ({ i, sigma, sigmaNext, x, denoised }) => {
        expect(pending).toBe(0);
        pending++;
        await new Promise((r) => setTimeout(r, 1));
        seen.push({ i, sigma, sigmaNext, xShape: x.shape, dMean: (await denoised.data())[0]! });
        pending--;
      },
    });
    const t = edmDiscretization(4);
    expect(seen.map((s) => [s.i, s.sigma, s.sigmaNext])).toEqual([0, 1, 2, 3].map((i) => [i, t[i], t[i + 1]]));
    expect(seen[3]!.xShape).toEqual([1, 1, 1, 1]);
    tf.dispose([latents, out]);
  });
  test('an aborted signal rejects with an AbortError naming the sampler and step; nothing leaks', async () => {
    for (const sampler of [edmSampler, ablationSampler]) {
      const latents = tf.ones([2, 1, 1, 1]) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const ctrl = new AbortController();
      const p = sampler(new GaussianDenoiser(0.5), latents, {
        numSteps: 10, signal: ctrl.signal, onStep: ({ i }) => { if (i === 2) ctrl.abort(); },
      });
      await expect(p).rejects.toThrow(SamplerAbortedError);
      await expect(p).rejects.toThrow(new RegExp(`${sampler.name}: sampling aborted by options.signal before step 3`));
      await expect(p).rejects.toMatchObject({ name: 'AbortError' });
      expect(tf.memory().numTensors).toBe(before);
      latents.dispose();
    }
  });
  test('no leaks: numTensors after = before + the result (real preconditioning, churn, both samplers, iDDPM)', async () => {
    const nets = [
      new EDMPrecond(new ToyBackbone(0.3, 0.2, 2), { imgResolution: 4, imgChannels: 2, labelDim: 3 }),
      new IDDPMPrecond(new ToyBackbone(0.3, 0.001, 4), { imgResolution: 4, imgChannels: 2 }),
    ];
    const latents = tf.randomNormal([2, 4, 4, 2]) as tf.Tensor4D;
    const labels = tf.oneHot([0, 2], 3) as tf.Tensor2D;
    for (const net of nets) {
      for (const run of [
        () => edmSampler(net, latents, { numSteps: 4, sChurn: 10, classLabels: labels }),
        () => ablationSampler(net, latents, { numSteps: 4, sChurn: 10, discretization: 'vp', schedule: 'vp', scaling: 'vp' }),
        () => ablationSampler(net, latents, { numSteps: 4, discretization: 'iddpm', solver: 'euler' }),
      ]) {
        const before = tf.memory().numTensors;
        const out = await run();
        expect(tf.memory().numTensors).toBe(before + 1);
        expect(out.shape).toEqual([2, 4, 4, 2]);
        expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
        out.dispose();
      }
    }
    tf.dispose([latents, labels]);
  });
});

describe('bad options reject with errors that name the option and the allowed values', () => {
  const net = new GaussianDenoiser(0.5, 2, 3);
  const latents = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
  test.each([
    [{ numSteps: 0 }, /edmSampler: option numSteps must be an integer >= 1, got 0/],
    [{ numSteps: 2.5 }, /numSteps must be an integer >= 1, got 2.5/],
    [{ rho: 0 }, /edmSampler: option rho must be a finite number > 0, got 0/],
    [{ sigmaMin: 10, sigmaMax: 1 }, /edmSampler: options sigmaMin < sigmaMax required, got sigmaMin=10 >= sigmaMax=1/],
    [{ sChurn: -1 }, /option sChurn must be a finite number >= 0, got -1/],
    [{ randnLike: 3 }, /option randnLike must be a function/],
  ])('edmSampler %o', async (opts, re) => {
    await expect(edmSampler(net, latents, opts as never)).rejects.toThrow(re);
  });
  test.each([
    [{ solver: 'rk4' }, /ablationSampler: option solver must be one of 'euler', 'heun', got "rk4"/],
    [{ discretization: 'karras' }, /option discretization must be one of 'vp', 've', 'iddpm', 'edm', got "karras"/],
    [{ schedule: 'cosine' }, /option schedule must be one of 'vp', 've', 'linear', got "cosine"/],
    [{ scaling: 'ddpm' }, /option scaling must be one of 'vp', 'none', got "ddpm"/],
    [{ numSteps: 0 }, /ablationSampler: option numSteps must be an integer >= 1, got 0/],
    [{ alpha: 0 }, /option alpha must be a finite number > 0, got 0/],
    [{ rho: -7 }, /option rho must be a finite number > 0, got -7/],
  ])('ablationSampler %o', async (opts, re) => {
    await expect(ablationSampler(net, latents, opts as never)).rejects.toThrow(re);
  });
  test('non-NHWC latents; a range outside the network\'s; a randnLike of the wrong shape', async () => {
    const nchw = tf.zeros([1, 3, 2, 2]) as tf.Tensor4D;
    await expect(edmSampler(net, nchw)).rejects.toThrow(/edmSampler: tensor latents must have shape \[N, 2, 2, 3\] \(NHWC\), got \[1, 3, 2, 2\].*NCHW/);
    await expect(ablationSampler(net, tf.zeros([2, 2, 3]) as never)).rejects.toThrow(/latents must have shape \[N, 2, 2, 3\]/);
    const narrow = new EDMPrecond(new ToyBackbone(1, 0, 3), { imgResolution: 2, imgChannels: 3, sigmaMin: 0.5, sigmaMax: 1 });
    await expect(edmSampler(narrow, latents, { sigmaMin: 2, sigmaMax: 80 })).rejects.toThrow(/clipped to the network's \[0.5, 1\] is empty/);
    await expect(edmSampler(net, latents, { sChurn: 1, randnLike: () => tf.zeros([1]) as never })).rejects.toThrow(/randnLike must return a tensor shaped like x \[1, 2, 2, 3\], got \[1\]/);
    nchw.dispose();
  });
});
