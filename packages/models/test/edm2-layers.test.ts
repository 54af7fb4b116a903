// The EDM2 layers where the reference fixture cannot reach them (it uses the default balances 0.5 / 0.3, no
// clipping in range, no dropout): normalize, mp_sum, mp_cat and the output clip against plain tfjs
// compositions of the reference's formulas (values and gradients), what each saves for the backward pass,
// MPFourier and MPConv against their definitions, and an EDM2 block's clipping.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EDM2Block } from '../src/layers/edm2-block';
import { Rng } from '../src/layers/init';
import { leanClip } from '../src/layers/lean-clip';
import { mpCat, mpSilu, mpSum } from '../src/layers/magnitude-preserving';
import { MPConv } from '../src/layers/mp-conv';
import { MPFourier } from '../src/layers/mp-fourier';
import { normalize } from '../src/layers/normalize';
import { ParamStore } from '../src/layers/param-store';
import { savedBytes } from '../../core/test/helpers/saved-bytes';
import { tensorMaxAbsDiff } from '../../core/test/helpers/tensor-diff';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Values and gradients (of sum(f(xs) w) for a fixed random w) of two functions of the same inputs. */
function compareWithGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, g: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): { value: number; grad: number } {
  return tf.tidy(() => {
    const w = tf.randomNormal(f(...xs).shape, 0, 1, 'float32', 7);
    const grads = (h: typeof f) => tf.grads((...ys: tf.Tensor[]) => tf.sum(tf.mul(h(...ys), w)))(xs);
    const gf = grads(f);
    const gg = grads(g);
    return {
      value: tensorMaxAbsDiff(f(...xs), g(...xs)),
      grad: Math.max(...gf.map((t, i) => tensorMaxAbsDiff(t, gg[i]!))),
    };
  });
}

/** The reference's normalize as plain tfjs ops (autodiff through sqrt). */
function plainNormalize(x: tf.Tensor, axes: number[], eps = 1e-4): tf.Tensor {
  const count = axes.reduce((p, a) => p * x.shape[a]!, 1);
  return tf.div(x, tf.add(eps, tf.mul(tf.sqrt(tf.sum(tf.square(x), axes, true)), Math.sqrt(1 / count))));
}

describe('normalize', () => {
  it('matches x / (eps + ||x|| sqrt(1/n)) in value and gradient, over channels and over fan-in axes', () => {
    const x = tf.randomNormal([2, 3, 4, 5], 0, 2, 'float32', 1);
    for (const axes of [[3], [0, 1, 2], [1, 3]]) {
      const { value, grad } = compareWithGrads((t) => normalize(t, axes), (t) => plainNormalize(t, axes), [x]);
      expect(value, `axes ${axes}`).toBeLessThan(1e-6);
      expect(grad, `axes ${axes}`).toBeLessThan(1e-5);
    }
    const y = normalize(x, [3]);
    // Unit RMS over the normalised axis (up to eps).
    const rms = tf.sqrt(tf.mean(tf.square(y), 3));
    expect(tensorMaxAbsDiff(rms, tf.onesLike(rms))).toBeLessThan(1e-3);
    tf.dispose([x, y, rms]);
  });

  it('has a finite gradient at a zero vector (as PyTorch: the norm term contributes nothing)', () => {
    const x = tf.tensor4d([0, 0, 0, 1, 2, 3], [1, 1, 2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(normalize(t, [3])))(x);
    const v = g.dataSync();
    expect(Array.from(v).every(Number.isFinite)).toBe(true);
    expect(Array.from(v.slice(0, 3))).toEqual([1e4, 1e4, 1e4].map((e) => Math.fround(e)));
    tf.dispose([x, g]);
  });

  it('keeps only x for the backward pass', () => {
    const x = tf.randomNormal([2, 4, 4, 8], 0, 1, 'float32', 2);
    expect(savedBytes(() => normalize(x, [3]))).toBe(x.size * 4);
    x.dispose();
  });
});

describe('mp_silu, mp_sum, mp_cat, clip', () => {
  const a = () => tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 3);
  const b = () => tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 4);

  it('mp_silu = silu(x) / 0.596', () => {
    const x = a();
    const { value, grad } = compareWithGrads((t) => mpSilu(t), (t) => tf.div(tf.mul(t, tf.sigmoid(t)), 0.596), [x]);
    expect(value).toBeLessThan(1e-6);
    expect(grad).toBeLessThan(1e-6);
    x.dispose();
  });

  it('mp_sum = lerp(a, b, t) / sqrt((1-t)^2 + t^2) at several t, saving nothing', () => {
    const [x, y] = [a(), b()];
    for (const t of [0, 0.3, 0.5, 0.8]) {
      const plain = (p: tf.Tensor, q: tf.Tensor) => tf.div(tf.add(p, tf.mul(tf.sub(q, p), t)), Math.sqrt((1 - t) ** 2 + t ** 2));
      const { value, grad } = compareWithGrads((p, q) => mpSum(p!, q!, t), plain, [x, y]);
      expect(value, `t ${t}`).toBeLessThan(1e-6);
      expect(grad, `t ${t}`).toBeLessThan(1e-6);
    }
    expect(savedBytes(() => mpSum(x, y, 0.3))).toBe(0);
    expect(() => mpSum(x, tf.zeros([2, 3, 3, 5]))).toThrow(/one shape/);
    tf.dispose([x, y]);
  });

  it('mp_cat weights each part by C (1 - t) / sqrt(N_a) and C t / sqrt(N_b), saving nothing', () => {
    const x = a();
    const y = tf.randomNormal([2, 3, 3, 6], 0, 1, 'float32', 5);
    for (const t of [0.2, 0.5, 0.7]) {
      const c = Math.sqrt(10 / ((1 - t) ** 2 + t ** 2));
      const plain = (p: tf.Tensor, q: tf.Tensor) => tf.concat([tf.mul(p, (c / 2) * (1 - t)), tf.mul(q, (c / Math.sqrt(6)) * t)], 3);
      const { value, grad } = compareWithGrads((p, q) => mpCat(p!, q!, 3, t), plain, [x, y]);
      expect(value, `t ${t}`).toBeLessThan(1e-6);
      expect(grad, `t ${t}`).toBeLessThan(1e-6);
    }
    expect(savedBytes(() => mpCat(x, y, 3, 0.3))).toBe(0);
    tf.dispose([x, y]);
  });

  it('clip = clipByValue in value and gradient (inputs off +-c), keeping only the output', () => {
    const x = tf.mul(a(), 3);
    const { value, grad } = compareWithGrads((t) => leanClip(t, 1.5), (t) => tf.clipByValue(t, -1.5, 1.5), [x]);
    expect(value).toBe(0);
    expect(grad).toBe(0);
    expect(savedBytes(() => leanClip(x, 1.5))).toBe(x.size * 4);
    x.dispose();
  });
});

