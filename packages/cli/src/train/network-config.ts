// The network and loss a training run builds, as the reference's train.py maps --arch / --precond / --cbase /
// --cres / --dropout / --augment onto the constructor kwargs (the checkpoint's `edm.network` JSON). `edm2` is
// NVlabs/edm2's train_edm2.py network (training.networks_edm2.Precond: its own U-Net, preconditioning and
// uncertainty head), trained with its own recipe (train/edm2-recipe.ts).

import { EDM2_CLASS, type NetworkConfig } from '@edm/models';

/** Backbone architectures of train.py, and EDM2's network. */
export const ARCHS = ['ddpmpp', 'ncsnpp', 'adm', 'edm2'] as const;
/** Preconditionings (and their losses) of train.py. */
export const PRECONDS = ['edm', 'vp', 've'] as const;

/** What the network is built from. */
export interface NetworkChoice {
  arch: (typeof ARCHS)[number];
  precond: (typeof PRECONDS)[number];
  /** Image side and channels (from the dataset). */
  resolution: number;
  channels: number;
  /** Classes (0 = unconditional). */
  labelDim: number;
  /** model_channels (train.py --cbase); undefined = the arch default. */
  cbase?: number;
  /** channel_mult (train.py --cres); undefined = the arch default. */
  cres?: number[];
  /** num_blocks; undefined = the arch default (4 for DDPM++/NCSN++, 3 for ADM and EDM2). */
  blocks?: number;
  /** attn_resolutions; undefined = the arch default ([16] for DDPM++/NCSN++, [32, 16, 8] for ADM, [16, 8] for EDM2). */
  attn?: number[];
  /** Dropout probability. */
  dropout: number;
  /** Augmentation-label dimensionality augment_dim (9 with train.py --augment > 0, else 0). Default 0. */
  augmentDim?: number;
}

/** The constructor config for a choice (train.py's network_kwargs + the dataset's interface kwargs). */
export function networkConfig(c: NetworkChoice): NetworkConfig {
  if (c.arch === 'edm2') {
    // train_edm2.py: model_channels (--channels) and dropout; the rest are networks_edm2.py's defaults.
    const kwargs: Record<string, unknown> = {
      img_resolution: c.resolution, img_channels: c.channels, label_dim: c.labelDim, use_fp16: false,
      model_channels: c.cbase ?? 192, channel_mult: c.cres ?? [1, 2, 3, 4],
    };
    if (c.blocks !== undefined) kwargs.num_blocks = c.blocks;
    if (c.attn !== undefined) kwargs.attn_resolutions = c.attn;
    kwargs.dropout = c.dropout;
    return { class_name: EDM2_CLASS, kwargs };
  }
  const arch: Record<string, unknown> =
    c.arch === 'ddpmpp'
      ? { model_type: 'SongUNet', embedding_type: 'positional', encoder_type: 'standard', decoder_type: 'standard',
        channel_mult_noise: 1, resample_filter: [1, 1], model_channels: 128, channel_mult: [2, 2, 2] }
      : c.arch === 'ncsnpp'
        ? { model_type: 'SongUNet', embedding_type: 'fourier', encoder_type: 'residual', decoder_type: 'standard',
          channel_mult_noise: 2, resample_filter: [1, 3, 3, 1], model_channels: 128, channel_mult: [2, 2, 2] }
        : { model_type: 'DhariwalUNet', model_channels: 192, channel_mult: [1, 2, 3, 4] };
  if (c.cbase !== undefined) arch.model_channels = c.cbase;
  if (c.cres !== undefined) arch.channel_mult = c.cres;
  if (c.blocks !== undefined) arch.num_blocks = c.blocks;
  if (c.attn !== undefined) arch.attn_resolutions = c.attn;
  const className = c.precond === 'edm' ? 'EDMPrecond' : c.precond === 'vp' ? 'VPPrecond' : 'VEPrecond';
  return {
    class_name: className,
    kwargs: {
      img_resolution: c.resolution,
      img_channels: c.channels,
      label_dim: c.labelDim,
      ...(c.augmentDim ? { augment_dim: c.augmentDim } : {}),
      use_fp16: false,
      ...arch,
      dropout: c.dropout,
    },
  };
}
