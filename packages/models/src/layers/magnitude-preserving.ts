// The magnitude-preserving primitives of EDM2 (Karras et al. 2024, Appendix B; reference networks_edm2.py):
//   mp_silu(x)       = silu(x) / 0.596                                            (eq. 81)
//   mp_sum(a, b; t)  = ((1 - t) a + t b) / sqrt((1 - t)^2 + t^2)                  (eq. 88)
//   mp_cat(a, b; t)  = [w_a a, w_b b],  C = sqrt((N_a + N_b) / ((1 - t)^2 + t^2)),
//                      w_a = C (1 - t) / sqrt(N_a),  w_b = C t / sqrt(N_b)        (eq. 103)
// each keeping unit-variance inputs at unit variance. Built from ops whose gradients keep no tensors (or only
// x for the SiLU): scaled sums and concatenations save nothing for the backward pass.
import * as tf from '@tensorflow/tfjs-core';
import { silu } from '@edm/core';
import { leanConcat } from './lean-concat';
import { leanScale } from './lean-reshape';

/** 1 / 0.596: the SiLU of a unit normal has RMS 0.596. */
const MP_SILU_GAIN = 1 / 0.596;

/** silu(x) / 0.596; the gradient keeps only x. */
export function mpSilu<T extends tf.Tensor>(x: T): T {
  return leanScale(silu(x), MP_SILU_GAIN);
}

/** ((1 - t) a + t b) / sqrt((1 - t)^2 + t^2) for a and b of one shape; the gradient keeps no tensors. */
export function mpSum<T extends tf.Tensor>(a: T, b: T, t = 0.5): T {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new Error(`mpSum: inputs must have one shape, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  const norm = Math.sqrt((1 - t) ** 2 + t ** 2);
  const wa = (1 - t) / norm;
  const wb = t / norm;
  const op = tf.customGrad(((x: tf.Tensor, y: tf.Tensor) => ({
    value: tf.add(tf.mul(x, wa), tf.mul(y, wb)),
    gradFunc: (dy: tf.Tensor) => [tf.mul(dy, wa), tf.mul(dy, wb)],
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(a, b) as T;
}

/** [w_a a, w_b b] along `axis` (eq. 103); the gradient keeps no tensors. */
export function mpCat<T extends tf.Tensor>(a: T, b: T, axis: number, t = 0.5): T {
  const ax = axis < 0 ? axis + a.rank : axis;
  const na = a.shape[ax]!;
  const nb = b.shape[ax]!;
  const c = Math.sqrt((na + nb) / ((1 - t) ** 2 + t ** 2));
  return leanConcat([leanScale(a, (c / Math.sqrt(na)) * (1 - t)), leanScale(b, (c / Math.sqrt(nb)) * t)], ax);
}
