// SongUNet: the DDPM++ and NCSN++ architectures of Song et al. (ICLR 2021), as in the EDM reference
// (training/networks.py `SongUNet`; EDM paper Appendix F.2, configs A-F of Table 2). NHWC.
// Mapping: emb = silu(map_layer1(silu(map_layer0(noise_emb(c_noise) [+ map_label(labels sqrt(label_dim))]
//          [+ map_augment(augment_labels)])))), noise_emb with sin/cos swapped as the reference does.
// Encoder per level: [down block | conv] + num_blocks blocks (+ aux skip/residual path); decoder per level:
// [in0 (attention) + in1 | up block] + num_blocks+1 blocks on concatenated skips (+ aux skip output).
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone, ForwardOptions } from '@edm/core';
import { Conv2d } from '../layers/conv2d';
import { FourierEmbedding, PositionalEmbedding } from '../layers/embedding';
import { GroupNorm } from '../layers/group-norm';
import type { BuildContext, InitOptions } from '../layers/init';
import { leanAdd } from '../layers/lean-add';
import { leanConcat } from '../layers/lean-concat';
import { Linear } from '../layers/linear';
import { silu } from '../layers/silu';
import { UNetBlock, checkTrainingSeed, trainingSeed, type UNetBlockOptions } from '../layers/unet-block';
import { enumKwarg, intKwarg, numListKwarg } from './kwargs';
import { dropClassLabels } from './label-dropout';
import { resolveUNetKwargs, UNET_KWARGS, type UNetKwargs } from './unet-kwargs';

/** Constructor options of SongUNet, with the reference's keyword names. */
export interface SongUNetKwargs extends UNetKwargs {
  /** Base channel count (`model_channels`). Default 128. */
  model_channels?: number;
  /** Channel multiplier per resolution level (`channel_mult`). Default [1, 2, 2, 2]. */
  channel_mult?: number[];
  /** Residual blocks per level (`num_blocks`). Default 4. */
  num_blocks?: number;
  /** Resolutions with self-attention (`attn_resolutions`). Default [16]. */
  attn_resolutions?: number[];
  /** Noise embedding: 'positional' (DDPM++) or 'fourier' (NCSN++) (`embedding_type`). Default 'positional'. */
  embedding_type?: 'positional' | 'fourier';
  /** Noise-embedding channels = model_channels x this (`channel_mult_noise`; 2 for NCSN++). Default 1. */
  channel_mult_noise?: number;
  /** Encoder: 'standard' (DDPM++), 'skip' or 'residual' (NCSN++) (`encoder_type`). Default 'standard'. */
  encoder_type?: 'standard' | 'skip' | 'residual';
  /** Decoder: 'standard' (DDPM++) or 'skip' (NCSN++) (`decoder_type`). Default 'standard'. */
  decoder_type?: 'standard' | 'skip';
  /** Resampling FIR taps: [1, 1] (DDPM++) or [1, 3, 3, 1] (NCSN++) (`resample_filter`). Default [1, 1]. */
  resample_filter?: number[];
}

/** Every kwarg name SongUNet accepts. */
export const SONG_UNET_KWARGS = [
  ...UNET_KWARGS, 'embedding_type', 'channel_mult_noise', 'encoder_type', 'decoder_type', 'resample_filter',
] as const;

/** Fills defaults and validates. */
export function resolveSongUNetKwargs(kwargs: Record<string, unknown>): Required<SongUNetKwargs> {
  const w = 'SongUNet';
  const common = resolveUNetKwargs(w, kwargs, SONG_UNET_KWARGS, {
    model_channels: 128, channel_mult: [1, 2, 2, 2], num_blocks: 4, attn_resolutions: [16],
  });
  const k = kwargs as Partial<SongUNetKwargs>;
  return {
    ...common,
    embedding_type: enumKwarg(w, 'embedding_type', k.embedding_type ?? 'positional', ['positional', 'fourier'] as const),
    channel_mult_noise: intKwarg(w, 'channel_mult_noise', k.channel_mult_noise ?? 1, 1),
    encoder_type: enumKwarg(w, 'encoder_type', k.encoder_type ?? 'standard', ['standard', 'skip', 'residual'] as const),
    decoder_type: enumKwarg(w, 'decoder_type', k.decoder_type ?? 'standard', ['standard', 'skip'] as const),
    resample_filter: numListKwarg(w, 'resample_filter', k.resample_filter ?? [1, 1]),
  };
}

type EncLayer =
  | { kind: 'conv'; name: string; layer: Conv2d }
  | { kind: 'block'; name: string; layer: UNetBlock }
  | { kind: 'aux_down'; name: string; layer: Conv2d }
  | { kind: 'aux_skip'; name: string; layer: Conv2d }
  | { kind: 'aux_residual'; name: string; layer: Conv2d };

