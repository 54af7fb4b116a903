// Recorded noise: replay the draws of a reference run (for example the NVlabs fixtures'
// `fixture.sample.heun_churn.noise`) as a sampler's randnLike, or record the draws a sampler makes.
import * as tf from '@tensorflow/tfjs-core';

/** A randnLike that replays recorded draws in order; `calls` counts the draws taken so far. */
export interface ReplayNoise {
  (x: tf.Tensor4D): tf.Tensor4D;
  /** How many draws have been taken. */
  readonly calls: number;
  /** How many draws were recorded. */
  readonly length: number;
}

/**
 * Replays `draws` (an array of NHWC tensors, or one [calls, N, H, W, C] tensor) in call order. Each call
 * returns a new tensor (the caller disposes it); the recorded tensors are not disposed. Throws when a draw's
 * shape differs from x's or when more draws are requested than recorded.
 */
export function replayNoise(draws: readonly tf.Tensor[] | tf.Tensor5D): ReplayNoise {
  const list = Array.isArray(draws) ? draws : null;
  const stacked = list === null ? (draws as tf.Tensor5D) : null;
  if (stacked !== null && stacked.rank !== 5) {
    throw new Error(`replayNoise: draws must be an array of NHWC tensors or one [calls, N, H, W, C] tensor, ` +
      `got shape [${stacked.shape.join(', ')}]`);
  }
  const length = list !== null ? list.length : stacked!.shape[0];
  let calls = 0;
  const fn = ((x: tf.Tensor4D): tf.Tensor4D => {
    if (calls >= length) {
      throw new Error(`replayNoise: randnLike called ${calls + 1} times, but only ${length} draws were recorded`);
    }
    const k = calls++;
    const draw = list !== null
      ? tf.clone(list[k]!)
      : tf.tidy(() => tf.squeeze(tf.slice(stacked!, [k, 0, 0, 0, 0], [1, -1, -1, -1, -1]), [0]));
    const same = draw.shape.length === x.shape.length && draw.shape.every((d: number, i: number) => d === x.shape[i]);
    if (!same) {
      draw.dispose();
      throw new Error(`replayNoise: draw ${k} has shape [${(list ? list[k]!.shape : stacked!.shape.slice(1)).join(', ')}]` +
        `, but randnLike was called for shape [${x.shape.join(', ')}] (NHWC)`);
    }
    if (draw.dtype === 'float32') return draw as tf.Tensor4D;
    const f = tf.cast(draw, 'float32') as tf.Tensor4D;
    draw.dispose();
    return f;
  }) as ReplayNoise;
  Object.defineProperty(fn, 'calls', { get: () => calls });
  Object.defineProperty(fn, 'length', { value: length });
  return fn;
}

/** Wraps a randnLike so that every draw is also kept (as a clone) in `draws`; the caller disposes them. */
export function recordNoise(randnLike: (x: tf.Tensor4D) => tf.Tensor4D): {
  randnLike: (x: tf.Tensor4D) => tf.Tensor4D;
  draws: tf.Tensor4D[];
} {
  const draws: tf.Tensor4D[] = [];
  return {
    draws,
    randnLike: (x) => {
      const d = randnLike(x);
      draws.push(tf.keep(tf.clone(d)));
      return d;
    },
  };
}
