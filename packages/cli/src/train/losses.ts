// The loss of each preconditioning (train.py: edm -> EDMLoss, vp -> VPLoss, ve -> VELoss, reference
// defaults) and its noise-level draw: rnd_normal for EDM, rnd_uniform for VP/VE. The draws are made here from
// the step's seeded stream and passed to the loss, so a resumed run repeats them exactly.
import * as tf from '@tensorflow/tfjs-core';
import { EDMLoss, VELoss, VPLoss, type Loss, type Xoshiro128 } from '@edm/core';
import { edm2Loss, type EDM2Recipe } from './edm2-recipe';

/** A loss plus how to draw its `rnd` input. */
export interface LossChoice {
  loss: Loss;
  /** Draws the [n] noise-level input of the loss. */
  drawRnd(g: Xoshiro128, n: number): tf.Tensor1D;
}

const drawNormal = (g: Xoshiro128, n: number) => tf.tensor1d(g.fillNormal(new Float32Array(n)), 'float32');

/** Builds the loss for a preconditioning name, or EDM2's loss when the run has an EDM2 recipe. */
export function makeLoss(precond: 'edm' | 'vp' | 've', edm2?: EDM2Recipe): LossChoice {
  if (edm2) return { loss: edm2Loss(edm2), drawRnd: drawNormal };
  if (precond === 'edm') return { loss: new EDMLoss(), drawRnd: drawNormal };
  const loss = precond === 'vp' ? new VPLoss() : new VELoss();
  return { loss, drawRnd: (g, n) => tf.tensor1d(g.fillUniform(new Float32Array(n)), 'float32') };
}

/** Standard normal noise eps of the given NHWC shape from the step's stream. */
export function drawEps(g: Xoshiro128, shape: [number, number, number, number]): tf.Tensor4D {
  return tf.tensor4d(g.fillNormal(new Float32Array(shape[0] * shape[1] * shape[2] * shape[3])), shape, 'float32');
}
