// Layer checks against direct definitions (naive loops written from the reference's formulas): FIR
// resampling (conv_transpose2d / strided conv2d with the [1,3,3,1] filter, fused and unfused), GroupNorm,
// and attention's qkv channel order.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@edm/core'; // registers tfjs gradients
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from '../src/layers/conv2d';
import { Rng } from '../src/layers/init';
import { ParamStore } from '../src/layers/param-store';
import { downsample2x, isBoxTaps, resampleFilter2d, upsample2x } from '../src/layers/resample';
import { selfAttention } from '../src/layers/attention';
import { maxAbsDiff } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Naive per-channel conv_transpose2d(x, g, stride 2, padding p), NHWC. */
function naiveUp(x: Float32Array, [n, h, w, c]: number[], g: Float32Array, k: number, p: number) {
  const ho = 2 * (h - 1) - 2 * p + k;
  const wo = 2 * (w - 1) - 2 * p + k;
  const out = new Float32Array(n * ho * wo * c);
  for (let b = 0; b < n; b++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let a = 0; a < k; a++) for (let d = 0; d < k; d++) {
    const oi = 2 * i + a - p;
    const oj = 2 * j + d - p;
    if (oi < 0 || oj < 0 || oi >= ho || oj >= wo) continue;
    for (let ch = 0; ch < c; ch++) out[((b * ho + oi) * wo + oj) * c + ch]! += x[((b * h + i) * w + j) * c + ch]! * g[a * k + d]!;
  }
  return { out, shape: [n, ho, wo, c] };
}

/** Naive per-channel conv2d(x, g, stride 2, padding p), NHWC. */
function naiveDown(x: Float32Array, [n, h, w, c]: number[], g: Float32Array, k: number, p: number) {
  const ho = Math.floor((h + 2 * p - k) / 2) + 1;
  const wo = Math.floor((w + 2 * p - k) / 2) + 1;
  const out = new Float32Array(n * ho * wo * c);
  for (let b = 0; b < n; b++) for (let oi = 0; oi < ho; oi++) for (let oj = 0; oj < wo; oj++) for (let a = 0; a < k; a++) for (let d = 0; d < k; d++) {
    const i = 2 * oi + a - p;
    const j = 2 * oj + d - p;
    if (i < 0 || j < 0 || i >= h || j >= w) continue;
    for (let ch = 0; ch < c; ch++) out[((b * ho + oi) * wo + oj) * c + ch]! += x[((b * h + i) * w + j) * c + ch]! * g[a * k + d]!;
  }
  return { out, shape: [n, ho, wo, c] };
}

describe('FIR resampling', () => {
  it('box taps: [a, a] only', () => {
    expect([[1, 1], [2, 2], [1, 3, 3, 1], [1, 2], [0, 0]].map(isBoxTaps)).toEqual([true, true, false, false, false]);
  });

  const shape = [2, 6, 6, 3];
  const xs = tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', 7));
  const xv = () => xs.dataSync() as Float32Array;

  for (const taps of [[1, 1], [1, 3, 3, 1], [1, 2, 1]]) {
    for (const pad of [0, 1, 2]) {
      it(`filter [${taps}] pad ${pad}: up = conv_transpose2d(4f), down = strided conv2d(f)`, () => {
        const k = taps.length;
        const f2 = resampleFilter2d(taps);
        const f = tf.tensor2d(f2, [k, k]);
        // The general path, and the box fast path (avg-pool / replication) where the taps make a box.
        for (const box of isBoxTaps(taps) ? [false, true] : [false]) {
          const up = upsample2x(xs as tf.Tensor4D, f, pad, box);
          const refUp = naiveUp(xv(), shape, f2.map((v) => 4 * v), k, pad);
          expect(up.shape).toEqual(refUp.shape);
          expect(maxAbsDiff(up.dataSync(), refUp.out)).toBeLessThan(1e-5);
          const down = downsample2x(xs as tf.Tensor4D, f, pad, box);
          const refDown = naiveDown(xv(), shape, f2, k, pad);
          expect(down.shape).toEqual(refDown.shape);
          expect(maxAbsDiff(down.dataSync(), refDown.out)).toBeLessThan(1e-5);
          tf.dispose([up, down]);
        }
        tf.dispose(f);
      });
    }
  }

  it('fused and unfused down-convolutions agree in shape; fused up/down keep the reference sizes', () => {
    const store = new ParamStore();
    const ctx = { store, rng: new Rng(1) };
    const fusedDown = new Conv2d(ctx, 'a', 3, 4, 3, { down: true, fusedResample: true, resampleFilter: [1, 3, 3, 1] });
    const plainDown = new Conv2d(ctx, 'b', 3, 4, 3, { down: true, resampleFilter: [1, 3, 3, 1] });
    const fusedUp = new Conv2d(ctx, 'c', 3, 4, 3, { up: true, fusedResample: true, resampleFilter: [1, 3, 3, 1] });
    const fusedUpBox = new Conv2d(ctx, 'd', 3, 4, 3, { up: true, fusedResample: true });
    store.materialize();
    expect(fusedDown.apply(xs as tf.Tensor4D).shape).toEqual([2, 3, 3, 4]);
    expect(plainDown.apply(xs as tf.Tensor4D).shape).toEqual([2, 3, 3, 4]);
    expect(fusedUp.apply(xs as tf.Tensor4D).shape).toEqual([2, 12, 12, 4]);
    expect(fusedUpBox.apply(xs as tf.Tensor4D).shape).toEqual([2, 12, 12, 4]);
    // resample_filter buffers are declared with the PyTorch shape [1, 1, k, k].
    expect(store.list().find((s) => s.name === 'a.resample_filter')!.torchShape).toEqual([1, 1, 4, 4]);
    store.dispose();
  });
});

