// Preconditioning (paper Table 1): every coefficient against values computed by hand, the forward pass
// D = c_skip x + c_out F(c_in x; c_noise) through a closed-form backbone, VP's sigma(t) and its inverse,
// iDDPM's table and rounding, labels, errors, and no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import { EDMPrecond, IDDPMPrecond, VEPrecond, VPPrecond, type Coefficients, type Precond } from '@edm/core';
import { ToyBackbone } from './helpers/toy';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const expectCoefficients = (got: Coefficients, want: Coefficients) => {
  for (const k of ['cSkip', 'cOut', 'cIn', 'cNoise'] as const) {
    expect(Math.abs(got[k] - want[k]), `${k}: got ${got[k]}, want ${want[k]}`).toBeLessThanOrEqual(2e-7 * Math.max(1, Math.abs(want[k])));
  }
};

describe('coefficients against hand-computed values', () => {
  test('EDM, sigma_data = 0.5', () => {
    const p = new EDMPrecond(new ToyBackbone(1, 0, 3), { imgResolution: 4, imgChannels: 3 });
    // sigma = 2: sigma^2 + sigma_data^2 = 4.25
    expectCoefficients(p.coefficients(2), {
      cSkip: 0.25 / 4.25, cOut: (2 * 0.5) / Math.sqrt(4.25), cIn: 1 / Math.sqrt(4.25), cNoise: Math.log(2) / 4,
    });
    // sigma = 0.5 = sigma_data: c_skip = 1/2, c_out = c_in * sigma_data = 0.5/sqrt(0.5)
    expectCoefficients(p.coefficients(0.5), {
      cSkip: 0.5, cOut: 0.25 / Math.sqrt(0.5), cIn: 1 / Math.sqrt(0.5), cNoise: Math.log(0.5) / 4,
    });
    expect([p.sigmaMin, p.sigmaMax, p.sigmaData, p.className]).toEqual([0, Infinity, 0.5, 'EDMPrecond']);
  });
  test('VP, beta_d 19.9, beta_min 0.1, M 1000', () => {
    const p = new VPPrecond(new ToyBackbone(1, 0, 3), { imgResolution: 4, imgChannels: 3 });
    // sigma = 1: sigma^{-1}(1) = (sqrt(0.1^2 + 2 * 19.9 ln 2) - 0.1) / 19.9
    const tInv = (Math.sqrt(0.01 + 2 * 19.9 * Math.log(2)) - 0.1) / 19.9;
    expectCoefficients(p.coefficients(1), { cSkip: 1, cOut: -1, cIn: 1 / Math.sqrt(2), cNoise: 999 * tInv });
    expect(p.sigmaMax).toBeCloseTo(Math.sqrt(Math.exp(0.5 * 19.9 + 0.1) - 1), 3);
    expect(p.sigmaMin).toBeCloseTo(Math.sqrt(Math.exp(0.5 * 19.9 * 1e-10 + 0.1 * 1e-5) - 1), 8);
  });
  test('VE', () => {
    const p = new VEPrecond(new ToyBackbone(1, 0, 3), { imgResolution: 4, imgChannels: 3 });
    expectCoefficients(p.coefficients(4), { cSkip: 1, cOut: 4, cIn: 1, cNoise: Math.log(2) });
    expect([p.sigmaMin, p.sigmaMax]).toEqual([0.02, 100]);
  });
  test('iDDPM: c_noise = M - 1 - j for the nearest u_j', () => {
    const p = new IDDPMPrecond(new ToyBackbone(1, 0, 6), { imgResolution: 4, imgChannels: 3 });
    const u500 = p.u[500]!;
    expectCoefficients(p.coefficients(u500), { cSkip: 1, cOut: -u500, cIn: 1 / Math.sqrt(u500 ** 2 + 1), cNoise: 499 });
    // Between u_501 and u_500, nearer u_501: index 501, but c_out uses the unrounded sigma.
    const s = 0.8 * p.u[501]! + 0.2 * u500;
    expectCoefficients(p.coefficients(s), { cSkip: 1, cOut: -s, cIn: 1 / Math.sqrt(s * s + 1), cNoise: 498 });
    expect(p.roundSigma(s)).toBe(p.u[501]);
    expect(p.roundSigmaIndex(s)).toBe(501);
    expect(p.roundSigma(1e9)).toBe(p.u[0]);
    // Endpoints: sigma_max = u_0, sigma_min = u_{M-1}, u_M = 0 (float32 values, as the reference's buffer).
    expect(p.u[1000]).toBe(0);
    expect([p.sigmaMax, p.sigmaMin]).toEqual([p.u[0], p.u[999]]);
    // Float32 arithmetic (as the reference's buffer) cancels in alpha_bar ratio - 1 near j = M, so u_{M-1}
    // is within 2e-5 relative of the float64 value 0.0064224696.
    expect(Math.abs(p.sigmaMin / 0.0064224696 - 1)).toBeLessThan(5e-5);
    expect(p.u[0]! / 20291.164840487083 - 1).toBeLessThan(1e-6);
  });
});

