// Injectable random sources: where the losses (and anything else random in @edm/core) draw from, so a test
// can pass fixed or recorded draws and a run can be made reproducible.
import * as tf from '@tensorflow/tfjs-core';
import { Xoshiro128 } from './prng';

/** A source of random tensors (float32). */
export interface RandomSource {
  /** Standard normal N(0, 1) draws of the given shape (the reference's torch.randn). */
  normal(shape: number[]): tf.Tensor;
  /** Uniform U[0, 1) draws of the given shape (the reference's torch.rand). */
  uniform(shape: number[]): tf.Tensor;
}

/** tfjs's own random ops (fast, on the backend; seeded by tfjs, not reproducible across backends). */
export const tfRandomSource: RandomSource = {
  normal: (shape) => tf.randomNormal(shape, 0, 1, 'float32'),
  uniform: (shape) => tf.randomUniform(shape, 0, 1, 'float32'),
};

/**
 * One seeded stream (xoshiro128**, Box-Muller; `stream` selects one of the seed's independent streams, as in
 * Xoshiro128), generated in JavaScript: identical on every backend.
 */
export function seededRandomSource(seed: number, stream = 0): RandomSource {
  const g = new Xoshiro128(seed, stream);
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  return {
    normal: (shape) => tf.tensor(g.fillNormal(new Float32Array(size(shape))), shape, 'float32'),
    uniform: (shape) => tf.tensor(g.fillUniform(new Float32Array(size(shape))), shape, 'float32'),
  };
}
