// EMA of weights (reference training_loop.py): beta = 0.5^(batch / max(min(halflife, cur_nimg * rampup), 1e-8)),
// ema <- w + beta (ema - w), checked against that closed form step by step; errors; leaks.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, expect, test } from 'vitest';
import { EMA, emaBeta } from '@edm/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('beta: ramp-up, half-life and the first update copying the weights', () => {
  expect(emaBeta(512, 0, 500_000, 0.05)).toBe(0); // cur_nimg = 0: half-life 0 -> beta 0
  // 10k images seen: half-life min(500k, 500) = 500 images -> beta = 0.5^(512/500)
  expect(emaBeta(512, 10_000, 500_000, 0.05)).toBeCloseTo(0.5 ** (512 / 500), 15);
  // past the ramp-up: the half-life in images: after h images the old average keeps weight 1/2
  const b = emaBeta(100, 1e9, 500_000, 0.05);
  expect(b ** (500_000 / 100)).toBeCloseTo(0.5, 12);
  expect(emaBeta(100, 0, 500_000, null)).toBe(b); // no ramp-up
});

test('update follows ema <- w + beta (ema - w) over several steps, per variable', () => {
  const w = new Map<string, tf.Variable>([['a', tf.variable(tf.tensor1d([1, 2]))], ['b', tf.variable(tf.scalar(-3))]]);
  const start = tf.memory();
  const ema = new EMA(w, { halfLifeImages: 1000, rampUpRatio: 0.5 });
  const want = { a: [1, 2], b: [-3] };
  let seen = 0;
  const before = tf.memory().numTensors;
  for (let step = 0; step < 5; step++) {
    const delta = step + 1;
    tf.tidy(() => {
      w.get('a')!.assign(tf.tensor1d([1 + delta, 2 - delta]));
      w.get('b')!.assign(tf.scalar(-3 * delta));
    });
    const beta = ema.update(w, 64, seen);
    expect(beta).toBeCloseTo(0.5 ** (64 / Math.max(Math.min(1000, seen * 0.5), 1e-8)), 14);
    const cur = { a: [1 + delta, 2 - delta], b: [-3 * delta] };
    for (const k of ['a', 'b'] as const) want[k] = cur[k].map((v, i) => v + beta * (want[k][i]! - v));
    seen += 64;
    for (const k of ['a', 'b'] as const) {
      const got = Array.from(ema.weights.get(k)!.dataSync());
      got.forEach((g, i) => expect(g).toBeCloseTo(want[k][i]!, 5));
    }
  }
  expect(tf.memory().numTensors).toBe(before);
  expect(tf.memory().numBytes - start.numBytes).toBe(3 * 4); // the averaged weights, once: no start copy kept
  ema.dispose();
  expect(tf.memory()).toMatchObject({ numTensors: start.numTensors, numBytes: start.numBytes });
  w.forEach((v) => v.dispose());
});

test('errors name the weight or option', () => {
  const w = new Map([['a', tf.variable(tf.tensor1d([1, 2]))]]);
  const ema = new EMA(w);
  expect(() => ema.update(new Map(), 1, 0)).toThrow(/weights are missing 'a'/);
  const other = new Map([['a', tf.variable(tf.tensor1d([1, 2, 3]))]]);
  expect(() => ema.update(other, 1, 0)).toThrow(/weight 'a' has shape \[3\], the EMA has \[2\]/);
  expect(() => ema.update(w, 0, 0)).toThrow(/batchSize must be an integer >= 1, got 0/);
  expect(() => new EMA(w, { halfLifeImages: -1 })).toThrow(/halfLifeImages must be a finite number >= 0/);
  ema.dispose();
});
