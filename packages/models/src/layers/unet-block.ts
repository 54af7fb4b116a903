// The residual U-Net block shared by both networks (reference `UNetBlock`):
//   h = conv0(silu(norm0(x)))                                   (optional 2x up/down inside conv0)
//   adaptive_scale: h = silu(shift + norm1(h) (scale + 1)), [scale, shift] = affine(emb)
//   otherwise:      h = silu(norm1(h + affine(emb)))
//   h = (conv1(dropout(h)) + skip(x)) * skip_scale
//   attention:      h = (proj(attn(qkv(norm2(h)))) + h) * skip_scale
import * as tf from '@tensorflow/tfjs-core';
import { selfAttention } from './attention';
import { Conv2d } from './conv2d';
import { GroupNorm } from './group-norm';
import type { BuildContext, InitOptions } from './init';
import { leanAdd } from './lean-add';
import { Linear } from './linear';
import { scaledSum } from './scaled-sum';
import { silu } from './silu';

/** Options of {@link UNetBlock} (the reference's keyword names in parentheses). */
export interface UNetBlockOptions {
  /** Embedding channels (`emb_channels`). */
  embChannels: number;
  /** Upsample 2x (`up`). Default false. */
  up?: boolean;
  /** Downsample 2x (`down`). Default false. */
  down?: boolean;
  /** Self-attention after the residual part (`attention`). Default false. */
  attention?: boolean;
  /** Attention heads (`num_heads`); default out_channels / channelsPerHead. */
  numHeads?: number | null;
  /** Channels per head when numHeads is not given (`channels_per_head`). Default 64. */
  channelsPerHead?: number;
  /** Dropout probability before conv1 in training mode (`dropout`). Default 0. */
  dropout?: number;
  /** Scale of the residual sums (`skip_scale`; 1/sqrt(2) in DDPM++/NCSN++). Default 1. */
  skipScale?: number;
  /** GroupNorm epsilon (`eps`). Default 1e-5. */
  eps?: number;
  /** Resample FIR taps (`resample_filter`). Default [1, 1]. */
  resampleFilter?: number[];
  /** 1x1 projection on a resampled skip even when channels match (`resample_proj`). Default false. */
  resampleProj?: boolean;
  /** Scale-and-shift conditioning instead of an additive bias (`adaptive_scale`). Default true. */
  adaptiveScale?: boolean;
  /** Init of conv0, affine, skip (`init`). */
  init?: InitOptions;
  /** Init of conv1 and proj (`init_zero`). Default {initWeight: 0}. */
  initZero?: InitOptions;
  /** Init of qkv (`init_attn`); default `init`. */
  initAttn?: InitOptions | null;
}

/** One U-Net residual block. */
export class UNetBlock {
  readonly numHeads: number;
  readonly dropout: number;
  readonly skipScale: number;
  readonly adaptiveScale: boolean;
  readonly norm0: GroupNorm;
  readonly conv0: Conv2d;
  readonly affine: Linear;
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly skip: Conv2d | null;
  readonly norm2: GroupNorm | null = null;
  readonly qkv: Conv2d | null = null;
  readonly proj: Conv2d | null = null;