describe('MPFourier and MPConv', () => {
  it('MPFourier = sqrt(2) cos(x freqs + phases), freqs ~ 2 pi N(0, 1), phases in [0, 2 pi)', () => {
    const store = new ParamStore();
    const f = new MPFourier({ store, rng: new Rng(3) }, 'f', 64);
    store.materialize();
    const freqs = Array.from(f.freqs.value.dataSync());
    const phases = Array.from(f.phases.value.dataSync());
    expect(Math.max(...phases)).toBeLessThan(2 * Math.PI);
    expect(Math.min(...phases)).toBeGreaterThanOrEqual(0);
    const std = Math.sqrt(freqs.reduce((s, v) => s + v * v, 0) / freqs.length) / (2 * Math.PI);
    expect(std).toBeGreaterThan(0.7);
    expect(std).toBeLessThan(1.3);
    const x = tf.tensor1d([-0.7, 0, 0.3]);
    const y = f.apply(x).arraySync();
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 64; j += 9) {
        const want = Math.SQRT2 * Math.cos(Math.fround(Math.fround(x.arraySync()[i]! * freqs[j]!) + phases[j]!));
        expect(y[i]![j]).toBeCloseTo(want, 5);
      }
    }
    x.dispose();
    store.dispose();
  });

  it('MPConv: conv2d with w / (eps + ||w_o|| / sqrt(fan_in)) * gain / sqrt(fan_in); training stores the normalised weight', () => {
    const store = new ParamStore();
    const conv = new MPConv({ store, rng: new Rng(1) }, 'c', 3, 5, 3);
    store.materialize();
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 9);
    const w0 = conv.weight.value.clone();
    const fanIn = 27;
    const expected = tf.conv2d(x as tf.Tensor4D, tf.mul(plainNormalize(w0, [0, 1, 2]), 0.7 / Math.sqrt(fanIn)) as tf.Tensor4D, 1, 1);
    expect(tensorMaxAbsDiff(conv.apply(x as tf.Tensor4D, 0.7), expected)).toBeLessThan(1e-5);
    expect(tensorMaxAbsDiff(conv.weight.value, w0)).toBe(0); // eval mode leaves the weight alone
    conv.apply(x as tf.Tensor4D, 0.7, true);
    expect(tensorMaxAbsDiff(conv.weight.value, plainNormalize(w0, [0, 1, 2]))).toBeLessThan(1e-6);
    tf.dispose([x, w0, expected]);
    store.dispose();
  });
});

describe('EDM2Block', () => {
  it('clips its output to [-clip_act, clip_act], and not at all with clip_act null', () => {
    const run = (clipAct: number | null) => {
      const store = new ParamStore();
      const block = new EDM2Block({ store, rng: new Rng(5) }, 'b', 4, 8, { embChannels: 6, flavor: 'enc', clipAct });
      store.materialize();
      const x = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 1);
      const emb = tf.randomNormal([2, 6], 0, 1, 'float32', 2);
      const y = block.apply(x as tf.Tensor4D, emb as tf.Tensor2D);
      const m = tf.max(tf.abs(y)).dataSync()[0]!;
      tf.dispose([x, emb, y]);
      store.dispose();
      return m;
    };
    const free = run(null);
    expect(free).toBeGreaterThan(0.5);
    expect(run(0.5)).toBeCloseTo(0.5, 6);
  });
});
