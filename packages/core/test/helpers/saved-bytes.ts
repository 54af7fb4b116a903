// How much a function's gradients keep alive for the backward pass: the measure the memory tests of
// groupNormSilu (core) and of the U-Nets' lean ops (models) check against the tensors' shapes.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

type TapeState = { activeTape: { saved?: tf.Tensor[] }[] | null; gradientDepth: number };

/**
 * Bytes of the distinct buffers that f's gradients save for the backward pass, the `variables`' own buffers
 * left out: f runs under a tape (as in tf.grads), the tape's saved tensors are summed by buffer and released.
 * tfjs-internal: the tape is engine.state.activeTape (tfjs 4's EngineState), recorded while gradientDepth > 0.
 */
export function savedBytes(f: () => tf.Tensor, variables: tf.Variable[] = []): number {
  const state = (tf.engine() as unknown as { state: TapeState }).state;
  expect(state.gradientDepth).toBe(0);
  const skip = new Set(variables.map((v) => v.dataId));
  state.activeTape = [];
  state.gradientDepth++;
  let y: tf.Tensor;
  try {
    y = tf.tidy(f);
  } finally {
    state.gradientDepth--;
  }
  const bytes = new Map<tf.DataId, number>();
  for (const node of state.activeTape) {
    for (const t of node.saved ?? []) {
      if (!skip.has(t.dataId)) bytes.set(t.dataId, t.size * 4);
      t.dispose();
    }
  }
  state.activeTape = null;
  y.dispose();
  return [...bytes.values()].reduce((s, v) => s + v, 0);
}