  constructor(ctx: BuildContext, prefix: string, readonly inChannels: number, readonly outChannels: number, opts: UNetBlockOptions) {
    const up = opts.up ?? false;
    const down = opts.down ?? false;
    const eps = opts.eps ?? 1e-5;
    const resampleFilter = opts.resampleFilter ?? [1, 1];
    const init = opts.init ?? {};
    const initZero = opts.initZero ?? { initWeight: 0 };
    this.numHeads = !opts.attention ? 0 : (opts.numHeads ?? Math.floor(outChannels / (opts.channelsPerHead ?? 64)));
    this.dropout = opts.dropout ?? 0;
    this.skipScale = opts.skipScale ?? 1;
    this.adaptiveScale = opts.adaptiveScale ?? true;

    this.norm0 = new GroupNorm(ctx, `${prefix}.norm0`, inChannels, { eps });
    this.conv0 = new Conv2d(ctx, `${prefix}.conv0`, inChannels, outChannels, 3, { up, down, resampleFilter, ...init });
    this.affine = new Linear(ctx, `${prefix}.affine`, opts.embChannels, outChannels * (this.adaptiveScale ? 2 : 1), init);
    this.norm1 = new GroupNorm(ctx, `${prefix}.norm1`, outChannels, { eps });
    this.conv1 = new Conv2d(ctx, `${prefix}.conv1`, outChannels, outChannels, 3, initZero);
    this.skip = null;
    if (outChannels !== inChannels || up || down) {
      const kernel = opts.resampleProj || outChannels !== inChannels ? 1 : 0;
      this.skip = new Conv2d(ctx, `${prefix}.skip`, inChannels, outChannels, kernel, { up, down, resampleFilter, ...init });
    }
    if (this.numHeads) {
      if (outChannels % this.numHeads !== 0) {
        throw new Error(`${prefix}: ${outChannels} channels do not split into ${this.numHeads} attention heads`);
      }
      this.norm2 = new GroupNorm(ctx, `${prefix}.norm2`, outChannels, { eps });
      this.qkv = new Conv2d(ctx, `${prefix}.qkv`, outChannels, outChannels * 3, 1, opts.initAttn ?? init);
      this.proj = new Conv2d(ctx, `${prefix}.proj`, outChannels, outChannels, 1, initZero);
    }
  }

  /**
   * x: [N, H, W, in], emb: [N, embChannels] -> [N, H', W', out]. In training mode with dropout > 0, `seed` (an
   * integer, see {@link trainingSeed}) fixes the dropout mask; undefined draws it from tfjs's global generator.
   */
  apply(x: tf.Tensor4D, emb: tf.Tensor2D, training = false, seed?: number): tf.Tensor4D {
    return tf.tidy(() => {
      const n = x.shape[0];
      // GroupNorm + SiLU as one op, and sums whose gradients keep no tensors (lean-add.ts, scaled-sum.ts):
      // the same values and gradients as the plain ops, fewer activations kept for the backward pass.
      let h = this.conv0.apply(this.norm0.applySilu(x));
      const params = tf.reshape(this.affine.apply(emb), [n, 1, 1, -1]) as tf.Tensor4D;
      if (this.adaptiveScale) {
        const [scale, shift] = tf.split(params, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
        h = silu(leanAdd<tf.Tensor4D>(shift, tf.mul(this.norm1.apply(h), tf.add(scale, 1))));
      } else {
        h = this.norm1.applySilu(leanAdd(h, params));
      }
      if (training && this.dropout > 0) h = tf.dropout(h, this.dropout, undefined, seed) as tf.Tensor4D;
      h = this.conv1.apply(h);
      h = this.residual(h, this.skip ? this.skip.apply(x) : x);
      if (this.numHeads && this.norm2 && this.qkv && this.proj) {
        const a = selfAttention(this.qkv.apply(this.norm2.apply(h)), this.numHeads);
        h = this.residual(this.proj.apply(a), h);
      }
      return h;
    });
  }

  /** (a + b) skip_scale (just a + b when skip_scale is 1), saving nothing for the backward pass. */
  private residual(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
    return this.skipScale !== 1 ? scaledSum(a, b, this.skipScale) : leanAdd(a, b);
  }
}

/**
 * The seed of one random draw in a network's training-mode forward pass: a 32-bit hash of the pass seed
 * (`ForwardOptions.seed`) and the draw's index (0 = label dropout, 1.. = the U-Net blocks in order), so every
 * block gets its own, reproducible mask. Undefined when the pass is unseeded.
 */
export function trainingSeed(seed: number | undefined, index: number): number | undefined {
  if (seed === undefined) return undefined;
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d);
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Throws unless `seed` is undefined or an integer in [0, 2^32) (`ForwardOptions.seed` of network `where`). */
export function checkTrainingSeed(where: string, seed: unknown): number | undefined {
  if (seed === undefined) return undefined;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`${where}: option seed (training randomness) must be an integer in [0, 2^32), got ${String(seed)}`);
  }
  return seed;
}