describe('VP sigma(t) and sigma^{-1}', () => {
  test('round trip over [epsilon_t, 1] and hand value', () => {
    const p = new VPPrecond(new ToyBackbone(1, 0, 3), { imgResolution: 4, imgChannels: 3 });
    for (const t of [1e-5, 1e-3, 0.1, 0.5, 1]) {
      expect(Math.abs(p.sigmaInv(p.sigma(t)) - t) / t).toBeLessThan(1e-9);
    }
    for (const s of [0.01, 1, 80]) expect(Math.abs(p.sigma(p.sigmaInv(s)) - s) / s).toBeLessThan(1e-9);
    expect(p.sigma(0.5)).toBeCloseTo(Math.sqrt(Math.exp(0.5 * 19.9 * 0.25 + 0.05) - 1), 12);
  });
});

describe('forward: D = c_skip x + c_out F(c_in x; c_noise)', () => {
  const xs = Array.from({ length: 2 * 2 * 2 * 3 }, (_, k) => Math.sin(k + 1));
  const check = (p: Precond, toy: ToyBackbone, sigmas: number[], labelSums = [0, 0]) => {
    const x = tf.tensor4d(xs, [2, 2, 2, 3]);
    const d = p.forward(x, tf.tensor1d(sigmas));
    const got = d.dataSync();
    let worst = 0;
    for (let k = 0; k < xs.length; k++) {
      const n = Math.floor(k / 12);
      const ch = k % 3;
      const c = p.coefficients(sigmas[n]!);
      const want = c.cSkip * xs[k]! + c.cOut * toy.expected(c.cIn * xs[k]!, c.cNoise, ch, labelSums[n]!);
      worst = Math.max(worst, Math.abs(got[k]! - want) / Math.max(1, Math.abs(want)));
    }
    expect(d.shape).toEqual([2, 2, 2, 3]);
    tf.dispose([x, d]);
    return worst;
  };
  test('each preconditioning (per-sample sigma), with max relative error < 1e-6', () => {
    const cases: Array<[Precond, ToyBackbone, number[]]> = [];
    const t1 = new ToyBackbone(0.7, 0.3, 3);
    cases.push([new EDMPrecond(t1, { imgResolution: 2, imgChannels: 3, sigmaData: 0.6 }), t1, [0.3, 7]]);
    const t2 = new ToyBackbone(0.7, 0.001, 3);
    cases.push([new VPPrecond(t2, { imgResolution: 2, imgChannels: 3 }), t2, [0.3, 7]]);
    const t3 = new ToyBackbone(0.7, 0.3, 3);
    cases.push([new VEPrecond(t3, { imgResolution: 2, imgChannels: 3 }), t3, [0.3, 7]]);
    const t4 = new ToyBackbone(0.7, 0.001, 6); // iDDPM: 2C outputs; D uses channels 0..C-1
    cases.push([new IDDPMPrecond(t4, { imgResolution: 2, imgChannels: 3 }), t4, [0.3, 7]]);
    for (const [p, toy, sigmas] of cases) expect(check(p, toy, sigmas), p.className).toBeLessThan(1e-6);
  });
  test('sigma as a number, a [N, 1, 1, 1] tensor or a 1-element tensor gives the same D; c_noise is [N]', () => {
    const toy = new ToyBackbone(0.5, 0.2, 3);
    const p = new EDMPrecond(toy, { imgResolution: 2, imgChannels: 3 });
    const x = tf.tensor4d(xs, [2, 2, 2, 3]);
    const a = p.forward(x, 1.5);
    expect(toy.lastNoiseLabels).toHaveLength(2);
    const b = p.forward(x, tf.fill([2, 1, 1, 1], 1.5));
    const c = p.forward(x, tf.scalar(1.5));
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(Array.from(c.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b, c]);
  });
  test('class labels: zeros when conditional and none given, [N, labelDim] passed through; none when labelDim = 0', () => {
    const toy = new ToyBackbone(0.5, 0.2, 3);
    const p = new EDMPrecond(toy, { imgResolution: 2, imgChannels: 3, labelDim: 4 });
    expect(check(p, toy, [1, 2])).toBeLessThan(1e-6); // zeros: label sum 0
    const x = tf.tensor4d(xs, [2, 2, 2, 3]);
    const labels = tf.tensor2d([[0, 1, 0, 0], [0, 0, 0, 3]]);
    const d = p.forward(x, 1, labels);
    const c = p.coefficients(1);
    expect(d.dataSync()[12]!).toBeCloseTo(c.cSkip * xs[12]! + c.cOut * toy.expected(c.cIn * xs[12]!, c.cNoise, 0, 3), 5);
    expect(() => p.forward(x, 1, tf.zeros([2, 3]) as tf.Tensor2D)).toThrow(/classLabels must have shape \[2, 4\].*got \[2, 3\]/);
    tf.dispose([x, labels, d]);
  });
  test('training flag and augment labels reach the backbone', () => {
    const toy = new ToyBackbone(0.5, 0.2, 3);
    const p = new VEPrecond(toy, { imgResolution: 2, imgChannels: 3 });
    const x = tf.tensor4d(xs, [2, 2, 2, 3]);
    const aug = tf.ones([2, 9]) as tf.Tensor2D;
    tf.dispose(p.forward(x, 1, null, aug, { training: true }));
    expect(toy.lastTraining).toBe(true);
    expect(toy.lastAugmentLabels).toBe(aug);
    tf.dispose([x, aug]);
  });
});

