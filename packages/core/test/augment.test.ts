// The non-leaking augment pipe (paper Appendix F.2): identity at p = 0, x-flips against tf.reverse, the labels
// against the transform actually applied (reconstructed in float64 from the labels alone and checked on
// coordinate images, where bilinear resampling is exact), gate frequencies against p, the resampler against
// exact rotations and reflect-padded shifts, determinism, the loss hook, errors and leaks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  AUGMENT_DIM, EDMAugmentPipe, EDMLoss, EDMPrecond, affineWarp, seededRandomSource,
} from '@edm/core';
import { ToyBackbone } from './helpers/toy';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ONLY_XFLIP = { xflip: 1e8, yflip: 0, scale: 0, rotateFrac: 0, aniso: 0, translateFrac: 0 };

function randomImages(n: number, h: number, w: number, c: number, seed = 3): tf.Tensor4D {
  return seededRandomSource(seed).normal([n, h, w, c]) as tf.Tensor4D;
}

/** Images whose channel 0 is the pixel's column x and channel 1 its row y. */
function coordinateImages(n: number, size: number): tf.Tensor4D {
  const data = new Float32Array(n * size * size * 2);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const k = ((b * size + y) * size + x) * 2;
        data[k] = x;
        data[k + 1] = y;
      }
    }
  }
  return tf.tensor4d(data, [n, size, size, 2]);
}

