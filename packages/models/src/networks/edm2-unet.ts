// The EDM2 U-Net (Karras et al., "Analyzing and Improving the Training Dynamics of Diffusion Models", CVPR
// 2024, Figure 21; reference networks_edm2.py `UNet`). NHWC.
// Embedding: emb = mp_silu(mp_sum(emb_noise(MPFourier(c_noise)), emb_label(labels sqrt(label_dim)); label_balance))
// Encoder: the input gets a constant ones channel; per level [16x16_conv | down block] + num_blocks blocks,
// every output kept as a skip. Decoder: per level [in0 (attention) + in1 | up block] + num_blocks + 1 blocks,
// each on mp_cat(x, skip; concat_balance). Output: out_conv(x, gain = out_gain).
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone, ForwardOptions } from '@edm/core';
import { EDM2Block, type EDM2BlockOptions } from '../layers/edm2-block';
import type { BuildContext } from '../layers/init';
import { leanConcat } from '../layers/lean-concat';
import { mpCat, mpSilu, mpSum } from '../layers/magnitude-preserving';
import { MPConv } from '../layers/mp-conv';
import { MPFourier } from '../layers/mp-fourier';
import type { ParamRef } from '../layers/param-store';
import { checkTrainingSeed, trainingSeed } from '../layers/unet-block';
import { checkKnownKwargs, intKwarg, intListKwarg, numKwarg, numListKwarg } from './kwargs';

/** Constructor options of the EDM2 U-Net, with the reference's keyword names. */
export interface EDM2UNetKwargs {
  /** Image resolution H = W (`img_resolution`). */
  img_resolution: number;
  /** Image channels (`img_channels`). */
  img_channels: number;
  /** Class-label dimensionality, 0 = unconditional (`label_dim`). */
  label_dim: number;
  /** Base channel count (`model_channels`). Default 192. */
  model_channels?: number;
  /** Channel multiplier per resolution level (`channel_mult`). Default [1, 2, 3, 4]. */
  channel_mult?: number[];
  /** Noise-embedding channels = model_channels x this; null = the first level's channels (`channel_mult_noise`). */
  channel_mult_noise?: number | null;
  /** Embedding channels = model_channels x this; null = the widest level's channels (`channel_mult_emb`). */
  channel_mult_emb?: number | null;
  /** Blocks per level (`num_blocks`). Default 3. */
  num_blocks?: number;
  /** Resolutions with self-attention (`attn_resolutions`). Default [16, 8]. */
  attn_resolutions?: number[];
  /** Balance between the noise (0) and class (1) embeddings (`label_balance`). Default 0.5. */
  label_balance?: number;
  /** Balance between skips (0) and the main path (1) (`concat_balance`). Default 0.5. */
  concat_balance?: number;
  /** Block: resampling FIR taps (`resample_filter`). Default [1, 1]. */
  resample_filter?: number[];
  /** Block: channels per attention head (`channels_per_head`). Default 64. */
  channels_per_head?: number;
  /** Block: dropout probability in training (`dropout`). Default 0. */
  dropout?: number;
  /** Block: main (0) vs residual (1) branch (`res_balance`). Default 0.3. */
  res_balance?: number;
  /** Block: main (0) vs attention (1) (`attn_balance`). Default 0.3. */
  attn_balance?: number;
  /** Block: output clipping, null = none (`clip_act`). Default 256. */
  clip_act?: number | null;
}

/** Every kwarg the EDM2 U-Net accepts (its own and its blocks'). */
export const EDM2_UNET_KWARGS = [
  'img_resolution', 'img_channels', 'label_dim', 'model_channels', 'channel_mult', 'channel_mult_noise',
  'channel_mult_emb', 'num_blocks', 'attn_resolutions', 'label_balance', 'concat_balance', 'resample_filter',
  'channels_per_head', 'dropout', 'res_balance', 'attn_balance', 'clip_act',
] as const;

