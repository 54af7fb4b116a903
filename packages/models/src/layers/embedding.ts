// Noise-level embeddings of the reference.
// PositionalEmbedding (Transformer sinusoids, DDPM++/ADM): freqs_i = (1/max_positions)^(i / (C/2 - endpoint)),
//   emb = [cos(x freqs), sin(x freqs)].
// FourierEmbedding (NCSN++, random Fourier features): freqs ~ N(0, scale^2) drawn once (a saved buffer),
//   emb = [cos(2 pi x freqs), sin(2 pi x freqs)].
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext } from './init';
import type { ParamRef } from './param-store';

/** Sinusoidal positional embedding. */
export class PositionalEmbedding {
  private readonly freqs: Float32Array;

  constructor(readonly numChannels: number, readonly maxPositions = 10000, readonly endpoint = false) {
    const half = Math.floor(numChannels / 2);
    const denom = half - (endpoint ? 1 : 0);
    const base = Math.fround(1 / maxPositions);
    this.freqs = new Float32Array(half);
    // float32 like the reference: arange / denom, then base ** freqs.
    for (let i = 0; i < half; i++) this.freqs[i] = Math.fround(Math.pow(base, Math.fround(i / denom)));
  }

  /** x: [N] -> [N, numChannels]. */
  apply(x: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => {
      const arg = tf.mul(tf.reshape(x, [-1, 1]), tf.tensor2d(this.freqs, [1, this.freqs.length]));
      return tf.concat([tf.cos(arg), tf.sin(arg)], 1) as tf.Tensor2D;
    });
  }
}

/** Random Fourier feature embedding; `freqs` is a buffer saved as `<prefix>.freqs`. */
export class FourierEmbedding {
  readonly freqs: ParamRef;

  constructor(ctx: BuildContext, prefix: string, readonly numChannels: number, readonly scale = 16) {
    const half = Math.floor(numChannels / 2);
    const { rng } = ctx;
    this.freqs = ctx.store.declare({
      name: `${prefix}.freqs`, torchShape: [half], layout: 'same', trainable: false,
      init: () => Float32Array.from({ length: half }, () => rng.normal() * scale),
    });
  }

  /** x: [N] -> [N, numChannels]. */
  apply(x: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => {
      const f = tf.mul(this.freqs.value, 2 * Math.PI);
      const arg = tf.mul(tf.reshape(x, [-1, 1]), tf.reshape(f, [1, -1]));
      return tf.concat([tf.cos(arg), tf.sin(arg)], 1) as tf.Tensor2D;
    });
  }
}
