// Time step discretizations, schedules and scalings: endpoints, monotonicity, closed forms, and the noise
// levels the NVlabs reference's samplers actually fed its network (fixture metadata `net_sigmas`).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  ablationSampler, ablationSigmaRange, edmDiscretization, edmSampler, iddpmDiscretization, iddpmUTable, linearSchedule, noScaling,
  veDiscretization, veSchedule, vpBetasForRange, vpDefaultSigmaRange, vpDiscretization, vpScaling, vpSchedule,
  replayNoise, wrapDenoiser, type AblationSamplerOptions,
} from '@edm/core';
import { GaussianDenoiser } from './helpers/gaussian';
import { loadFixture, nchwToNhwc } from './helpers/fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('edm discretization (eq. 5)', () => {
  test('endpoints sigma_max, sigma_min, t_N = 0; strictly decreasing; closed form', () => {
    const s = edmDiscretization(18);
    expect(s).toHaveLength(19);
    expect(rel(s[0]!, 80)).toBeLessThan(1e-14);
    expect(rel(s[17]!, 0.002)).toBeLessThan(1e-12);
    expect(s[18]).toBe(0);
    for (let i = 0; i < 18; i++) expect(s[i + 1]!).toBeLessThan(s[i]!);
    // i = 9 by hand: (80^(1/7) + 9/17 (0.002^(1/7) - 80^(1/7)))^7
    const a = 80 ** (1 / 7);
    const b = 0.002 ** (1 / 7);
    expect(rel(s[9]!, (a + (9 / 17) * (b - a)) ** 7)).toBeLessThan(1e-14);
    // rho = 1: uniform in sigma.
    expect(edmDiscretization(5, { sigmaMin: 1, sigmaMax: 5, rho: 1 }).map((v) => +v.toFixed(12))).toEqual([5, 4, 3, 2, 1, 0]);
  });
  test('one step starts at sigma_max', () => {
    const s = edmDiscretization(1, { sigmaMax: 10 });
    expect(s).toHaveLength(2);
    expect(rel(s[0]!, 10)).toBeLessThan(1e-14);
    expect(s[1]).toBe(0);
  });
  test('bad options name the option and the allowed values', () => {
    expect(() => edmDiscretization(0)).toThrow(/numSteps must be an integer >= 1, got 0/);
    expect(() => edmDiscretization(2.5)).toThrow(/numSteps/);
    expect(() => edmDiscretization(10, { rho: 0 })).toThrow(/rho must be a finite number > 0, got 0/);
    expect(() => edmDiscretization(10, { sigmaMin: 80, sigmaMax: 1 })).toThrow(/sigmaMin < sigmaMax.*80.*1/);
    expect(() => edmDiscretization(10, { sigmaMin: 1, sigmaMax: 1 })).toThrow(/sigmaMin < sigmaMax/);
  });
});

