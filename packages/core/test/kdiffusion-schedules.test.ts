// Noise schedules (packages/core/src/schedules): closed forms, endpoints, monotonicity, the final step to 0,
// and errors that name the option.
import { describe, expect, test } from 'vitest';
import { edmDiscretization } from '../src/discretization/edm';
import { checkSigmas, exponential, karras, polyexponential, vp, withFinalZero } from '../src/schedules';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('karras (paper eq. 5)', () => {
  test('is the EDM discretization: endpoints, n + 1 values, uniform in sigma^(1/rho)', () => {
    const s = karras(18, 0.002, 80, 7);
    expect(s).toHaveLength(19);
    expect(s).toEqual(edmDiscretization(18, { sigmaMin: 0.002, sigmaMax: 80, rho: 7 }));
    expect(rel(s[0]!, 80)).toBeLessThan(1e-14);
    expect(rel(s[17]!, 0.002)).toBeLessThan(1e-12);
    expect(s[18]).toBe(0);
    const inv = s.slice(0, 18).map((v) => v ** (1 / 7));
    const step = inv[1]! - inv[0]!;
    for (let i = 1; i < 18; i++) expect(Math.abs(inv[i]! - inv[i - 1]! - step)).toBeLessThan(1e-12);
  });
  test('rho = 1 is uniform in sigma', () => {
    const s = karras(5, 1, 5, 1);
    [5, 4, 3, 2, 1, 0].forEach((v, i) => expect(s[i]).toBeCloseTo(v, 12));
  });
});

describe('exponential / polyexponential / vp (k-diffusion get_sigmas_*)', () => {
  test('exponential is uniform in ln sigma', () => {
    const s = exponential(9, 0.01, 100);
    expect(s).toHaveLength(10);
    expect(s[9]).toBe(0);
    for (let i = 0; i < 9; i++) expect(rel(s[i]!, 100 * 10 ** (-i / 2))).toBeLessThan(1e-12);
  });
  test('polyexponential with rho = 1 equals exponential; rho = 2 puts more levels at low noise', () => {
    const a = polyexponential(12, 0.002, 80, 1);
    const b = exponential(12, 0.002, 80);
    a.forEach((v, i) => expect(rel(v + 1e-300, b[i]! + 1e-300)).toBeLessThan(1e-12));
    const c = polyexponential(12, 0.002, 80, 2);
    // ln sigma_i = ln sigma_min + (1 - i/11)^2 (ln sigma_max - ln sigma_min)
    c.slice(0, 12).forEach((v, i) => expect(rel(Math.log(v), Math.log(0.002) + (1 - i / 11) ** 2 * Math.log(80 / 0.002)))
      .toBeLessThan(1e-12));
    expect(c[6]!).toBeLessThan(b[6]!);
  });
  test('vp: sigma(t) = sqrt(exp(beta_d t^2 / 2 + beta_min t) - 1) at t = 1 .. epsilon_s', () => {
    const s = vp(3);
    const sigma = (t: number) => Math.sqrt(Math.exp(19.9 * t * t / 2 + 0.1 * t) - 1);
    expect(rel(s[0]!, sigma(1))).toBeLessThan(1e-12); // 152.0...
    expect(rel(s[1]!, sigma((1 + 1e-3) / 2))).toBeLessThan(1e-12);
    expect(rel(s[2]!, sigma(1e-3))).toBeLessThan(1e-9); // ~0.0100
    expect(s[3]).toBe(0);
  });
  test('every schedule is strictly decreasing and passes the samplers\' check', () => {
    for (const s of [karras(30), exponential(30), polyexponential(30, 0.002, 80, 3), vp(30)]) {
      expect(checkSigmas('test', s)).toEqual(s);
    }
  });
});

describe('the final step to sigma = 0', () => {
  test('exactly one 0 is appended after sigma_min: the last interval is sigma_min itself', () => {
    expect(withFinalZero([3, 2, 1])).toEqual([3, 2, 1, 0]);
    expect(withFinalZero([3, 2, 0])).toEqual([3, 2, 0]);
    for (const s of [karras(18), exponential(18), polyexponential(18, 0.002, 80, 2)]) {
      expect(s.filter((v) => v === 0)).toHaveLength(1);
      expect(s[17]! - s[18]!).toBeCloseTo(0.002, 12);
    }
  });
  test('karras rho = 7 (the default): the step sigma_min -> 0 is no larger than the step before it up to n = 35', () => {
    // Log-uniform schedules (exponential) end with gaps sigma_min (e^Delta - 1) < sigma_min once n > ~16: there
    // the last interval is the largest near the end, which is harmless because every sampler takes it as the
    // exact limit x = D(x; sigma_min) (tested in kdiffusion-order.test.ts), not as a stepped ODE interval.
    for (const n of [2, 3, 5, 10, 18, 35]) {
      const s = karras(n);
      expect(s[n - 1]! - s[n]!).toBeLessThanOrEqual(s[n - 2]! - s[n - 1]!);
    }
  });
});

describe('errors name the option', () => {
  test('schedules', () => {
    expect(() => karras(0)).toThrow(/numSteps must be an integer >= 1, got 0/);
    expect(() => karras(10, 1, 0.5)).toThrow(/sigmaMin < sigmaMax/);
    expect(() => karras(10, 0.002, 80, -1)).toThrow(/rho must be a finite number > 0, got -1/);
    expect(() => exponential(1.5)).toThrow(/n must be an integer >= 1, got 1.5/);
    expect(() => polyexponential(10, 0, 80)).toThrow(/sigmaMin/);
    expect(() => vp(10, { epsilonS: 2 })).toThrow(/epsilonS must be in \(0, 1\), got 2/);
  });
  test('checkSigmas', () => {
    expect(() => checkSigmas('s', [1])).toThrow(/at least 2 noise levels/);
    expect(() => checkSigmas('s', [1, 2, 0])).toThrow(/strictly decreasing/);
    expect(() => checkSigmas('s', [2, 0, 0])).toThrow(/sigmas\[1\] must be finite and > 0/);
    expect(() => checkSigmas('s', [2, NaN])).toThrow(/sigmas\[1\]/);
  });
});