type DecLayer =
  | { kind: 'block'; name: string; layer: UNetBlock }
  | { kind: 'aux_up'; name: string; layer: Conv2d }
  | { kind: 'aux_norm'; name: string; layer: GroupNorm }
  | { kind: 'aux_conv'; name: string; layer: Conv2d };

/** The DDPM++ / NCSN++ backbone. */
export class SongUNet implements Backbone {
  readonly className = 'SongUNet' as const;
  readonly kwargs: Required<SongUNetKwargs>;
  private readonly mapNoise: PositionalEmbedding | FourierEmbedding;
  private readonly mapLabel: Linear | null;
  private readonly mapAugment: Linear | null;
  private readonly mapLayer0: Linear;
  private readonly mapLayer1: Linear;
  private readonly enc: EncLayer[] = [];
  private readonly dec: DecLayer[] = [];

  constructor(ctx: BuildContext, prefix: string, kwargs: Record<string, unknown>) {
    const k = (this.kwargs = resolveSongUNetKwargs(kwargs));
    const p = (s: string) => `${prefix}${s}`;
    const embChannels = k.model_channels * k.channel_mult_emb;
    const noiseChannels = k.model_channels * k.channel_mult_noise;
    const init: InitOptions = { initMode: 'xavier_uniform' };
    const initZero: InitOptions = { initMode: 'xavier_uniform', initWeight: 1e-5 };
    const initAttn: InitOptions = { initMode: 'xavier_uniform', initWeight: Math.sqrt(0.2) };
    const blockOpts: UNetBlockOptions = {
      embChannels, numHeads: 1, dropout: k.dropout, skipScale: Math.sqrt(0.5), eps: 1e-6,
      resampleFilter: k.resample_filter, resampleProj: true, adaptiveScale: false, init, initZero, initAttn,
    };

    // Mapping.
    this.mapNoise = k.embedding_type === 'positional'
      ? new PositionalEmbedding(noiseChannels, 10000, true)
      : new FourierEmbedding(ctx, p('map_noise'), noiseChannels);
    this.mapLabel = k.label_dim ? new Linear(ctx, p('map_label'), k.label_dim, noiseChannels, init) : null;
    this.mapAugment = k.augment_dim ? new Linear(ctx, p('map_augment'), k.augment_dim, noiseChannels, { bias: false, ...init }) : null;
    this.mapLayer0 = new Linear(ctx, p('map_layer0'), noiseChannels, embChannels, init);
    this.mapLayer1 = new Linear(ctx, p('map_layer1'), embChannels, embChannels, init);

    // Encoder.
    let cout = k.in_channels;
    let caux = k.in_channels;
    const skips: number[] = [];
    k.channel_mult.forEach((mult, level) => {
      const res = k.img_resolution >> level;
      const n = (s: string) => `${res}x${res}_${s}`;
      const e = (s: string) => p(`enc.${n(s)}`);
      if (level === 0) {
        const cin = cout;
        cout = k.model_channels;
        this.enc.push({ kind: 'conv', name: n('conv'), layer: new Conv2d(ctx, e('conv'), cin, cout, 3, init) });
        skips.push(cout);
      } else {
        this.enc.push({ kind: 'block', name: n('down'), layer: new UNetBlock(ctx, e('down'), cout, cout, { ...blockOpts, down: true }) });
        skips.push(cout);
        if (k.encoder_type === 'skip') {
          this.enc.push({ kind: 'aux_down', name: n('aux_down'), layer: new Conv2d(ctx, e('aux_down'), caux, caux, 0, { down: true, resampleFilter: k.resample_filter }) });
          this.enc.push({ kind: 'aux_skip', name: n('aux_skip'), layer: new Conv2d(ctx, e('aux_skip'), caux, cout, 1, init) });
        }
        if (k.encoder_type === 'residual') {
          this.enc.push({
            kind: 'aux_residual', name: n('aux_residual'),
            layer: new Conv2d(ctx, e('aux_residual'), caux, cout, 3, { down: true, resampleFilter: k.resample_filter, fusedResample: true, ...init }),
          });
          caux = cout;
        }
      }
      for (let idx = 0; idx < k.num_blocks; idx++) {
        const cin = cout;
        cout = k.model_channels * mult;
        const attention = k.attn_resolutions.includes(res);
        this.enc.push({ kind: 'block', name: n(`block${idx}`), layer: new UNetBlock(ctx, e(`block${idx}`), cin, cout, { ...blockOpts, attention }) });
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
        this.dec.push({ kind: 'block', name: n('in0'), layer: new UNetBlock(ctx, d('in0'), cout, cout, { ...blockOpts, attention: true }) });
        this.dec.push({ kind: 'block', name: n('in1'), layer: new UNetBlock(ctx, d('in1'), cout, cout, blockOpts) });
      } else {
        this.dec.push({ kind: 'block', name: n('up'), layer: new UNetBlock(ctx, d('up'), cout, cout, { ...blockOpts, up: true }) });
      }
      for (let idx = 0; idx <= k.num_blocks; idx++) {
        const cin = cout + skips.pop()!;
        cout = k.model_channels * mult;
        const attention = idx === k.num_blocks && k.attn_resolutions.includes(res);
        this.dec.push({ kind: 'block', name: n(`block${idx}`), layer: new UNetBlock(ctx, d(`block${idx}`), cin, cout, { ...blockOpts, attention }) });
      }
      if (k.decoder_type === 'skip' || level === 0) {
        if (k.decoder_type === 'skip' && level < levels - 1) {
          this.dec.push({ kind: 'aux_up', name: n('aux_up'), layer: new Conv2d(ctx, d('aux_up'), k.out_channels, k.out_channels, 0, { up: true, resampleFilter: k.resample_filter }) });
        }
        this.dec.push({ kind: 'aux_norm', name: n('aux_norm'), layer: new GroupNorm(ctx, d('aux_norm'), cout, { eps: 1e-6 }) });
        this.dec.push({ kind: 'aux_conv', name: n('aux_conv'), layer: new Conv2d(ctx, d('aux_conv'), cout, k.out_channels, 3, initZero) });
      }
    }
  }

  apply(
    x: tf.Tensor4D, noiseLabels: tf.Tensor1D, classLabels?: tf.Tensor2D | null, augmentLabels?: tf.Tensor2D | null,
    options?: ForwardOptions,
  ): tf.Tensor4D {
    const training = options?.training ?? false;
    const seed = checkTrainingSeed('SongUNet', options?.seed);
    let block = 0; // index of the next U-Net block's dropout draw (1..; 0 is the label dropout)
    const k = this.kwargs;
    return tf.tidy(() => {
      // Mapping. The reference swaps the [cos, sin] halves of the noise embedding.
      const raw = this.mapNoise.apply(noiseLabels);
      const [cos, sin] = tf.split(raw, 2, 1);
      let emb = tf.concat([sin!, cos!], 1) as tf.Tensor2D;
      if (this.mapLabel) {
        const labels = dropClassLabels('SongUNet', classLabels, k.label_dim, k.label_dropout, training, seed);
        emb = tf.add(emb, this.mapLabel.apply(tf.mul(labels, Math.sqrt(k.label_dim))));
      }
      if (this.mapAugment && augmentLabels) emb = tf.add(emb, this.mapAugment.apply(augmentLabels));
      emb = silu(this.mapLayer0.apply(emb));
      emb = silu(this.mapLayer1.apply(emb));

      // Encoder.
      const skips: tf.Tensor4D[] = [];
      let aux = x;
      let h = x;
      for (const e of this.enc) {
        switch (e.kind) {
          case 'aux_down': aux = e.layer.apply(aux); break;
          case 'aux_skip': h = leanAdd(h, e.layer.apply(aux)); skips[skips.length - 1] = h; break;
          case 'aux_residual':
            h = tf.div(leanAdd(h, e.layer.apply(aux)), Math.SQRT2);
            skips[skips.length - 1] = h;
            aux = h;
            break;
          case 'conv': h = e.layer.apply(h); skips.push(h); break;
          case 'block': h = e.layer.apply(h, emb, training, trainingSeed(seed, ++block)); skips.push(h); break;
        }
      }

      // Decoder.
      let out: tf.Tensor4D | null = null;
      let tmp: tf.Tensor4D | null = null;
      for (const d of this.dec) {
        switch (d.kind) {
          case 'aux_up': out = d.layer.apply(out!); break;
          // aux_norm then aux_conv: conv(silu(norm(h))), GroupNorm + SiLU as one op (keeps only h for backward).
          case 'aux_norm': tmp = d.layer.applySilu(h); break;
          case 'aux_conv': tmp = d.layer.apply(tmp!); out = out === null ? tmp : leanAdd<tf.Tensor4D>(tmp, out); break;
          case 'block':
            if (h.shape[3] !== d.layer.inChannels) h = leanConcat([h, skips.pop()!], 3);
            h = d.layer.apply(h, emb, training, trainingSeed(seed, ++block));
            break;
        }
      }
      return out!;
    });
  }
}