describe('vp, ve, iddpm discretizations', () => {
  test('vp: endpoints equal the requested range; betas reproduce it; default range', () => {
    const s = vpDiscretization(10, { sigmaMin: 0.01, sigmaMax: 100, epsilonS: 1e-3 });
    expect(rel(s[0]!, 100)).toBeLessThan(1e-12);
    expect(rel(s[9]!, 0.01)).toBeLessThan(1e-9);
    expect(s[10]).toBe(0);
    const { betaD, betaMin } = vpBetasForRange(0.01, 100, 1e-3);
    expect(rel(vpSchedule(betaD, betaMin).sigma(1), 100)).toBeLessThan(1e-12);
    // generate.py's default vp range: sigma_VP with beta_d 19.1 (not VPPrecond's 19.9), beta_min 0.1, at t = 1
    // and t = epsilon_s: the reference prints 124.58 and 0.010467.
    const def = vpDefaultSigmaRange(1e-3);
    expect(def.sigmaMax).toBeCloseTo(124.58, 2);
    expect(def.sigmaMin).toBeCloseTo(0.010467, 6);
    expect(vpDiscretization(10)[0]).toBeCloseTo(124.58, 2);
  });

  test("the ablation sampler's default ranges are generate.py's, clipped to the network's", async () => {
    const wide = new GaussianDenoiser(0.5);
    const g = new GaussianDenoiser(0.5);
    const narrow = wrapDenoiser(g, (x, sigma) => g.forward(x, sigma as number), { sigmaMin: 0.005, sigmaMax: 90 });
    const range = async (net: typeof wide | typeof narrow, disc: 'vp' | 've' | 'iddpm' | 'edm') => {
      const seen: number[] = [];
      const x = tf.zeros([1, 1, 1, 1]) as tf.Tensor4D;
      (await ablationSampler(net, x, { numSteps: 8, discretization: disc, solver: 'euler', onStep: ({ sigma }) => { seen.push(sigma); } })).dispose();
      x.dispose();
      return [seen[0]!, seen.at(-1)!];
    };
    const want = { vp: [124.58, 0.010467], ve: [100, 0.02], iddpm: [81, 0.002], edm: [80, 0.002] } as const;
    for (const [disc, [hi, lo]] of Object.entries(want) as [keyof typeof want, readonly [number, number]][]) {
      const [top, bottom] = await range(wide, disc);
      // iddpm's levels are the u_j in the range: the nearest to 81 and to 0.002 (the reference's table).
      expect(top, `${disc} sigma_max`).toBeCloseTo(hi, disc === 'iddpm' ? -1 : 2);
      expect(bottom, `${disc} sigma_min`).toBeCloseTo(lo, disc === 'iddpm' ? 2 : 6);
      expect(ablationSigmaRange(disc)).toEqual(disc === 'vp' ? vpDefaultSigmaRange() : { sigmaMin: lo, sigmaMax: hi });
      const def = ablationSigmaRange(disc);
      const [ntop, nbottom] = await range(narrow, disc);
      expect(ntop, `${disc} clipped sigma_max`).toBeLessThanOrEqual(90 * (1 + 1e-12));
      expect(nbottom, `${disc} clipped sigma_min`).toBeGreaterThanOrEqual(Math.max(def.sigmaMin, 0.005) * (1 - 1e-12));
      if (disc !== 'iddpm') {
        expect(ntop).toBeCloseTo(Math.min(def.sigmaMax, 90), 9);
        expect(nbottom).toBeCloseTo(Math.max(def.sigmaMin, 0.005), 12);
      }
    }
  });
  test('ve: geometric sequence from sigma_max to sigma_min', () => {
    const s = veDiscretization(5, { sigmaMin: 0.02, sigmaMax: 100 });
    const q = (0.02 / 100) ** (1 / 4);
    s.slice(0, 5).forEach((v, i) => expect(rel(v, 100 * q ** i)).toBeLessThan(1e-12));
    expect(s[5]).toBe(0);
  });
  test('iDDPM u-table: u_M = 0, u_{M-1} and u_0 by hand, decreasing', () => {
    const M = 1000;
    const u = iddpmUTable(M, 0.001, 0.008, 'float64');
    expect(u[M]).toBe(0);
    // u_{M-1} = sqrt(alpha_bar(M)/alpha_bar(M-1) - 1), alpha_bar(j) = sin(pi/2 j/(M (1 + C_2)))^2. The
    // reference rounds alpha_bar to float32 (its j is an integer tensor), which moves u_{M-1} by ~5e-4
    // relative (cancellation in the ratio - 1): the exact reference values are in its fixture (net_sigmas of
    // the iddpm ablation run: first u_j <= 81 and u_{M-1}).
    const ab = (j: number) => Math.sin((0.5 * Math.PI * j) / M / 1.008) ** 2;
    expect(rel(u[M - 1]!, Math.sqrt(ab(M) / ab(M - 1) - 1))).toBeLessThan(1e-3);
    // (1e-6: torch's vectorised float32 sin is not correctly rounded, Math.fround(Math.sin) is.)
    expect(rel(u[M - 1]!, 0.0064224695811984645)).toBeLessThan(1e-6);
    expect(rel(Array.from(u).find((v) => v <= 81)!, 80.20367138711674)).toBeLessThan(1e-6);
    // The clip at C_1 governs u_0: alpha_bar(0) = 0 so u_0 = sqrt((u_1^2 + 1) / C_1 - 1) (C_1 as the float32
    // the reference clips its float32 ratios with).
    expect(rel(u[0]!, Math.sqrt((u[1]! ** 2 + 1) / Math.fround(0.001) - 1))).toBeLessThan(1e-14);
    for (let j = 0; j < M; j++) expect(u[j + 1]!).toBeLessThan(u[j]!);
  });
  test('iddpm: N of the u_j in [sigma_min, sigma_max], first the largest', () => {
    const u = iddpmUTable(1000, 0.001, 0.008, 'float64');
    const inRange = Array.from(u).filter((v) => v >= 0.002 && v <= 81);
    const s = iddpmDiscretization(6);
    expect(s[0]).toBe(inRange[0]);
    expect(s[5]).toBe(inRange[inRange.length - 1]);
    expect(s[6]).toBe(0);
    expect(() => iddpmDiscretization(6, { sigmaMin: 30000, sigmaMax: 40000 })).toThrow(/no iDDPM noise level u_j lies in/);
  });
});

