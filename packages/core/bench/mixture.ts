// Exact denoisers for sampler accuracy: data whose ideal denoiser D(x; sigma) = E[y | y + n = x] is known in
// closed form, so sampling error can be measured without a trained network.
//   - Gaussian N(0, s^2 I):   D(x; sigma) = x s^2 / (s^2 + sigma^2); the probability-flow ODE
//     dx/dsigma = (x - D) / sigma has the exact solution x(sigma) = x(sigma_0) sqrt((s^2 + sigma^2) / (s^2 + sigma_0^2)).
//   - Isotropic Gaussian mixture sum_k pi_k N(mu_k, c^2 I): with w_k(x) the posterior component weights
//     softmax_k(ln pi_k - |x - mu_k|^2 / (2 (c^2 + sigma^2))),
//     D(x; sigma) = sum_k w_k(x) (mu_k + c^2 / (c^2 + sigma^2) (x - mu_k)).
//     Class labels (one-hot or weights over the K components) replace pi: the conditional denoiser.
import * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../src/denoiser';
import { Xoshiro128 } from '../src/noise/prng';

/** A data shape: samples are [N, resolution, resolution, channels]; dim = resolution^2 channels. */
export interface DataShape {
  resolution: number;
  channels: number;
}

const dimOf = (shape: DataShape): number => shape.resolution * shape.resolution * shape.channels;

function baseDenoiser(shape: DataShape, labelDim: number, forward: Denoiser['forward']): Denoiser {
  return {
    sigmaMin: 0,
    sigmaMax: Infinity,
    imgResolution: shape.resolution,
    imgChannels: shape.channels,
    labelDim,
    roundSigma: (s) => s,
    forward,
  };
}

/** The ideal denoiser of N(0, s^2 I) data: D(x; sigma) = x s^2 / (s^2 + sigma^2). */
export function gaussianDenoiser(s: number, shape: DataShape): Denoiser {
  return baseDenoiser(shape, 0, (x, sigma) => tf.tidy(() => {
    const sig2 = typeof sigma === 'number' ? sigma * sigma : tf.reshape(tf.square(sigma), [-1, 1, 1, 1]);
    return tf.div(tf.mul(x, s * s), tf.add(sig2, s * s)) as tf.Tensor4D;
  }));
}

/** The exact probability-flow ODE solution of the Gaussian case, from x0 at sigma0 to sigma. */
export function gaussianExact(x0: tf.Tensor4D, s: number, sigma0: number, sigma: number): tf.Tensor4D {
  return tf.tidy(() => tf.mul(x0, Math.sqrt((s * s + sigma * sigma) / (s * s + sigma0 * sigma0))) as tf.Tensor4D);
}

/** An isotropic Gaussian mixture sum_k pi_k N(mu_k, c^2 I). */
export interface GaussianMixture {
  /** Component means mu_k, K rows of length dim. */
  means: number[][];
  /** Mixture weights pi_k (sum 1). */
  weights: number[];
  /** Component standard deviation c. */
  std: number;
  /** Sample shape. */
  shape: DataShape;
}

/** 8 equally weighted components on a circle of radius 1 in 2-D, std 0.05 (samples [N, 1, 1, 2]). */
export function ring2d(): GaussianMixture {
  const means = Array.from({ length: 8 }, (_, k) => [Math.cos((2 * Math.PI * k) / 8), Math.sin((2 * Math.PI * k) / 8)]);
  return { means, weights: Array(8).fill(1 / 8), std: 0.05, shape: { resolution: 1, channels: 2 } };
}

/** 8 components in 64-D (samples [N, 8, 8, 1]) with seeded random means (entries N(0, 0.5^2)), unequal weights, std 0.1. */
export function mixture64d(seed = 1234): GaussianMixture {
  const g = new Xoshiro128(seed);
  const means = Array.from({ length: 8 }, () => Array.from({ length: 64 }, () => 0.5 * g.normal()));
  const raw = Array.from({ length: 8 }, (_, k) => 1 + k / 4);
  const total = raw.reduce((a, b) => a + b, 0);
  return { means, weights: raw.map((w) => w / total), std: 0.1, shape: { resolution: 8, channels: 1 } };
}

