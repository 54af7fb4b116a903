// The keyword arguments SongUNet and DhariwalUNet share (training/networks.py: the same names and meanings
// in both constructors), their validation, and the check that the resolution halves at every level.
import { checkKnownKwargs, intKwarg, intListKwarg, numKwarg } from './kwargs';

/** Constructor options common to the U-Nets, with the reference's keyword names. */
export interface UNetKwargs {
  /** Image resolution H = W (`img_resolution`). */
  img_resolution: number;
  /** Input channels (`in_channels`). */
  in_channels: number;
  /** Output channels (`out_channels`). */
  out_channels: number;
  /** Class-label dimensionality, 0 = unconditional (`label_dim`). Default 0. */
  label_dim?: number;
  /** Augmentation-label dimensionality, 0 = none (`augment_dim`). Default 0. */
  augment_dim?: number;
  /** Base channel count (`model_channels`). Default: the network's. */
  model_channels?: number;
  /** Channel multiplier per resolution level (`channel_mult`). Default: the network's. */
  channel_mult?: number[];
  /** Embedding channels = model_channels x this (`channel_mult_emb`). Default 4. */
  channel_mult_emb?: number;
  /** Residual blocks per level (`num_blocks`). Default: the network's. */
  num_blocks?: number;
  /** Resolutions with self-attention (`attn_resolutions`). Default: the network's. */
  attn_resolutions?: number[];
  /** Dropout probability in training (`dropout`). Default 0.10. */
  dropout?: number;
  /** Probability of dropping the class label in training, for classifier-free guidance (`label_dropout`). Default 0. */
  label_dropout?: number;
}

/** Every kwarg name of `UNetKwargs`, in the reference's order. */
export const UNET_KWARGS = [
  'img_resolution', 'in_channels', 'out_channels', 'label_dim', 'augment_dim', 'model_channels', 'channel_mult',
  'channel_mult_emb', 'num_blocks', 'attn_resolutions', 'dropout', 'label_dropout',
] as const;

/** The defaults that differ between the U-Nets. */
export type UNetDefaults = Required<Pick<UNetKwargs, 'model_channels' | 'channel_mult' | 'num_blocks' | 'attn_resolutions'>>;

/**
 * Rejects kwargs outside `allowed` (the network's names), then validates the common kwargs and fills their
 * defaults (`defaults` where they differ by network). Throws when img_resolution is not divisible by
 * 2^(len(channel_mult) - 1). The network validates its own kwargs.
 */
export function resolveUNetKwargs(
  where: string,
  kwargs: Record<string, unknown>,
  allowed: readonly string[],
  defaults: UNetDefaults,
): Required<UNetKwargs> {
  checkKnownKwargs(where, kwargs, allowed);
  const k = kwargs as Partial<UNetKwargs>;
  const channelMult = intListKwarg(where, 'channel_mult', k.channel_mult ?? defaults.channel_mult, 1, false);
  const r: Required<UNetKwargs> = {
    img_resolution: intKwarg(where, 'img_resolution', k.img_resolution, 1),
    in_channels: intKwarg(where, 'in_channels', k.in_channels, 1),
    out_channels: intKwarg(where, 'out_channels', k.out_channels, 1),
    label_dim: intKwarg(where, 'label_dim', k.label_dim ?? 0),
    augment_dim: intKwarg(where, 'augment_dim', k.augment_dim ?? 0),
    model_channels: intKwarg(where, 'model_channels', k.model_channels ?? defaults.model_channels, 1),
    channel_mult: channelMult,
    channel_mult_emb: intKwarg(where, 'channel_mult_emb', k.channel_mult_emb ?? 4, 1),
    num_blocks: intKwarg(where, 'num_blocks', k.num_blocks ?? defaults.num_blocks),
    attn_resolutions: intListKwarg(where, 'attn_resolutions', k.attn_resolutions ?? defaults.attn_resolutions, 1),
    dropout: numKwarg(where, 'dropout', k.dropout ?? 0.1, 0, 1),
    label_dropout: numKwarg(where, 'label_dropout', k.label_dropout ?? 0, 0, 1),
  };
  const levels = 2 ** (channelMult.length - 1);
  if (r.img_resolution % levels !== 0) {
    throw new Error(`${where}: img_resolution ${r.img_resolution} must be divisible by 2^(len(channel_mult) - 1) = ${levels}`);
  }
  return r;
}
