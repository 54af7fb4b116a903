// DhariwalUNet: the ADM architecture of Dhariwal & Nichol (NeurIPS 2021), as in the EDM reference
// (training/networks.py `DhariwalUNet`; EDM paper Appendix F.2, ImageNet-64 config). NHWC.
// Mapping: emb = silu(map_layer1(silu(map_layer0(pos_emb(c_noise) [+ map_augment(a)]))) [+ map_label(labels)]);
// blocks with adaptive scale-shift, GroupNorm eps 1e-5, 64 channels per attention head; output
// out_conv(silu(out_norm(x))).
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone, ForwardOptions } from '@edm/core';
import { Conv2d } from '../layers/conv2d';
import { PositionalEmbedding } from '../layers/embedding';
import { GroupNorm } from '../layers/group-norm';
import type { BuildContext, InitOptions } from '../layers/init';
import { leanConcat } from '../layers/lean-concat';
import { Linear } from '../layers/linear';
import { silu } from '../layers/silu';
import { UNetBlock, checkTrainingSeed, trainingSeed, type UNetBlockOptions } from '../layers/unet-block';
import { dropClassLabels } from './label-dropout';
import { resolveUNetKwargs, UNET_KWARGS, type UNetKwargs } from './unet-kwargs';

/** Constructor options of DhariwalUNet, with the reference's keyword names. */
export interface DhariwalUNetKwargs extends UNetKwargs {
  /** Base channel count (`model_channels`). Default 192. */
  model_channels?: number;
  /** Channel multiplier per resolution level (`channel_mult`). Default [1, 2, 3, 4]. */
  channel_mult?: number[];
  /** Residual blocks per level (`num_blocks`). Default 3. */
  num_blocks?: number;
  /** Resolutions with self-attention (`attn_resolutions`). Default [32, 16, 8]. */
  attn_resolutions?: number[];
}

/** Every kwarg name DhariwalUNet accepts. */
export const DHARIWAL_UNET_KWARGS = UNET_KWARGS;

/** Fills defaults and validates. */
export function resolveDhariwalUNetKwargs(kwargs: Record<string, unknown>): Required<DhariwalUNetKwargs> {
  return resolveUNetKwargs('DhariwalUNet', kwargs, DHARIWAL_UNET_KWARGS, {
    model_channels: 192, channel_mult: [1, 2, 3, 4], num_blocks: 3, attn_resolutions: [32, 16, 8],
  });
}

/** The ADM backbone. */
export class DhariwalUNet implements Backbone {
  readonly className = 'DhariwalUNet' as const;
  readonly kwargs: Required<DhariwalUNetKwargs>;
  private readonly mapNoise: PositionalEmbedding;
  private readonly mapAugment: Linear | null;
  private readonly mapLayer0: Linear;
  private readonly mapLayer1: Linear;
  private readonly mapLabel: Linear | null;
  private readonly enc: { name: string; layer: Conv2d | UNetBlock }[] = [];
  private readonly dec: { name: string; layer: UNetBlock }[] = [];
  private readonly outNorm: GroupNorm;
  private readonly outConv: Conv2d;

