// Losses (reference training/loss.py): the per-pixel weighted loss against values computed by hand through a
// closed-form backbone, given draws (rnd, eps); the order of draws from an injected random source; the
// augment pipe hook; gradients; errors; leaks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  EDMLoss, EDMPrecond, VELoss, VEPrecond, VPLoss, VPPrecond, seededRandomSource, type Loss, type Precond,
} from '@edm/core';
import { ToyBackbone } from './helpers/toy';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 2;
const SHAPE: [number, number, number, number] = [N, 2, 2, 3];
const IMAGES = Array.from({ length: 24 }, (_, k) => Math.cos(3 * k) * 0.9);
const EPS = Array.from({ length: 24 }, (_, k) => Math.sin(7 * k + 1) * 1.3);
const RND = [-0.4, 1.1];

/** The loss by hand for sample-wise sigma and weight. */
function handLoss(p: Precond, toy: ToyBackbone, sigma: number[], weight: number[]): number[] {
  return IMAGES.map((y, k) => {
    const n = Math.floor(k / 12);
    const xn = y + EPS[k]! * sigma[n]!;
    const c = p.coefficients(sigma[n]!);
    const d = c.cSkip * xn + c.cOut * toy.expected(c.cIn * xn, c.cNoise, k % 3);
    return weight[n]! * (d - y) ** 2;
  });
}

function run(loss: Loss, p: Precond, rndValues: number[] = RND): number[] {
  const images = tf.tensor4d(IMAGES, SHAPE);
  const rnd = tf.tensor1d(rndValues);
  const eps = tf.tensor4d(EPS, SHAPE);
  const out = loss.call(p, images, { rnd, eps });
  expect(out.shape).toEqual(SHAPE);
  const v = Array.from(out.dataSync());
  tf.dispose([images, rnd, eps, out]);
  return v;
}

const maxRel = (got: number[], want: number[]) =>
  Math.max(...got.map((g, k) => Math.abs(g - want[k]!) / Math.max(1e-3, Math.abs(want[k]!))));

describe('per-pixel loss against hand-computed values (given rnd and eps)', () => {
  test('EDMLoss: sigma = exp(rnd P_std + P_mean), weight (sigma^2 + sigma_data^2) / (sigma sigma_data)^2', () => {
    const toy = new ToyBackbone(0.8, 0.1, 3);
    const p = new EDMPrecond(toy, { imgResolution: 2, imgChannels: 3 });
    const sigma = RND.map((r) => Math.exp(r * 1.2 - 1.2));
    const weight = sigma.map((s) => (s * s + 0.25) / (s * 0.5) ** 2);
    const err = maxRel(run(new EDMLoss(), p), handLoss(p, toy, sigma, weight));
    expect(err).toBeLessThan(2e-6);
    // non-default P_mean, P_std, sigma_data
    const p2 = new EDMPrecond(toy, { imgResolution: 2, imgChannels: 3, sigmaData: 0.3 });
    const s2 = RND.map((r) => Math.exp(r * 0.5 + 0.2));
    const w2 = s2.map((s) => (s * s + 0.09) / (s * 0.3) ** 2);
    expect(maxRel(run(new EDMLoss({ PMean: 0.2, PStd: 0.5, sigmaData: 0.3 }), p2), handLoss(p2, toy, s2, w2))).toBeLessThan(2e-6);
  });
  test('VPLoss: t = 1 + rnd (epsilon_t - 1), sigma = sigma_VP(t), weight 1/sigma^2', () => {
    const toy = new ToyBackbone(0.8, 0.001, 3);
    const p = new VPPrecond(toy, { imgResolution: 2, imgChannels: 3 });
    const rndU = [0.25, 0.9];
    const sigma = rndU.map((r) => {
      const t = 1 + r * (1e-5 - 1);
      return Math.sqrt(Math.exp(0.5 * 19.9 * t * t + 0.1 * t) - 1);
    });
    const err = maxRel(run(new VPLoss(), p, rndU), handLoss(p, toy, sigma, sigma.map((s) => 1 / s ** 2)));
    expect(err).toBeLessThan(2e-5);
  });
  test('VELoss: sigma = sigma_min (sigma_max / sigma_min)^rnd, weight 1/sigma^2', () => {
    const toy = new ToyBackbone(0.8, 0.1, 3);
    const p = new VEPrecond(toy, { imgResolution: 2, imgChannels: 3 });
    const rndU = [0.25, 0.9];
    const sigma = rndU.map((r) => 0.02 * 5000 ** r);
    const err = maxRel(run(new VELoss(), p, rndU), handLoss(p, toy, sigma, sigma.map((s) => 1 / s ** 2)));
    expect(err).toBeLessThan(2e-5);
  });
});

