// The resolved configuration of a training run (written to config.json; `--dry-run` prints it). Values come
// from the command line, else the preset, else the reference train.py defaults.
import { UsageError } from '../command/errors';
import { checkEmaStds, type EDM2Recipe } from './edm2-recipe';
import type { NetworkConfig } from '@edm/models';
import type { MetricName } from '../metrics/score';
import { ARCHS, PRECONDS } from './network-config';

/** Everything that defines a run. Units as train.py: kimg = thousands of images, Mimg = millions. */
export interface TrainConfig {
  /** Dataset: 'mnist', or a folder/zip made by `edm dataset`. */
  data: string;
  /** Use only the first N images of the dataset (undefined = all). */
  maxImages?: number;
  /** Class-conditional training (train.py --cond). */
  cond: boolean;
  /** Backbone and preconditioning (train.py --arch, --precond). */
  arch: (typeof ARCHS)[number];
  precond: (typeof PRECONDS)[number];
  /** The network's constructor config (the checkpoints' `edm.network`). */
  network: NetworkConfig;
  /** Training length in images (train.py --duration x 1e6). */
  totalNimg: number;
  /** Total batch size per step (train.py --batch). */
  batch: number;
  /** Images per forward/backward pass; batch / batchGpu rounds are accumulated (train.py --batch-gpu). */
  batchGpu: number;
  /** Adam learning rate after ramp-up (train.py --lr). */
  lr: number;
  /** Learning rate ramp-up length, kimg: lr * min(nimg / (rampup * 1000), 1) (train.py lr_rampup_kimg). */
  lrRampupKimg: number;
  /** EMA half-life, kimg (train.py --ema x 1000). */
  emaHalflifeKimg: number;
  /** EMA ramp-up ratio: half-life <= nimg * ratio (train.py ema_rampup_ratio, 0.05). */
  emaRampupRatio: number;
  /** Randomly mirror training images (train.py --xflip). */
  xflip: boolean;
  /**
   * Augment probability p of the paper's non-leaking augment pipe (train.py --augment; 0 = off). When > 0 the
   * network has augment_dim 9 and gets the augmentation labels (EDMAugmentPipe of @edm/core). Config files
   * written before this option existed lack it: off.
   */
  augment?: number;
  /** Progress tick length, kimg (train.py --tick). */
  tickKimg: number;
  /** Ticks between network snapshots + sample grids (train.py --snap). */
  snapTicks: number;
  /** Ticks between training-state dumps (train.py --dump); the state is also saved at every snapshot. */
  dumpTicks: number;
  /** Images in each snapshot's sample grid (seeds 0..n-1, class = seed mod classes; 0 = none). */
  snapGrid: number;
  /** Run seed: data order, noise levels, noise, flips, augmentations, dropout masks. */
  seed: number;
  /** Preset the run started from, if any. */
  preset?: string;
  /**
   * EDM2's recipe, present exactly when arch is 'edm2' (then lr is ref_lr of the decaying schedule, lrRampupKimg
   * its ramp-up, and the EMA half-life options are unused: power-function EMAs instead).
   */
  edm2?: EDM2Recipe;
  /** Sample quality measured at every snapshot (`--metrics`), into stats.jsonl; absent: none. */
  metrics?: TrainMetrics;
}

/** What `edm train --metrics` measures at each snapshot. */
export interface TrainMetrics {
  /** Metric names (`edm metrics --metrics`). */
  names: MetricName[];
  /** Samples per measurement: seeds 0..seeds-1, class = seed mod classes. */
  seeds: number;
  /** Reference statistics: a file made by `edm metrics ref`, or a built-in dataset (mnist-heldout). */
  ref: string;
  /** The detector, as `--detector` spells it (mnist, mnist:FILE, inception:FILE). */
  detector: string;
}

/** Checks the relations between options (each error names the options). */
export function validateConfig(c: TrainConfig): void {
  if (c.batch % c.batchGpu !== 0) {
    throw new UsageError(`--batch ${c.batch} must be a multiple of --batch-gpu ${c.batchGpu} (gradient accumulation rounds)`);
  }
  if (c.totalNimg < c.batch) {
    throw new UsageError(`--duration is ${c.totalNimg / 1e6} Mimg = ${c.totalNimg} images, less than one batch (${c.batch})`);
  }
  if ((c.arch === 'edm2') !== (c.edm2 !== undefined)) {
    throw new UsageError(`config: arch ${c.arch} ${c.arch === 'edm2' ? 'needs' : 'cannot have'} the edm2 recipe settings`);
  }
  if (c.edm2) {
    if (c.precond !== 'edm') throw new UsageError(`--arch edm2 has its own preconditioning and loss (EDM2Loss); --precond ${c.precond} does not apply`);
    checkEmaStds(c.edm2.emaStds);
    if (!(c.edm2.decay >= 0)) throw new UsageError(`--decay must be >= 0 (optimizer steps), got ${c.edm2.decay}`);
    if (!(c.edm2.PStd > 0)) throw new UsageError(`--p-std must be > 0, got ${c.edm2.PStd}`);
  }
  const augment = c.augment ?? 0;
  if (c.edm2 && augment > 0) {
    throw new UsageError(`--augment ${augment}: the EDM2 network takes no augmentation labels; use --augment 0 (or --xflip) with --arch edm2`);
  }
  if (!(augment >= 0 && augment <= 1)) throw new UsageError(`--augment must be a probability in [0, 1], got ${augment}`);
  const augmentDim = (c.network.kwargs.augment_dim as number | undefined) ?? 0;
  if ((augment > 0) !== (augmentDim > 0)) {
    throw new UsageError(`--augment ${augment} does not match the network's augment_dim ${augmentDim} (9 with --augment > 0, else 0)`);
  }
  const mult = c.network.kwargs.channel_mult as number[];
  const res = c.network.kwargs.img_resolution as number;
  const down = 2 ** (mult.length - 1);
  if (res % down !== 0) {
    throw new UsageError(`--cres ${mult.join(',')} has ${mult.length} levels: the resolution ${res} must be divisible by ${down}`);
  }
}
