// The EDM2 U-Net block (Karras et al. 2024, Figure 21; reference networks_edm2.py `Block`), encoder or decoder
// flavour, NHWC:
//   x = resample(x)                                   (2x down / up with the FIR filter, or kept)
//   encoder: x = conv_skip(x) when channels change;  x = normalize(x) over channels (pixel norm)
//   y = conv_res0(mp_silu(x));   c = emb_linear(emb, gain = emb_gain) + 1;   y = mp_silu(y c)
//   y = conv_res1(dropout(y))
//   decoder: x = conv_skip(x) when channels change
//   x = mp_sum(x, y; res_balance)
//   attention: q, k, v = pixel-normed split of attn_qkv(x);  x = mp_sum(x, attn_proj(attn(q, k, v)); attn_balance)
//   x = clip(x, -clip_act, clip_act)
// Every convolution and the embedding layer are MPConv (weight-normalised, magnitude-preserving).
import * as tf from '@tensorflow/tfjs-core';
import { selfAttention } from './attention';
import type { BuildContext } from './init';
import { leanClip } from './lean-clip';
import { mpSilu, mpSum } from './magnitude-preserving';
import { MPConv } from './mp-conv';
import { normalize } from './normalize';
import type { ParamRef } from './param-store';
import { downsample2x, isBoxTaps, resampleFilter2d, upsample2x } from './resample';

/** Options of {@link EDM2Block} (the reference's keyword names in parentheses). */
export interface EDM2BlockOptions {
  /** Embedding channels (`emb_channels`). */
  embChannels: number;
  /** 'enc' or 'dec' (`flavor`). */
  flavor: 'enc' | 'dec';
  /** 'keep', 'up' or 'down' (`resample_mode`). Default 'keep'. */
  resampleMode?: 'keep' | 'up' | 'down';
  /** Resampling FIR taps (`resample_filter`). Default [1, 1]. */
  resampleFilter?: number[];
  /** Self-attention (`attention`); heads = out_channels / channelsPerHead (none when that is 0). Default false. */
  attention?: boolean;
  /** Channels per attention head (`channels_per_head`). Default 64. */
  channelsPerHead?: number;
  /** Dropout probability before conv_res1 in training (`dropout`). Default 0. */
  dropout?: number;
  /** Balance between the main branch (0) and the residual branch (1) (`res_balance`). Default 0.3. */
  resBalance?: number;
  /** Balance between the main branch (0) and self-attention (1) (`attn_balance`). Default 0.3. */
  attnBalance?: number;
  /** Clip output activations to [-clipAct, clipAct]; null = no clipping (`clip_act`). Default 256. */
  clipAct?: number | null;
}

/** One EDM2 U-Net block. */
export class EDM2Block {
  readonly flavor: 'enc' | 'dec';
  readonly resampleMode: 'keep' | 'up' | 'down';
  readonly numHeads: number;
  readonly dropout: number;
  readonly resBalance: number;
  readonly attnBalance: number;
  readonly clipAct: number | null;
  readonly embGain: ParamRef;
  readonly convRes0: MPConv;
  readonly embLinear: MPConv;
  readonly convRes1: MPConv;
  readonly convSkip: MPConv | null;
  readonly attnQkv: MPConv | null;
  readonly attnProj: MPConv | null;
  private readonly taps: number[];
  private readonly filter: Float32Array;

