// Group normalisation (reference `GroupNorm`): groups = min(num_groups, C / min_channels_per_group),
// biased variance, per-channel affine. NHWC. The ops (fused kernels where the backend has them; GroupNorm then
// SiLU as one op that saves less for the backward pass) are @edm/core's.
import type * as tf from '@tensorflow/tfjs-core';
import { groupNorm, groupNormSilu } from '@edm/core';
import type { BuildContext } from './init';
import type { ParamRef } from './param-store';

/** Options of {@link GroupNorm}. */
export interface GroupNormOptions {
  /** Upper bound on the number of groups (`num_groups`). Default 32. */
  numGroups?: number;
  /** Lower bound on channels per group (`min_channels_per_group`). Default 4. */
  minChannelsPerGroup?: number;
  /** epsilon added to the variance (`eps`). Default 1e-5. */
  eps?: number;
}

/** GroupNorm over [N, H, W, C]. */
export class GroupNorm {
  readonly numGroups: number;
  readonly eps: number;
  readonly weight: ParamRef;
  readonly bias: ParamRef;

  constructor(ctx: BuildContext, prefix: string, readonly numChannels: number, opts: GroupNormOptions = {}) {
    this.numGroups = Math.min(opts.numGroups ?? 32, Math.floor(numChannels / (opts.minChannelsPerGroup ?? 4)));
    if (this.numGroups < 1 || numChannels % this.numGroups !== 0) {
      throw new Error(`${prefix}: GroupNorm of ${numChannels} channels: ${this.numGroups} groups do not divide the channels (need at least 4 channels per group)`);
    }
    this.eps = opts.eps ?? 1e-5;
    this.weight = ctx.store.declare({
      name: `${prefix}.weight`, torchShape: [numChannels], layout: 'same', trainable: true,
      init: () => new Float32Array(numChannels).fill(1),
    });
    this.bias = ctx.store.declare({
      name: `${prefix}.bias`, torchShape: [numChannels], layout: 'same', trainable: true,
      init: () => new Float32Array(numChannels),
    });
  }

  /** x: [N, H, W, C] -> normalised [N, H, W, C]. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return groupNorm(x, this.weight.value as tf.Tensor1D, this.bias.value as tf.Tensor1D, this.numGroups, this.eps);
  }

  /**
   * silu(apply(x)) as one op (@edm/core `groupNormSilu`): the same values and gradients, but the backward
   * pass keeps only x (the normalised tensor is recomputed there), one activation less per call.
   */
  applySilu(x: tf.Tensor4D): tf.Tensor4D {
    return groupNormSilu(x, this.weight.value as tf.Tensor1D, this.bias.value as tf.Tensor1D, this.numGroups, this.eps);
  }
}
