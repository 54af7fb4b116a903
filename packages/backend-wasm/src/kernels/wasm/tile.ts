// Tile for wasm as copies: tfjs-backend-wasm 4.22 tiles with a per-element index loop (17% of a DDPM++
// forward pass, from the 2x nearest-neighbour upsampling). Repeating a tensor `r` times along an axis is
// concatenating `r` copies of it, which wasm's Concat does with block copies (typed-array set).
// Values are moved, never computed: the result is bit-identical.
import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from '../geometry';

/** More copies than this along one axis stay on the original kernel (one Concat input per copy). */
const MAX_COPIES = 16;

/** Wraps the original wasm Tile kernel (kept for strings and large repeat counts). */
export function concatTile(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    const { reps } = args.attrs as unknown as { reps: number[] };
    if (x.dtype === 'string' || reps.some((r) => r > MAX_COPIES) || reps.every((r) => r === 1)) return original(args);
    return tf.tidy(() => {
      let y = asTensor(x);
      reps.forEach((r, axis) => {
        if (r > 1) y = tf.concat(new Array<tf.Tensor>(r).fill(y), axis);
      });
      return y;
    });
  };
}