/** Fills defaults and validates; throws naming the kwarg. */
export function resolveEDM2UNetKwargs(kwargs: Record<string, unknown>): Required<EDM2UNetKwargs> {
  const w = 'EDM2 UNet';
  checkKnownKwargs(w, kwargs, EDM2_UNET_KWARGS);
  const k = kwargs as Partial<EDM2UNetKwargs>;
  const optionalInt = (name: 'channel_mult_noise' | 'channel_mult_emb') =>
    k[name] === undefined || k[name] === null ? null : intKwarg(w, name, k[name], 1);
  const channelMult = intListKwarg(w, 'channel_mult', k.channel_mult ?? [1, 2, 3, 4], 1, false);
  const r: Required<EDM2UNetKwargs> = {
    img_resolution: intKwarg(w, 'img_resolution', k.img_resolution, 1),
    img_channels: intKwarg(w, 'img_channels', k.img_channels, 1),
    label_dim: intKwarg(w, 'label_dim', k.label_dim ?? 0),
    model_channels: intKwarg(w, 'model_channels', k.model_channels ?? 192, 1),
    channel_mult: channelMult,
    channel_mult_noise: optionalInt('channel_mult_noise'),
    channel_mult_emb: optionalInt('channel_mult_emb'),
    num_blocks: intKwarg(w, 'num_blocks', k.num_blocks ?? 3),
    attn_resolutions: intListKwarg(w, 'attn_resolutions', k.attn_resolutions ?? [16, 8], 1),
    label_balance: numKwarg(w, 'label_balance', k.label_balance ?? 0.5, 0, 1),
    concat_balance: numKwarg(w, 'concat_balance', k.concat_balance ?? 0.5, 0, 1),
    resample_filter: numListKwarg(w, 'resample_filter', k.resample_filter ?? [1, 1]),
    channels_per_head: intKwarg(w, 'channels_per_head', k.channels_per_head ?? 64, 1),
    dropout: numKwarg(w, 'dropout', k.dropout ?? 0, 0, 1),
    res_balance: numKwarg(w, 'res_balance', k.res_balance ?? 0.3, 0, 1),
    attn_balance: numKwarg(w, 'attn_balance', k.attn_balance ?? 0.3, 0, 1),
    clip_act: k.clip_act === undefined ? 256 : k.clip_act === null ? null : numKwarg(w, 'clip_act', k.clip_act, 0),
  };
  const levels = 2 ** (channelMult.length - 1);
  if (r.img_resolution % levels !== 0) {
    throw new Error(`${w}: img_resolution ${r.img_resolution} must be divisible by 2^(len(channel_mult) - 1) = ${levels}`);
  }
  return r;
}

type EncLayer = { name: string; conv: MPConv; block?: undefined } | { name: string; block: EDM2Block; conv?: undefined };

/** The EDM2 backbone F_theta. */
export class EDM2UNet implements Backbone {
  readonly className = 'EDM2UNet' as const;
  readonly kwargs: Required<EDM2UNetKwargs>;
  readonly outGain: ParamRef;
  private readonly embFourier: MPFourier;
  private readonly embNoise: MPConv;
  private readonly embLabel: MPConv | null;
  private readonly enc: EncLayer[] = [];
  private readonly dec: Array<{ name: string; block: EDM2Block; concat: boolean }> = [];
  private readonly outConv: MPConv;