  constructor(ctx: BuildContext, readonly prefix: string, readonly inChannels: number, readonly outChannels: number, opts: EDM2BlockOptions) {
    this.flavor = opts.flavor;
    this.resampleMode = opts.resampleMode ?? 'keep';
    this.taps = opts.resampleFilter ?? [1, 1];
    if (this.taps.length % 2 !== 0) {
      throw new Error(`${prefix}: resample_filter must have an even number of taps, got [${this.taps.join(', ')}]`);
    }
    this.filter = resampleFilter2d(this.taps);
    this.numHeads = opts.attention ? Math.floor(outChannels / (opts.channelsPerHead ?? 64)) : 0;
    if (this.numHeads && outChannels % this.numHeads !== 0) {
      throw new Error(`${prefix}: ${outChannels} channels do not split into ${this.numHeads} attention heads`);
    }
    this.dropout = opts.dropout ?? 0;
    this.resBalance = opts.resBalance ?? 0.3;
    this.attnBalance = opts.attnBalance ?? 0.3;
    this.clipAct = opts.clipAct === undefined ? 256 : opts.clipAct;

    // Declared in the reference's state_dict order.
    this.embGain = ctx.store.declare({
      name: `${prefix}.emb_gain`, torchShape: [1], layout: 'same', trainable: true, init: () => new Float32Array(1),
    });
    this.convRes0 = new MPConv(ctx, `${prefix}.conv_res0`, this.flavor === 'enc' ? outChannels : inChannels, outChannels, 3);
    this.embLinear = new MPConv(ctx, `${prefix}.emb_linear`, opts.embChannels, outChannels, 0);
    this.convRes1 = new MPConv(ctx, `${prefix}.conv_res1`, outChannels, outChannels, 3);
    this.convSkip = inChannels !== outChannels ? new MPConv(ctx, `${prefix}.conv_skip`, inChannels, outChannels, 1) : null;
    this.attnQkv = this.numHeads ? new MPConv(ctx, `${prefix}.attn_qkv`, outChannels, outChannels * 3, 1) : null;
    this.attnProj = this.numHeads ? new MPConv(ctx, `${prefix}.attn_proj`, outChannels, outChannels, 1) : null;
  }

  /** The MPConv layers of this block (for forced weight normalisation and inspection). */
  convs(): MPConv[] {
    return [this.convRes0, this.embLinear, this.convRes1, this.convSkip, this.attnQkv, this.attnProj]
      .filter((c): c is MPConv => c !== null);
  }

  /**
   * x: [N, H, W, in], emb: [N, embChannels] -> [N, H', W', out]. In training mode the MPConv weights are
   * force-normalised first, and with dropout > 0, `seed` fixes the dropout mask.
   */
  apply(x: tf.Tensor4D, emb: tf.Tensor2D, training = false, seed?: number): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.resample(x);
      if (this.flavor === 'enc') {
        if (this.convSkip) h = this.convSkip.apply(h, 1, training);
        h = normalize(h, [3]);
      }
      let y = this.convRes0.apply(mpSilu(h), 1, training);
      const c = tf.add(this.embLinear.apply(emb, this.embGain.value, training), 1);
      y = mpSilu(tf.mul(y, tf.reshape(c, [c.shape[0], 1, 1, c.shape[1]!])) as tf.Tensor4D);
      if (training && this.dropout > 0) y = tf.dropout(y, this.dropout, undefined, seed) as tf.Tensor4D;
      y = this.convRes1.apply(y, 1, training);
      if (this.flavor === 'dec' && this.convSkip) h = this.convSkip.apply(h, 1, training);
      h = mpSum(h, y, this.resBalance);
      if (this.numHeads && this.attnQkv && this.attnProj) {
        const a = selfAttention(this.attnQkv.apply(h, 1, training), this.numHeads, true);
        h = mpSum(h, this.attnProj.apply(a, 1, training), this.attnBalance);
      }
      return this.clipAct === null ? h : leanClip(h, this.clipAct);
    });
  }

  private resample(x: tf.Tensor4D): tf.Tensor4D {
    if (this.resampleMode === 'keep') return x;
    return tf.tidy(() => {
      const k = this.taps.length;
      const f = tf.tensor2d(this.filter, [k, k]);
      const pad = Math.floor((k - 1) / 2);
      const box = isBoxTaps(this.taps);
      return this.resampleMode === 'down' ? downsample2x(x, f, pad, box) : upsample2x(x, f, pad, box);
    });
  }
}