describe('schedules sigma(t) and scalings s(t)', () => {
  test('inverse and derivative of each schedule (finite differences)', () => {
    for (const sch of [vpSchedule(19.9, 0.1), veSchedule(), linearSchedule()]) {
      for (const t of [0.01, 0.3, 0.9]) {
        expect(rel(sch.sigmaInv(sch.sigma(t)), t)).toBeLessThan(1e-9);
        const h = 1e-6;
        const fd = (sch.sigma(t + h) - sch.sigma(t - h)) / (2 * h);
        expect(rel(sch.sigmaDeriv(t), fd)).toBeLessThan(1e-6);
      }
    }
  });
  test('vp scaling s = 1/sqrt(1 + sigma^2) and its derivative; no scaling', () => {
    const sch = vpSchedule(19.9, 0.1);
    const sc = vpScaling(sch);
    const t = 0.4;
    expect(rel(sc.s(t), 1 / Math.sqrt(1 + sch.sigma(t) ** 2))).toBeLessThan(1e-15);
    const h = 1e-6;
    expect(rel(sc.sDeriv(t), (sc.s(t + h) - sc.s(t - h)) / (2 * h))).toBeLessThan(1e-6);
    expect([noScaling().s(0.3), noScaling().sDeriv(0.3)]).toEqual([1, 0]);
  });
});

describe('the noise levels the reference samplers gave the network (fixture net_sigmas)', () => {
  const fx = loadFixture();
  const latents = () => {
    const l = nchwToNhwc(fx.tensor('fixture.latents'));
    return tf.tensor4d(l.data, l.shape);
  };
  const expectSigmas = (got: number[], want: number[], tol: number) => {
    expect(got).toHaveLength(want.length);
    const worst = Math.max(...got.map((g, k) => rel(g, want[k]!)));
    expect(worst).toBeLessThan(tol);
    return worst;
  };

  test('edmSampler, 5 steps deterministic and 6 steps with churn', async () => {
    const x = latents();
    const net = new GaussianDenoiser(0.5, 8, 3);
    (await edmSampler(net, x, { numSteps: 5 })).dispose();
    expectSigmas(net.calls, fx.info['fixture.sample.heun']!.params!.net_sigmas!, 1e-13);
    const churnNet = new GaussianDenoiser(0.5, 8, 3);
    const noise = fx.tensor('fixture.sample.heun_churn.noise');
    const draws = tf.tidy(() => tf.transpose(tf.tensor(Float32Array.from(noise.data), noise.shape) as tf.Tensor, [0, 1, 3, 4, 2])) as tf.Tensor5D;
    const randnLike = replayNoise(draws);
    (await edmSampler(churnNet, x, { numSteps: 6, sChurn: 40, sMin: 0.05, sMax: 50, sNoise: 1.003, randnLike })).dispose();
    expectSigmas(churnNet.calls, fx.info['fixture.sample.heun_churn']!.params!.net_sigmas!, 1e-13);
    expect(randnLike.calls).toBe(6); // one draw per step, as the reference
    tf.dispose([x, draws]);
  });

  const ablations = Object.keys(fx.info).filter((k) => k.startsWith('fixture.sample.ablation.'));
  test.each(ablations)('ablationSampler %s', async (name) => {
    const params = fx.info[name]!.params!;
    const kw = params.kwargs_passed as Record<string, unknown>;
    const x = latents();
    const net = new GaussianDenoiser(0.5, 8, 3);
    // The noise range the reference run used, given explicitly: the fixture's vp runs took the default range
    // with beta_d 19.9, where generate.py's default is 19.1 (tested above).
    const effective = params.effective as unknown as { sigma_min: number; sigma_max: number };
    const opts: AblationSamplerOptions = {
      sigmaMin: effective.sigma_min, sigmaMax: effective.sigma_max,
      numSteps: kw.num_steps as number, solver: kw.solver as 'euler', discretization: kw.discretization as 'edm',
      schedule: kw.schedule as 'linear', scaling: kw.scaling as 'none',
    };
    if (kw.alpha !== undefined) opts.alpha = kw.alpha as number;
    (await ablationSampler(net, x, opts)).dispose();
    // iDDPM: the reference builds its u table with float32 alpha_bar ratios; we reproduce that rounding.
    const worst = expectSigmas(net.calls, params.net_sigmas!, kw.discretization === 'iddpm' ? 1e-6 : 1e-12);
    console.log(`${name}: max relative sigma difference ${worst.toExponential(2)}`);
    x.dispose();
  });
});