/**
 * The exact posterior-mean denoiser of a mixture; labelDim = K (labels weight the components; an all-zero
 * row means unconditional). Computed in float64 JavaScript (reads x back with dataSync: cpu backend only),
 * which is several times faster than a chain of small tfjs ops.
 */
export function mixtureDenoiser(mix: GaussianMixture): Denoiser {
  const K = mix.means.length;
  const dim = dimOf(mix.shape);
  const c2 = mix.std * mix.std;
  const logPrior = mix.weights.map(Math.log);
  const mu = mix.means;
  return baseDenoiser(mix.shape, K, (x, sigma, classLabels) => {
    const n = x.shape[0];
    const xs = x.dataSync();
    const sig = typeof sigma === 'number' ? null : sigma.dataSync();
    if (sig && sig.length !== 1 && sig.length !== n) {
      throw new Error(`mixtureDenoiser: sigma must be a number or have 1 or ${n} values, got ${sig.length}`);
    }
    const labels = classLabels ? classLabels.dataSync() : null;
    const out = new Float32Array(n * dim);
    const logit = new Float64Array(K);
    const mean = new Float64Array(dim);
    for (let i = 0; i < n; i++) {
      const s = typeof sigma === 'number' ? sigma : sig!.length === 1 ? sig![0]! : sig![i]!;
      const v = c2 + s * s;
      let rowSum = 0;
      if (labels) for (let k = 0; k < K; k++) rowSum += labels[i * K + k]!;
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        let d2 = 0;
        const m = mu[k]!;
        for (let j = 0; j < dim; j++) d2 += (xs[i * dim + j]! - m[j]!) ** 2;
        const prior = labels && rowSum > 0 ? Math.log(labels[i * K + k]! / rowSum) : logPrior[k]!;
        logit[k] = prior - d2 / (2 * v);
        if (logit[k]! > max) max = logit[k]!;
      }
      let z = 0;
      for (let k = 0; k < K; k++) { logit[k] = Math.exp(logit[k]! - max); z += logit[k]!; }
      mean.fill(0);
      for (let k = 0; k < K; k++) {
        const w = logit[k]! / z;
        if (w === 0) continue;
        const m = mu[k]!;
        for (let j = 0; j < dim; j++) mean[j] += w * m[j]!;
      }
      const shrink = c2 / v;
      for (let j = 0; j < dim; j++) out[i * dim + j] = mean[j]! + shrink * (xs[i * dim + j]! - mean[j]!);
    }
    return tf.tensor4d(out, [...x.shape] as [number, number, number, number]);
  });
}

/** n fresh samples of the mixture (seeded, generated in JavaScript), [n, H, W, C]. */
export function sampleMixture(mix: GaussianMixture, n: number, seed: number): tf.Tensor4D {
  const g = new Xoshiro128(seed, 7);
  const dim = dimOf(mix.shape);
  const cdf: number[] = [];
  mix.weights.reduce((acc, w, k) => (cdf[k] = acc + w), 0);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const u = g.uniform();
    let k = cdf.findIndex((c) => u < c);
    if (k < 0) k = mix.weights.length - 1;
    const mu = mix.means[k]!;
    for (let j = 0; j < dim; j++) data[i * dim + j] = mu[j]! + mix.std * g.normal();
  }
  return tf.tensor4d(data, [n, mix.shape.resolution, mix.shape.resolution, mix.shape.channels]);
}

/** n standard-normal latents (seeded), [n, H, W, C]. */
export function latentsFor(shape: DataShape, n: number, seed: number): tf.Tensor4D {
  const g = new Xoshiro128(seed, 3);
  const data = new Float32Array(n * dimOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = g.normal();
  return tf.tensor4d(data, [n, shape.resolution, shape.resolution, shape.channels]);
}
