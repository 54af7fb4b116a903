// Seeded noise: the xoshiro128** stream against the reference implementation's known answers, the normal and
// uniform draws' statistics, per-sample seeds independent of the batch, replay and recording of draws.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import { StackedRandomGenerator, Xoshiro128, recordNoise, replayNoise, seededRandomSource } from '@edm/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Xoshiro128', () => {
  test('xoshiro128** from state {1, 2, 3, 4} gives the reference implementation\'s outputs', () => {
    // Blackman & Vigna's xoshiro128starstar.c v1.1 (also the Rust rand_xoshiro reference test).
    const g = Xoshiro128.fromState(1, 2, 3, 4);
    const want = [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804];
    expect(want.map(() => g.nextUint32())).toEqual(want);
  });
  test('standard normal moments and uniform range over 200k draws', () => {
    const g = new Xoshiro128(123);
    const n = 200_000;
    let m1 = 0, m2 = 0, m4 = 0, tail = 0;
    for (let k = 0; k < n; k++) {
      const z = g.normal();
      m1 += z; m2 += z * z; m4 += z ** 4;
      if (Math.abs(z) > 1.959964) tail++;
    }
    m1 /= n; m2 /= n; m4 /= n;
    // standard errors: mean 1/sqrt(n) = 0.0022, var sqrt(2/n) = 0.0032, 4th moment sqrt(96/n) = 0.022
    expect(Math.abs(m1)).toBeLessThan(0.01);
    expect(Math.abs(m2 - 1)).toBeLessThan(0.015);
    expect(Math.abs(m4 - 3)).toBeLessThan(0.1);
    expect(Math.abs(tail / n - 0.05)).toBeLessThan(0.003);
    const u = new Xoshiro128(5).fillUniform(new Float32Array(100_000));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(u.reduce((a, b) => a + b, 0) / u.length - 0.5)).toBeLessThan(0.005);
  });
  test('different seeds and streams give different sequences', () => {
    const a = new Xoshiro128(1).nextUint32();
    expect(new Xoshiro128(2).nextUint32()).not.toBe(a);
    expect(new Xoshiro128(1, 1).nextUint32()).not.toBe(a);
    expect(new Xoshiro128(1).nextUint32()).toBe(a);
  });
});

describe('StackedRandomGenerator (per-sample seeds)', () => {
  test('sample i gets the same draws alone or in a batch of 4, call after call', () => {
    const batch = new StackedRandomGenerator([10, 11, 12, 13]);
    const alone = new StackedRandomGenerator([12]);
    for (let call = 0; call < 3; call++) {
      const b = batch.randn([4, 3, 3, 2]);
      const a = alone.randn([1, 3, 3, 2]);
      expect(Array.from(tf.tidy(() => tf.slice(b, [2, 0, 0, 0], [1, -1, -1, -1])).dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([a, b]);
    }
  });
  test('randnLike is bound, rand is uniform; stream 1 differs from stream 0', () => {
    const g = new StackedRandomGenerator([1, 2]);
    const { randnLike } = g;
    const x = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
    const e = randnLike(x);
    expect(e.shape).toEqual([2, 2, 2, 1]);
    const other = new StackedRandomGenerator([1, 2], { stream: 1 }).randn([2, 2, 2, 1]);
    expect(Array.from(other.dataSync())).not.toEqual(Array.from(e.dataSync()));
    const r = g.rand([2, 100]).dataSync();
    expect(Math.min(...r)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r)).toBeLessThan(1);
    tf.dispose([x, e, other]);
  });
  test('errors name the problem', () => {
    expect(() => new StackedRandomGenerator([])).toThrow(/seeds must be a non-empty array/);
    expect(() => new StackedRandomGenerator([1, -2])).toThrow(/seeds\[1\] must be an integer in \[0, 2\^32\), got -2/);
    expect(() => new StackedRandomGenerator([1, 2]).randn([3, 4])).toThrow(/shape\[0\] must equal the number of seeds \(2\), got shape \[3, 4\]/);
  });
  test('seededRandomSource is reproducible', () => {
    const a = seededRandomSource(9).normal([5]);
    const b = seededRandomSource(9).normal([5]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
  });
});

describe('replayNoise and recordNoise', () => {
  test('records then replays the same draws in order, from a list or one stacked tensor', () => {
    const g = new StackedRandomGenerator([3, 4]);
    const rec = recordNoise(g.randnLike);
    const x = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
    const d1 = rec.randnLike(x);
    const d2 = rec.randnLike(x);
    const fromList = replayNoise(rec.draws);
    const stacked = tf.stack(rec.draws) as tf.Tensor5D;
    const fromStack = replayNoise(stacked);
    for (const [k, d] of [d1, d2].entries()) {
      const a = fromList(x);
      const b = fromStack(x);
      expect(Array.from(a.dataSync())).toEqual(Array.from(d.dataSync()));
      expect(Array.from(b.dataSync())).toEqual(Array.from(d.dataSync()));
      expect(fromList.calls).toBe(k + 1);
      tf.dispose([a, b]);
    }
    expect(() => fromList(x)).toThrow(/randnLike called 3 times, but only 2 draws were recorded/);
    const y = tf.zeros([2, 2, 2, 3]) as tf.Tensor4D;
    expect(() => replayNoise(rec.draws)(y)).toThrow(/draw 0 has shape \[2, 2, 2, 1\], but randnLike was called for shape \[2, 2, 2, 3\]/);
    tf.dispose([x, y, d1, d2, stacked, ...rec.draws]);
  });
});
