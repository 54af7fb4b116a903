// Fully connected layer (reference `Linear`): y = x W^T + b, weight [out, in] in checkpoints, [in, out] here.
import * as tf from '@tensorflow/tfjs-core';
import { weightInit, type BuildContext, type InitOptions } from './init';
import type { ParamRef } from './param-store';

/** Options of {@link Linear}. */
export interface LinearOptions extends InitOptions {
  /** Add a bias (`bias`). Default true. */
  bias?: boolean;
}

/** Linear layer. */
export class Linear {
  readonly weight: ParamRef;
  readonly bias: ParamRef | null;

  constructor(ctx: BuildContext, prefix: string, readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    const mode = opts.initMode ?? 'kaiming_normal';
    const initWeight = opts.initWeight ?? 1;
    const initBias = opts.initBias ?? 0;
    const { rng, store } = ctx;
    this.weight = store.declare({
      name: `${prefix}.weight`, torchShape: [outFeatures, inFeatures], layout: 'oi', trainable: true,
      init: () => weightInit(rng, outFeatures * inFeatures, mode, inFeatures, outFeatures, initWeight),
    });
    this.bias = (opts.bias ?? true)
      ? store.declare({
        name: `${prefix}.bias`, torchShape: [outFeatures], layout: 'same', trainable: true,
        init: () => weightInit(rng, outFeatures, mode, inFeatures, outFeatures, initBias),
      })
      : null;
  }

  /** x: [N, in] -> [N, out]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    const y = tf.matMul(x, this.weight.value as tf.Tensor2D) as tf.Tensor2D;
    return this.bias ? (tf.add(y, this.bias.value) as tf.Tensor2D) : y;
  }
}