describe('EDMAugmentPipe', () => {
  test('p = 0: images unchanged (bit-exact), labels all zero, shapes and dtypes', () => {
    const images = randomImages(5, 8, 6, 3);
    const { images: out, augmentLabels } = new EDMAugmentPipe({ p: 0 }).call(images, { random: seededRandomSource(1) });
    expect(out.shape).toEqual([5, 8, 6, 3]);
    expect(out.dtype).toBe('float32');
    expect(augmentLabels.shape).toEqual([5, AUGMENT_DIM]);
    expect(augmentLabels.dtype).toBe('float32');
    expect(Array.from(out.dataSync())).toEqual(Array.from(images.dataSync()));
    expect(Array.from(augmentLabels.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([images, out, augmentLabels]);
  });

  test('x-flip only: flipped images equal tf.reverse along W exactly, label 0 says which', () => {
    const n = 16;
    const images = randomImages(n, 5, 7, 2);
    const pipe = new EDMAugmentPipe({ p: 0.12, ...ONLY_XFLIP });
    const { images: out, augmentLabels } = pipe.call(images, { random: seededRandomSource(11) });
    const labels = augmentLabels.arraySync();
    const reversed = tf.reverse(images, 2);
    const outRows = out.arraySync();
    const flips = labels.map((l) => l[0]);
    expect(flips.every((f) => f === 0 || f === 1)).toBe(true);
    expect(flips.filter((f) => f === 1).length).toBeGreaterThan(0);
    expect(flips.filter((f) => f === 0).length).toBeGreaterThan(0);
    labels.forEach((l) => expect(l.slice(1).every((v) => v === 0)).toBe(true));
    const inRows = images.arraySync();
    const revRows = reversed.arraySync();
    for (let b = 0; b < n; b++) expect(outRows[b]).toEqual(flips[b] === 1 ? revRows[b] : inRows[b]);
    tf.dispose([images, out, augmentLabels, reversed]);
  });

  test('labels encode the applied transform: coordinate images match q = A(p - c - t) + c rebuilt from the labels', () => {
    const n = 24;
    const size = 16;
    const images = coordinateImages(n, size);
    // p = 1 applies every transform to every image; larger spreads make each component visible.
    const pipe = new EDMAugmentPipe({ p: 1, scaleStd: 0.3, anisoStd: 0.3, translateFracStd: 0.1 });
    const { images: out, augmentLabels } = pipe.call(images, { random: seededRandomSource(5) });
    const labels = augmentLabels.arraySync();
    const data = out.dataSync();
    const c = (size - 1) / 2;
    let checked = 0;
    let maxErr = 0;
    for (let b = 0; b < n; b++) {
      const [fx, fy, s, cm1, sin, a5, a6, tx, ty] = labels[b]!;
      expect(fx === 0 || fx === 1).toBe(true);
      expect(fy === 0 || fy === 1).toBe(true);
      expect((cm1! + 1) ** 2 + sin! ** 2).toBeCloseTo(1, 5);
      // A = F 2^-s R(theta)^-1 2^-M, M = [[a5, a6], [a6, -a5]] (traceless symmetric log2 of the stretch).
      const f = [1 - 2 * fx!, 1 - 2 * fy!];
      const k = 2 ** -s!;
      const cos = cm1! + 1;
      const rInv = [[cos, sin!], [-sin!, cos]];
      const r = Math.hypot(a5!, a6!);
      const ch = Math.cosh(r * Math.LN2);
      const sh = r > 0 ? Math.sinh(r * Math.LN2) / r : 0;
      const aInv = [[ch - sh * a5!, -sh * a6!], [-sh * a6!, ch + sh * a5!]];
      const m = [0, 1].map((i) => [0, 1].map((j) => f[i]! * k * (rInv[i]![0]! * aInv[0]![j]! + rInv[i]![1]! * aInv[1]![j]!)));
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const dx = x - c - tx! * size;
          const dy = y - c - ty! * size;
          const qx = m[0]![0]! * dx + m[0]![1]! * dy + c;
          const qy = m[1]![0]! * dx + m[1]![1]! * dy + c;
          if (qx < 0 || qx > size - 1 || qy < 0 || qy > size - 1) continue; // reflect padding region
          const kk = ((b * size + y) * size + x) * 2;
          maxErr = Math.max(maxErr, Math.abs(data[kk]! - qx), Math.abs(data[kk + 1]! - qy));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(n * size * size * 0.3);
    expect(maxErr).toBeLessThan(2e-5); // measured 2.0e-6 (float32 coordinates up to 15)
    // Every component was exercised.
    for (const col of [2, 3, 4, 5, 6, 7, 8]) expect(labels.some((l) => Math.abs(l[col]!) > 0.01)).toBe(true);
    tf.dispose([images, out, augmentLabels]);
  });

  test('each transform is applied with probability min(1, multiplier p); x-flips mirror half of the time', () => {
    const n = 4000;
    const images = tf.zeros([n, 2, 2, 1]) as tf.Tensor4D;
    const p = 0.12;
    const { images: out, augmentLabels } = new EDMAugmentPipe({ p }).call(images, { random: seededRandomSource(9) });
    const l = augmentLabels.arraySync();
    const rate = (f: (row: number[]) => boolean) => l.filter(f).length / n;
    const tol = (q: number) => 4 * Math.sqrt(q * (1 - q) / n);
    expect(Math.abs(rate((r) => r[0] === 1) - 0.5)).toBeLessThan(tol(0.5)); // gate 1e8 p >= 1, then a fair coin
    expect(Math.abs(rate((r) => r[1] === 1) - p / 2)).toBeLessThan(tol(p / 2));
    expect(Math.abs(rate((r) => r[2] !== 0) - p)).toBeLessThan(tol(p));
    expect(Math.abs(rate((r) => r[4] !== 0) - p)).toBeLessThan(tol(p));
    expect(Math.abs(rate((r) => r[5] !== 0 || r[6] !== 0) - p)).toBeLessThan(tol(p));
    expect(Math.abs(rate((r) => r[7] !== 0) - p)).toBeLessThan(tol(p));
    // Spreads: s ~ N(0, 0.2^2), tx ~ N(0, 0.125^2) where applied.
    const std = (vals: number[]) => Math.sqrt(vals.reduce((a, v) => a + v * v, 0) / vals.length);
    const s = l.map((r) => r[2]!).filter((v) => v !== 0);
    const tx = l.map((r) => r[7]!).filter((v) => v !== 0);
    expect(Math.abs(std(s) - 0.2)).toBeLessThan(0.2 * 4 / Math.sqrt(2 * s.length));
    expect(Math.abs(std(tx) - 0.125)).toBeLessThan(0.125 * 4 / Math.sqrt(2 * tx.length));
    tf.dispose([images, out, augmentLabels]);
  });

  test('deterministic given the random source seed; another seed differs', () => {
    const images = randomImages(4, 8, 8, 3);
    const pipe = new EDMAugmentPipe({ p: 0.5 });
    const a = pipe.call(images, { random: seededRandomSource(42) });
    const b = pipe.call(images, { random: seededRandomSource(42) });
    const c = pipe.call(images, { random: seededRandomSource(43) });
    expect(Array.from(a.images.dataSync())).toEqual(Array.from(b.images.dataSync()));
    expect(Array.from(a.augmentLabels.dataSync())).toEqual(Array.from(b.augmentLabels.dataSync()));
    expect(Array.from(a.augmentLabels.dataSync())).not.toEqual(Array.from(c.augmentLabels.dataSync()));
    tf.dispose([images, a.images, a.augmentLabels, b.images, b.augmentLabels, c.images, c.augmentLabels]);
  });

  test('no tensor leaks across calls', () => {
    const images = randomImages(3, 8, 8, 3);
    const pipe = new EDMAugmentPipe({ p: 1, random: seededRandomSource(0) });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const r = pipe.call(images);
      tf.dispose([r.images, r.augmentLabels]);
    }
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });

  test('hook(): EDMLoss feeds the [N, 9] augment labels to the network', () => {
    const toy = new ToyBackbone(0.5, 0.1, 3);
    const net = new EDMPrecond(toy, { imgResolution: 4, imgChannels: 3 });
    const images = randomImages(2, 4, 4, 3);
    const pipe = new EDMAugmentPipe({ p: 1 });
    const loss = new EDMLoss({ random: seededRandomSource(1) }).call(net, images, { augmentPipe: pipe.hook(seededRandomSource(2)) });
    expect(toy.lastAugmentLabels?.shape).toEqual([2, 9]);
    expect(loss.shape).toEqual([2, 4, 4, 3]);
    tf.dispose([images, loss]);
  });

  test('bad options and inputs: clear errors naming the option or tensor', () => {
    expect(() => new EDMAugmentPipe({ p: 1.5 })).toThrow('EDMAugmentPipe: option p (augment probability) must be in [0, 1], got 1.5');
    expect(() => new EDMAugmentPipe({ p: -0.1 })).toThrow('EDMAugmentPipe: option p must be a finite number >= 0, got -0.1');
    expect(() => new EDMAugmentPipe({ xflip: Number.NaN })).toThrow('EDMAugmentPipe: option xflip must be a finite number >= 0, got NaN');
    expect(() => new EDMAugmentPipe({ anisoRotateProb: 2 })).toThrow('option anisoRotateProb must be in [0, 1], got 2');
    const pipe = new EDMAugmentPipe({ p: 0.1 });
    const rank3 = tf.zeros([4, 4, 3]);
    const ints = tf.zeros([1, 4, 4, 3], 'int32');
    expect(() => pipe.call(rank3 as unknown as tf.Tensor4D)).toThrow(/EDMAugmentPipe\.call: .*images/);
    expect(() => pipe.call(ints as tf.Tensor4D)).toThrow('EDMAugmentPipe.call: tensor images must be float32, got int32');
    tf.dispose([rank3, ints]);
  });
});

describe('affineWarp', () => {
  test('a quarter turn equals the exact pixel permutation (up to float32 cos(pi/2))', () => {
    const images = randomImages(2, 6, 6, 2);
    const c = Math.cos(Math.PI / 2);
    const s = Math.sin(Math.PI / 2);
    // A = R(theta)^-1: output (x, y) reads input (c x + s y, -s x + c y) about the centre: (y, W-1-x).
    const inverse = tf.tensor3d([c, s, -s, c, c, s, -s, c], [2, 2, 2]);
    const t = tf.zeros([2, 2]) as tf.Tensor2D;
    const out = affineWarp(images, inverse, t);
    const src = images.arraySync();
    const got = out.arraySync();
    let maxErr = 0;
    for (let b = 0; b < 2; b++) {
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 6; x++) {
          for (let k = 0; k < 2; k++) maxErr = Math.max(maxErr, Math.abs(got[b]![y]![x]![k]! - src[b]![5 - x]![y]![k]!));
        }
      }
    }
    expect(maxErr).toBeLessThan(1e-5);
    tf.dispose([images, inverse, t, out]);
  });

  test('integer shifts with reflect padding (..., 2, 1 | 0, 1, ... | W-2, ...) and half-pixel shifts average neighbours', () => {
    const w = 5;
    const row = [10, 20, 30, 40, 50];
    const images = tf.tensor4d(row, [1, 1, w, 1]);
    const identity = tf.tensor3d([1, 0, 0, 1], [1, 2, 2]);
    const reflect = (i: number) => (i < 0 ? -i : i > w - 1 ? 2 * (w - 1) - i : i);
    for (const shift of [2, -3]) {
      const t = tf.tensor2d([shift, 0], [1, 2]);
      const out = affineWarp(images, identity, t);
      expect(Array.from(out.dataSync())).toEqual(row.map((_, x) => row[reflect(x - shift)]!));
      tf.dispose([t, out]);
    }
    const half = tf.tensor2d([0.5, 0], [1, 2]);
    const out = affineWarp(images, identity, half);
    expect(Array.from(out.dataSync())).toEqual([15, 15, 25, 35, 45]);
    tf.dispose([images, identity, half, out]);
  });
});
