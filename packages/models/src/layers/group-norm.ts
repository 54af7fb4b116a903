// Group normalisation (reference `GroupNorm`): groups = min(num_groups, C / min_channels_per_group),
// biased variance, per-channel affine. NHWC.
import * as tf from '@tensorflow/tfjs-core';
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
}

/**
 * GroupNorm with a custom gradient that saves only x and the per-group statistics (x_hat is recomputed):
 *   x_hat = (x - mu_g) / sqrt(var_g + eps),  y = x_hat w + b,
 *   dx = (g - mean_g(g) - x_hat mean_g(g x_hat)) / sqrt(var_g + eps) with g = dy w.
 */
export function groupNorm(x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D, numGroups: number, eps: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const g = numGroups;
  const grouped = [n, h * w, g, c / g];
  const op = tf.customGrad(((xs: tf.Tensor4D, wt: tf.Tensor1D, bs: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const xr = tf.reshape(xs, grouped);
    const { mean, variance } = tf.moments(xr, [1, 3], true);
    const inv = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(xr, mean), inv);
    save([xs, wt, mean, inv]);
    return {
      value: tf.add(tf.mul(tf.reshape(xhat, [n, h, w, c]), wt), bs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sMean, sInv] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const xh = tf.mul(tf.sub(tf.reshape(sx, grouped), sMean), sInv);
        const dyr = tf.reshape(dy, grouped);
        const dBias = tf.sum(dy, [0, 1, 2]);
        const dWeight = tf.reshape(tf.sum(tf.mul(dyr, xh), [0, 1]), [c]);
        const gx = tf.mul(dyr, tf.reshape(sw, [1, 1, g, c / g]));
        const dx = tf.mul(sInv, tf.sub(tf.sub(gx, tf.mean(gx, [1, 3], true)), tf.mul(xh, tf.mean(tf.mul(gx, xh), [1, 3], true))));
        return [tf.reshape(dx, [n, h, w, c]), dWeight, dBias];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, weight, bias) as tf.Tensor4D;
}