describe('random draws come from the injected source, in the reference order (rnd, then eps)', () => {
  test.each([
    ['EDMLoss', (r: ReturnType<typeof seededRandomSource>) => new EDMLoss({ random: r }), 'normal'],
    ['VPLoss', (r: ReturnType<typeof seededRandomSource>) => new VPLoss({ random: r }), 'uniform'],
    ['VELoss', (r: ReturnType<typeof seededRandomSource>) => new VELoss({ random: r }), 'uniform'],
  ] as const)('%s', (_name, make, rndKind) => {
    const toy = new ToyBackbone(0.8, 0.001, 3);
    const p = new VEPrecond(toy, { imgResolution: 2, imgChannels: 3, sigmaMin: 1e-3, sigmaMax: 1e3 });
    const images = tf.tensor4d(IMAGES, SHAPE);
    const drawn = make(seededRandomSource(42)).call(p, images);
    const replay = seededRandomSource(42);
    const rnd = rndKind === 'normal' ? replay.normal([N, 1, 1, 1]) : replay.uniform([N, 1, 1, 1]);
    const eps = replay.normal(SHAPE) as tf.Tensor4D;
    const given = make(seededRandomSource(7)).call(p, images, { rnd, eps });
    expect(Array.from(drawn.dataSync())).toEqual(Array.from(given.dataSync()));
    tf.dispose([images, drawn, rnd, eps, given]);
  });
});

test('augment pipe: the loss is taken on the augmented images, whose labels reach the network', () => {
  const toy = new ToyBackbone(0.8, 0.1, 3);
  const p = new EDMPrecond(toy, { imgResolution: 2, imgChannels: 3 });
  const images = tf.tensor4d(IMAGES, SHAPE);
  const flippedData = tf.tidy(() => tf.reverse(images, 2)).dataSync();
  const augLabels = tf.tensor2d([[1, 0], [0, 1]]);
  const loss = new EDMLoss();
  const rnd = tf.tensor1d(RND);
  const eps = tf.tensor4d(EPS, SHAPE);
  const out = loss.call(p, images, {
    rnd, eps, augmentPipe: (x) => ({ images: tf.reverse(x, 2) as tf.Tensor4D, augmentLabels: augLabels }),
  });
  expect(toy.lastAugmentLabels).toBe(augLabels);
  expect(toy.lastTraining).toBe(true);
  // Hand value for element 0 of the flipped images, with the augment labels' sum (1) added by the toy F.
  const sigma = Math.exp(RND[0]! * 1.2 - 1.2);
  const y = flippedData[0]!;
  const xn = y + EPS[0]! * sigma;
  const c = p.coefficients(sigma);
  const d = c.cSkip * xn + c.cOut * toy.expected(c.cIn * xn, c.cNoise, 0, 0, 1);
  const want = ((sigma ** 2 + 0.25) / (sigma * 0.5) ** 2) * (d - y) ** 2;
  expect(Math.abs(out.dataSync()[0]! - want) / want).toBeLessThan(2e-6);
  tf.dispose([images, augLabels, rnd, eps, out]);
});

test('gradients flow through the loss to backbone variables; no leaks', () => {
  const w = tf.variable(tf.scalar(0.8));
  const backbone = {
    apply: (x: tf.Tensor4D) => tf.mul(x, w) as tf.Tensor4D,
  };
  const p = new EDMPrecond(backbone, { imgResolution: 2, imgChannels: 3 });
  const images = tf.tensor4d(IMAGES, SHAPE);
  const rnd = tf.tensor1d(RND);
  const eps = tf.tensor4d(EPS, SHAPE);
  const loss = new EDMLoss();
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => tf.sum(loss.call(p, images, { rnd, eps })) as tf.Scalar, [w]);
  // d/dw sum weight (c_skip x + c_out w c_in x - y)^2 = sum 2 weight (D - y) c_out c_in x, by hand:
  let want = 0;
  IMAGES.forEach((y, k) => {
    const s = Math.exp(RND[Math.floor(k / 12)]! * 1.2 - 1.2);
    const c = p.coefficients(s);
    const xn = y + EPS[k]! * s;
    const d = c.cSkip * xn + c.cOut * 0.8 * c.cIn * xn;
    want += 2 * ((s * s + 0.25) / (s * 0.5) ** 2) * (d - y) * c.cOut * c.cIn * xn;
  });
  expect(Math.abs(grads[w.name]!.dataSync()[0]! - want) / Math.abs(want)).toBeLessThan(1e-5);
  tf.dispose([value, grads[w.name]!]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([images, rnd, eps, w]);
});

test('errors name the tensor and expected vs got', () => {
  const p = new EDMPrecond(new ToyBackbone(1, 0, 3), { imgResolution: 2, imgChannels: 3 });
  const images = tf.tensor4d(IMAGES, SHAPE);
  const loss = new EDMLoss();
  expect(() => loss.call(p, images, { rnd: tf.ones([3]) })).toThrow(/EDMLoss.call: tensor rnd must have shape \[2\] or \[2, 1, 1, 1\].*got \[3\]/);
  expect(() => loss.call(p, images, { eps: tf.ones([2, 2, 2, 1]) as tf.Tensor4D })).toThrow(/tensor eps must have the images' shape \[2, 2, 2, 3\], got \[2, 2, 2, 1\]/);
  expect(() => loss.call(p, tf.ones([2, 3, 2, 2]) as tf.Tensor4D)).toThrow(/tensor images must have shape \[N, H, W, 3\] \(NHWC\), got \[2, 3, 2, 2\]/);
  expect(() => new VELoss({ sigmaMin: 10, sigmaMax: 1 })).toThrow(/sigmaMin < sigmaMax/);
  expect(() => new EDMLoss({ sigmaData: 0 })).toThrow(/sigmaData must be a finite number > 0, got 0/);
  images.dispose();
});
