// Guidance wrappers (packages/core/src/guidance): classifier-free guidance and autoguidance are Denoisers,
// so every sampler can use them. Checked against separate calls of the exact mixture denoiser.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Denoiser } from '../src/denoiser';
import { autoguidance, classifierFreeGuidance } from '../src/guidance';
import { K_SAMPLERS } from '../src/samplers/kdiffusion';
import { gaussianDenoiser, latentsFor, mixtureDenoiser, ring2d } from '../bench/mixture';

const mix = ring2d();
const net = mixtureDenoiser(mix);
const N = 6;
let z: tf.Tensor4D;
let labels: tf.Tensor2D;
let x: tf.Tensor4D;

const values = (t: tf.Tensor) => Array.from(t.dataSync());
function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 1e-6) {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
  expect(d).toBeLessThan(tol);
}
/** Wraps a denoiser, recording the batch size of every forward call. */
function counting(inner: Denoiser): Denoiser & { calls: number[] } {
  const calls: number[] = [];
  return { ...inner, calls, forward: (...a: Parameters<Denoiser['forward']>) => { calls.push(a[0].shape[0]); return inner.forward(...a); } };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  z = latentsFor(mix.shape, N, 11);
  labels = tf.cast(tf.oneHot([0, 1, 2, 3, 4, 5], 8), 'float32') as tf.Tensor2D;
  x = tf.mul(latentsFor(mix.shape, N, 12), 0.7) as tf.Tensor4D;
});

describe('classifierFreeGuidance', () => {
  test('D_w = D_u + w (D_c - D_u), in one batched forward pass of 2N samples', () => {
    const net2 = counting(net);
    const cfg = classifierFreeGuidance(net2, { weight: 3 });
    const before = tf.memory().numTensors;
    const got = cfg.forward(x, 0.4, labels);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(net2.calls).toEqual([2 * N]);
    const want = tf.tidy(() => {
      const dc = net.forward(x, 0.4, labels);
      const du = net.forward(x, 0.4, tf.zeros([N, 8]) as tf.Tensor2D);
      return tf.add(du, tf.mul(tf.sub(dc, du), 3));
    });
    expectClose(got, want, 1e-5);
    // Guidance pushes away from the unconditional prediction: |D_w - D_u| = 3 |D_c - D_u|.
    const unbatched = classifierFreeGuidance(counting(net), { weight: 3, batched: false });
    expectClose(unbatched.forward(x, 0.4, labels), got, 1e-6);
    tf.dispose([got, want]);
  });
  test('per-sample sigma tensors and custom null labels are handled', () => {
    const sigma = tf.tensor1d([0.1, 0.2, 0.5, 1, 2, 4]);
    const nullLabels = tf.fill([1, 8], 1 / 8) as tf.Tensor2D; // "all components equally": the unconditional prior
    const cfg = classifierFreeGuidance(net, { weight: 2, uncondLabels: nullLabels });
    const got = cfg.forward(x, sigma, labels);
    const want = tf.tidy(() => {
      const dc = net.forward(x, sigma, labels);
      const du = net.forward(x, sigma, tf.broadcastTo(nullLabels, [N, 8]) as tf.Tensor2D);
      return tf.sub(tf.mul(dc, 2), du);
    });
    expectClose(got, want, 1e-5);
    tf.dispose([sigma, nullLabels, got, want]);
  });
  test('w = 1 equals the plain conditional sampler; w = 0 the unconditional one', async () => {
    for (const name of ['heun', 'euler_ancestral', 'dpmpp_2m'] as const) {
      const plain = await K_SAMPLERS[name](net, z, { classLabels: labels, numSteps: 8 });
      const guided = await K_SAMPLERS[name](classifierFreeGuidance(net, { weight: 1 }), z, { classLabels: labels, numSteps: 8 });
      expect(values(guided)).toEqual(values(plain));
      const uncond = await K_SAMPLERS[name](net, z, { classLabels: tf.zeros([N, 8]) as tf.Tensor2D, numSteps: 8 });
      const w0 = await K_SAMPLERS[name](classifierFreeGuidance(net, { weight: 0 }), z, { classLabels: labels, numSteps: 8 });
      expectClose(w0, uncond, 1e-5);
      tf.dispose([plain, guided, uncond, w0]);
    }
  });
  test('sampling with guidance leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const out = await K_SAMPLERS.dpmpp_2m_sde(classifierFreeGuidance(net, { weight: 4 }), z, { classLabels: labels, numSteps: 6 });
    expect(tf.memory().numTensors).toBe(before + 1);
    out.dispose();
  });
  test('errors', () => {
    expect(() => classifierFreeGuidance(gaussianDenoiser(1, mix.shape), { weight: 2 })).toThrow(/unconditional \(labelDim = 0\)/);
    expect(() => classifierFreeGuidance(net, { weight: NaN })).toThrow(/option weight must be a finite number, got NaN/);
    expect(() => classifierFreeGuidance(net, { weight: 2, uncondLabels: tf.zeros([1, 3]) as tf.Tensor2D }))
      .toThrow(/uncondLabels must have shape \[1 or N, 8\], got \[1, 3\]/);
    expect(() => classifierFreeGuidance(net, { weight: 2 }).forward(x, 1)).toThrow(/forward needs classLabels \[6, 8\]/);
  });
});

describe('autoguidance', () => {
  // A weaker guide: the same mixture with blurrier components (what an under-trained model learns).
  const guide = mixtureDenoiser({ ...mix, std: 0.2 });
  test('D_w = D_guide + w (D_main - D_guide)', () => {
    const before = tf.memory().numTensors;
    const got = autoguidance(net, guide, { weight: 2.5 }).forward(x, 0.3, labels);
    expect(tf.memory().numTensors).toBe(before + 1);
    const want = tf.tidy(() => {
      const dm = net.forward(x, 0.3, labels);
      const dg = guide.forward(x, 0.3, labels);
      return tf.add(dg, tf.mul(tf.sub(dm, dg), 2.5));
    });
    expectClose(got, want, 1e-5);
    tf.dispose([got, want]);
  });
  test('w = 1 equals the main denoiser\'s sampler exactly, without calling the guide', async () => {
    const g = counting(guide);
    const plain = await K_SAMPLERS.dpmpp_sde(net, z, { numSteps: 6 });
    const guided = await K_SAMPLERS.dpmpp_sde(autoguidance(net, g, { weight: 1 }), z, { numSteps: 6 });
    expect(values(guided)).toEqual(values(plain));
    expect(g.calls).toEqual([]);
    tf.dispose([plain, guided]);
  });
  test('the denoisers must agree on the data shape', () => {
    const other = mixtureDenoiser({ ...mix, shape: { resolution: 1, channels: 3 }, means: mix.means.map((m) => [...m, 0]) });
    expect(() => autoguidance(net, other, { weight: 2 })).toThrow(/agree on imgChannels, got main 2 vs guide 3/);
  });
});
