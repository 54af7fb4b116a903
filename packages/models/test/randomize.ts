// Test helper: random weights for a network (the zero-initialised layers too), deterministic by seed.
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '../src/index';

/** Overwrites every trainable parameter with N(0, 1) / sqrt(fan_in) (vectors: fan_in 100), like the fixtures do. */
export function randomize(net: Network, seed: number): void {
  let s = seed;
  for (const spec of net.specs()) {
    if (!spec.trainable) continue;
    const v = net.parameters().get(spec.name)!;
    const fanIn = spec.torchShape.length >= 2 ? spec.torchShape.slice(1).reduce((a, b) => a * b, 1) : 100;
    tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 1 / Math.sqrt(fanIn), 'float32', s++)));
  }
}