  constructor(ctx: BuildContext, prefix: string, kwargs: Record<string, unknown>) {
    const k = (this.kwargs = resolveEDM2UNetKwargs(kwargs));
    const p = (s: string) => `${prefix}${s}`;
    const cblock = k.channel_mult.map((m) => k.model_channels * m);
    const cnoise = k.channel_mult_noise !== null ? k.model_channels * k.channel_mult_noise : cblock[0]!;
    const cemb = k.channel_mult_emb !== null ? k.model_channels * k.channel_mult_emb : Math.max(...cblock);
    const blockOpts: Omit<EDM2BlockOptions, 'flavor'> = {
      embChannels: cemb, resampleFilter: k.resample_filter, channelsPerHead: k.channels_per_head, dropout: k.dropout,
      resBalance: k.res_balance, attnBalance: k.attn_balance, clipAct: k.clip_act,
    };

    // Declared in the reference's state_dict order.
    this.outGain = ctx.store.declare({
      name: p('out_gain'), torchShape: [1], layout: 'same', trainable: true, init: () => new Float32Array(1),
    });
    this.embFourier = new MPFourier(ctx, p('emb_fourier'), cnoise);
    this.embNoise = new MPConv(ctx, p('emb_noise'), cnoise, cemb, 0);
    this.embLabel = k.label_dim ? new MPConv(ctx, p('emb_label'), k.label_dim, cemb, 0) : null;

    // Encoder.
    let cout = k.img_channels + 1;
    cblock.forEach((channels, level) => {
      const res = k.img_resolution >> level;
      const e = (s: string) => ({ name: `${res}x${res}_${s}`, prefix: p(`enc.${res}x${res}_${s}`) });
      if (level === 0) {
        const cin = cout;
        cout = channels;
        const n = e('conv');
        this.enc.push({ name: n.name, conv: new MPConv(ctx, n.prefix, cin, cout, 3) });
      } else {
        const n = e('down');
        this.enc.push({ name: n.name, block: new EDM2Block(ctx, n.prefix, cout, cout, { ...blockOpts, flavor: 'enc', resampleMode: 'down' }) });
      }
      for (let idx = 0; idx < k.num_blocks; idx++) {
        const cin = cout;
        cout = channels;
        const n = e(`block${idx}`);
        this.enc.push({
          name: n.name,
          block: new EDM2Block(ctx, n.prefix, cin, cout, { ...blockOpts, flavor: 'enc', attention: k.attn_resolutions.includes(res) }),
        });
      }
    });

    // Decoder.
    const skips = this.enc.map((l) => (l.conv ? l.conv.outChannels : l.block.outChannels));
    for (let level = cblock.length - 1; level >= 0; level--) {
      const channels = cblock[level]!;
      const res = k.img_resolution >> level;
      const d = (s: string) => ({ name: `${res}x${res}_${s}`, prefix: p(`dec.${res}x${res}_${s}`) });
      const push = (s: string, cin: number, c: number, o: Partial<EDM2BlockOptions>, concat = false) => {
        const n = d(s);
        this.dec.push({ name: n.name, block: new EDM2Block(ctx, n.prefix, cin, c, { ...blockOpts, flavor: 'dec', ...o }), concat });
      };
      if (level === cblock.length - 1) {
        push('in0', cout, cout, { attention: true });
        push('in1', cout, cout, {});
      } else {
        push('up', cout, cout, { resampleMode: 'up' });
      }
      for (let idx = 0; idx <= k.num_blocks; idx++) {
        const cin = cout + skips.pop()!;
        cout = channels;
        push(`block${idx}`, cin, cout, { attention: k.attn_resolutions.includes(res) }, true);
      }
    }
    this.outConv = new MPConv(ctx, p('out_conv'), cout, k.img_channels, 3);
  }

  /** Every MPConv of the U-Net, in declaration order. */
  convs(): MPConv[] {
    const out: MPConv[] = [this.embNoise];
    if (this.embLabel) out.push(this.embLabel);
    for (const l of this.enc) out.push(...(l.conv ? [l.conv] : l.block.convs()));
    for (const l of this.dec) out.push(...l.block.convs());
    out.push(this.outConv);
    return out;
  }

  apply(
    x: tf.Tensor4D, noiseLabels: tf.Tensor1D, classLabels?: tf.Tensor2D | null, _augmentLabels?: tf.Tensor2D | null,
    options?: ForwardOptions,
  ): tf.Tensor4D {
    const training = options?.training ?? false;
    const seed = checkTrainingSeed('EDM2 UNet', options?.seed);
    const k = this.kwargs;
    if (k.label_dim && !classLabels) throw new Error(`EDM2 UNet: classLabels [N, ${k.label_dim}] are required (label_dim = ${k.label_dim})`);
    let block = 0; // index of the next block's dropout draw
    return tf.tidy(() => {
      // Embedding.
      let emb = this.embNoise.apply(this.embFourier.apply(noiseLabels), 1, training);
      if (this.embLabel && classLabels) {
        const label = this.embLabel.apply(tf.mul(classLabels, Math.sqrt(classLabels.shape[1])) as tf.Tensor2D, 1, training);
        emb = mpSum(emb, label, k.label_balance);
      }
      emb = mpSilu(emb);

      // Encoder, on x with a constant ones channel.
      const [n, h, w] = x.shape;
      let y: tf.Tensor4D = leanConcat([x, tf.ones([n, h, w, 1])], 3);
      const skips: tf.Tensor4D[] = [];
      for (const l of this.enc) {
        y = l.conv ? l.conv.apply(y, 1, training) : l.block.apply(y, emb, training, trainingSeed(seed, ++block));
        skips.push(y);
      }

      // Decoder.
      for (const l of this.dec) {
        if (l.concat) y = mpCat(y, skips.pop()!, 3, k.concat_balance);
        y = l.block.apply(y, emb, training, trainingSeed(seed, ++block));
      }
      return this.outConv.apply(y, this.outGain.value, training);
    });
  }
}