  constructor(ctx: BuildContext, prefix: string, kwargs: Record<string, unknown>) {
    const k = (this.kwargs = resolveDhariwalUNetKwargs(kwargs));
    const p = (s: string) => `${prefix}${s}`;
    const embChannels = k.model_channels * k.channel_mult_emb;
    const init: InitOptions = { initMode: 'kaiming_uniform', initWeight: Math.sqrt(1 / 3), initBias: Math.sqrt(1 / 3) };
    const initZero: InitOptions = { initMode: 'kaiming_uniform', initWeight: 0, initBias: 0 };
    const blockOpts: UNetBlockOptions = { embChannels, channelsPerHead: 64, dropout: k.dropout, init, initZero };

    // Mapping.
    this.mapNoise = new PositionalEmbedding(k.model_channels);
    this.mapAugment = k.augment_dim ? new Linear(ctx, p('map_augment'), k.augment_dim, k.model_channels, { bias: false, ...initZero }) : null;
    this.mapLayer0 = new Linear(ctx, p('map_layer0'), k.model_channels, embChannels, init);
    this.mapLayer1 = new Linear(ctx, p('map_layer1'), embChannels, embChannels, init);
    this.mapLabel = k.label_dim
      ? new Linear(ctx, p('map_label'), k.label_dim, embChannels, { bias: false, initMode: 'kaiming_normal', initWeight: Math.sqrt(k.label_dim) })
      : null;

    // Encoder.
    let cout = k.in_channels;
    const skips: number[] = [];
    k.channel_mult.forEach((mult, level) => {
      const res = k.img_resolution >> level;
      const n = (s: string) => `${res}x${res}_${s}`;
      const e = (s: string) => p(`enc.${n(s)}`);
      if (level === 0) {
        const cin = cout;
        cout = k.model_channels * mult;
        this.enc.push({ name: n('conv'), layer: new Conv2d(ctx, e('conv'), cin, cout, 3, init) });
      } else {
        this.enc.push({ name: n('down'), layer: new UNetBlock(ctx, e('down'), cout, cout, { ...blockOpts, down: true }) });
      }
      skips.push(cout);
      for (let idx = 0; idx < k.num_blocks; idx++) {
        const cin = cout;
        cout = k.model_channels * mult;
        const attention = k.attn_resolutions.includes(res);
        this.enc.push({ name: n(`block${idx}`), layer: new UNetBlock(ctx, e(`block${idx}`), cin, cout, { ...blockOpts, attention }) });
        skips.push(cout);
      }
    });

    // Decoder.
    const levels = k.channel_mult.length;
    for (let level = levels - 1; level >= 0; level--) {
      const mult = k.channel_mult[level]!;
      const res = k.img_resolution >> level;
      const n = (s: string) => `${res}x${res}_${s}`;
      const d = (s: string) => p(`dec.${n(s)}`);
      if (level === levels - 1) {
        this.dec.push({ name: n('in0'), layer: new UNetBlock(ctx, d('in0'), cout, cout, { ...blockOpts, attention: true }) });
        this.dec.push({ name: n('in1'), layer: new UNetBlock(ctx, d('in1'), cout, cout, blockOpts) });
      } else {
        this.dec.push({ name: n('up'), layer: new UNetBlock(ctx, d('up'), cout, cout, { ...blockOpts, up: true }) });
      }
      for (let idx = 0; idx <= k.num_blocks; idx++) {
        const cin = cout + skips.pop()!;
        cout = k.model_channels * mult;
        const attention = k.attn_resolutions.includes(res);
        this.dec.push({ name: n(`block${idx}`), layer: new UNetBlock(ctx, d(`block${idx}`), cin, cout, { ...blockOpts, attention }) });
      }
    }
    this.outNorm = new GroupNorm(ctx, p('out_norm'), cout);
    this.outConv = new Conv2d(ctx, p('out_conv'), cout, k.out_channels, 3, initZero);
  }

  apply(
    x: tf.Tensor4D, noiseLabels: tf.Tensor1D, classLabels?: tf.Tensor2D | null, augmentLabels?: tf.Tensor2D | null,
    options?: ForwardOptions,
  ): tf.Tensor4D {
    const training = options?.training ?? false;
    const seed = checkTrainingSeed('DhariwalUNet', options?.seed);
    let block = 0; // index of the next U-Net block's dropout draw (1..; 0 is the label dropout)
    const k = this.kwargs;
    return tf.tidy(() => {
      // Mapping.
      let emb = this.mapNoise.apply(noiseLabels);
      if (this.mapAugment && augmentLabels) emb = tf.add(emb, this.mapAugment.apply(augmentLabels));
      emb = silu(this.mapLayer0.apply(emb));
      emb = this.mapLayer1.apply(emb);
      if (this.mapLabel) {
        const labels = dropClassLabels('DhariwalUNet', classLabels, k.label_dim, k.label_dropout, training, seed);
        emb = tf.add(emb, this.mapLabel.apply(labels));
      }
      emb = silu(emb);

      // Encoder.
      const skips: tf.Tensor4D[] = [];
      let h = x;
      for (const e of this.enc) {
        h = e.layer instanceof UNetBlock ? e.layer.apply(h, emb, training, trainingSeed(seed, ++block)) : e.layer.apply(h);
        skips.push(h);
      }

      // Decoder.
      for (const d of this.dec) {
        if (h.shape[3] !== d.layer.inChannels) h = leanConcat([h, skips.pop()!], 3);
        h = d.layer.apply(h, emb, training, trainingSeed(seed, ++block));
      }
      return this.outConv.apply(this.outNorm.applySilu(h));
    });
  }
}