describe('attention', () => {
  it('matches softmax(q k / sqrt(C/heads)) v with the reference channel layout (h*C/heads + c)*3 + j', () => {
    const [n, h, w, c, heads] = [1, 2, 2, 8, 2];
    const ch = c / heads;
    const hw = h * w;
    const qkv = tf.randomNormal([n, h, w, 3 * c], 0, 1, 'float32', 9) as tf.Tensor4D;
    const v = qkv.dataSync();
    const at = (p: number, head: number, cc: number, j: number) => v[p * 3 * c + (head * ch + cc) * 3 + j]!;
    const ref = new Float32Array(n * hw * c);
    for (let head = 0; head < heads; head++) {
      for (let q = 0; q < hw; q++) {
        const logits = Array.from({ length: hw }, (_, kk) => {
          let s = 0;
          for (let cc = 0; cc < ch; cc++) s += at(q, head, cc, 0) * at(kk, head, cc, 1);
          return s / Math.sqrt(ch);
        });
        const m = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let cc = 0; cc < ch; cc++) {
          let s = 0;
          for (let kk = 0; kk < hw; kk++) s += (e[kk]! / z) * at(kk, head, cc, 2);
          ref[q * c + head * ch + cc] = s;
        }
      }
    }
    const out = selfAttention(qkv, heads);
    expect(out.shape).toEqual([n, h, w, c]);
    expect(maxAbsDiff(out.dataSync(), ref)).toBeLessThan(1e-5);
    tf.dispose([qkv, out]);
  });
});

describe('custom gradients (memory-saving backward passes)', () => {
  it('groupNorm and silu: value and gradients (x, weight, bias) equal autodiff of the plain formulas', async () => {
    const { groupNorm } = await import('@edm/core');
    const { silu } = await import('../src/layers/silu');
    const x = tf.randomNormal([2, 3, 3, 8], 0.5, 2, 'float32', 11) as tf.Tensor4D;
    const w = tf.randomNormal([8], 1, 0.3, 'float32', 12) as tf.Tensor1D;
    const b = tf.randomNormal([8], 0, 0.3, 'float32', 13) as tf.Tensor1D;
    const dy = tf.randomNormal([2, 3, 3, 8], 0, 1, 'float32', 14) as tf.Tensor4D;
    const plain = (xx: tf.Tensor4D, ww: tf.Tensor1D, bb: tf.Tensor1D) => {
      const xr = tf.reshape(xx, [2, 9, 2, 4]);
      const { mean, variance } = tf.moments(xr, [1, 3], true);
      const y = tf.reshape(tf.div(tf.sub(xr, mean), tf.sqrt(tf.add(variance, 1e-5))), [2, 3, 3, 8]);
      const out = tf.add(tf.mul(y, ww), bb);
      return tf.mul(out, tf.sigmoid(out));
    };
    const ours = (xx: tf.Tensor4D, ww: tf.Tensor1D, bb: tf.Tensor1D) => silu(groupNorm(xx, ww, bb, 2, 1e-5));
    const f = (fn: typeof plain) => tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => fn(xx as tf.Tensor4D, ww as tf.Tensor1D, bb as tf.Tensor1D));
    const ref = f(plain)([x, w, b], dy);
    const got = f(ours)([x, w, b], dy);
    expect(maxAbsDiff(ours(x, w, b).dataSync(), plain(x, w, b).dataSync())).toBeLessThan(1e-5);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(got[i]!.dataSync(), ref[i]!.dataSync()), `input ${i}`).toBeLessThan(2e-5);
  });
});