describe('errors name the tensor or option and expected vs got', () => {
  const toy = new ToyBackbone(1, 0, 3);
  const p = new EDMPrecond(toy, { imgResolution: 4, imgChannels: 3 });
  test('x not NHWC', () => {
    const x = tf.zeros([2, 3, 4, 4]) as tf.Tensor4D;
    expect(() => p.forward(x, 1)).toThrow(/EDMPrecond.forward: tensor x must have shape \[N, 4, 4, 3\] \(NHWC\), got \[2, 3, 4, 4\].*NCHW/);
    x.dispose();
  });
  test('sigma of the wrong size; backbone output of the wrong shape; bad options', () => {
    const x = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
    expect(() => p.forward(x, tf.ones([3]))).toThrow(/sigma must have N = 2 elements.*got shape \[3\]/);
    const bad = new EDMPrecond(new ToyBackbone(1, 0, 2), { imgResolution: 4, imgChannels: 3 });
    expect(() => bad.forward(x, 1)).toThrow(/F_x must have shape \[N, 4, 4, 3\].*got \[2, 4, 4, 2\]/);
    expect(() => new EDMPrecond(toy, { imgResolution: 0, imgChannels: 3 })).toThrow(/imgResolution must be an integer >= 1, got 0/);
    expect(() => new EDMPrecond(toy, { imgResolution: 4, imgChannels: 3, sigmaData: -1 })).toThrow(/sigmaData must be a finite number > 0/);
    expect(() => new VEPrecond(toy, { imgResolution: 4, imgChannels: 3, sigmaMin: 5, sigmaMax: 1 })).toThrow(/sigmaMin < sigmaMax/);
    x.dispose();
  });
});

test('no tensor leaks: forward adds exactly its result; coefficients add nothing', () => {
  const x = tf.ones([2, 2, 2, 3]) as tf.Tensor4D;
  for (const p of [
    new EDMPrecond(new ToyBackbone(1, 1, 3), { imgResolution: 2, imgChannels: 3, labelDim: 2 }),
    new VPPrecond(new ToyBackbone(1, 1, 3), { imgResolution: 2, imgChannels: 3 }),
    new VEPrecond(new ToyBackbone(1, 1, 3), { imgResolution: 2, imgChannels: 3 }),
    new IDDPMPrecond(new ToyBackbone(1, 1, 6), { imgResolution: 2, imgChannels: 3 }),
  ]) {
    const before = tf.memory().numTensors;
    const d = p.forward(x, 2.5);
    expect(tf.memory().numTensors).toBe(before + 1);
    d.dispose();
    p.coefficients(1);
    expect(tf.memory().numTensors).toBe(before);
  }
  x.dispose();
});
