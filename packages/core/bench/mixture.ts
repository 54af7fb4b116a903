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

/** The exact posterior-mean denoiser of a mixture; labelDim = K (labels weight the components). */
export function mixtureDenoiser(mix: GaussianMixture): Denoiser {
  const K = mix.means.length;
  const dim = dimOf(mix.shape);
  const c2 = mix.std * mix.std;
  const logPrior = mix.weights.map(Math.log);
  return baseDenoiser(mix.shape, K, (x, sigma, classLabels) => tf.tidy(() => {
    const n = x.shape[0];
    const mu = tf.tensor2d(mix.means, [K, dim]);
    const flat = tf.reshape(x, [n, dim]);
    const sig2 = typeof sigma === 'number' ? tf.fill([n, 1], sigma * sigma) : tf.reshape(tf.square(sigma), [-1, 1]);
    const sig2n = sig2.shape[0] === n ? sig2 : tf.broadcastTo(sig2, [n, 1]);
    const v = tf.add(sig2n, c2); // [n, 1]: c^2 + sigma^2
    // |x - mu_k|^2 = |x|^2 - 2 x.mu_k + |mu_k|^2
    const d2 = tf.add(tf.sub(tf.sum(tf.square(flat), 1, true), tf.mul(2, tf.matMul(flat, mu, false, true))),
      tf.reshape(tf.sum(tf.square(mu), 1), [1, K]));
    let prior: tf.Tensor = tf.tensor2d([logPrior], [1, K]);
    if (classLabels) {
      const rowSum = tf.sum(classLabels, 1, true);
      const labelled = tf.log(tf.div(tf.add(classLabels, 1e-30), tf.maximum(rowSum, 1e-30)));
      prior = tf.where(tf.broadcastTo(tf.greater(rowSum, 0), [n, K]), labelled, tf.broadcastTo(prior, [n, K]));
    }
    const w = tf.softmax(tf.sub(prior, tf.div(d2, tf.mul(2, v))), 1); // [n, K]
    const shrink = tf.div(c2, v); // c^2 / (c^2 + sigma^2), [n, 1]
    const meanPart = tf.matMul(w, mu); // sum_k w_k mu_k
    const out = tf.add(meanPart, tf.mul(shrink, tf.sub(flat, meanPart)));
    return tf.reshape(out, x.shape) as tf.Tensor4D;
  }));
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
