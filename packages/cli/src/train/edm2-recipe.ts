// EDM2's training recipe (Karras et al. 2024; NVlabs/edm2 train_edm2.py and training_loop.py) as `edm train
// --arch edm2` runs it: Adam with betas (0.9, 0.99), the learning rate ref_lr / sqrt(max(t / (decay batch), 1))
// with the linear ramp-up, EDM2Loss (P_mean -0.4, P_std 1.0 by default), no dropout by default, and
// power-function EMAs (sigma_rel 0.050 and 0.100 by default) saved as snapshots for post-hoc reconstruction
// (`edm phema`). Each snapshot carries `edm.phema` metadata: the EMA's std, the images seen and the run's id.
import { EDM2Loss, PHEMA_MAX_STD, edm2LearningRate, type AdamOptions } from '@edm/core';
import { UsageError } from '../command/errors';

/** The EDM2 part of a run's config (config.json `edm2`). */
export interface EDM2Recipe {
  /** Learning-rate decay t_ref in optimizer steps (train_edm2.py --decay; ref_batches). */
  decay: number;
  /** Mean and standard deviation of ln(sigma) in training (EDM2Loss P_mean, P_std). */
  PMean: number;
  PStd: number;
  /** sigma_rel of each power-function EMA (snapshots of each are saved). */
  emaStds: number[];
  /** Random id of the run, written into every EMA snapshot (`edm phema` refuses snapshots of different runs). */
  runId: string;
}

/** train_edm2.py's optimizer: Adam with betas (0.9, 0.99). */
export const EDM2_ADAM: AdamOptions = { beta1: 0.9, beta2: 0.99, eps: 1e-8 };

/** The reference's defaults (the edm2-img512 presets' P_mean / P_std and decay; PowerFunctionEMA's stds). */
export const EDM2_DEFAULTS = { decay: 70000, PMean: -0.4, PStd: 1.0, emaStds: [0.05, 0.1] } as const;

/** Metadata key of a power-function EMA snapshot: JSON {std, nimg, run}. */
export const PHEMA_METADATA = 'edm.phema';

/** What a power-function EMA snapshot records about itself. */
export interface PhemaSnapshotInfo {
  /** sigma_rel of the EMA. */
  std: number;
  /** Images seen when the snapshot was taken (the EMA profile's time). */
  nimg: number;
  /** The run's id. */
  run: string;
}

/** The loss of an EDM2 run. */
export function edm2Loss(r: EDM2Recipe): EDM2Loss {
  return new EDM2Loss({ PMean: r.PMean, PStd: r.PStd });
}

/** The learning rate of the step after `nimg` images (lr = ref_lr, rampupKimg = the ramp-up). */
export function edm2StepLr(r: EDM2Recipe, lr: number, rampupKimg: number, nimg: number, batch: number): number {
  return edm2LearningRate(nimg, batch, { refLr: lr, refBatches: r.decay, rampupMimg: rampupKimg / 1000 });
}

/** Checks the EMA stds (each in (0, 0.289), distinct). */
export function checkEmaStds(stds: readonly number[], flag = '--ema-stds'): void {
  if (stds.length === 0) throw new UsageError(`${flag} needs at least one std`);
  for (const s of stds) {
    if (!(s > 0 && s < PHEMA_MAX_STD)) throw new UsageError(`${flag}: each std (relative EMA length) must be in (0, ${PHEMA_MAX_STD}), got ${s}`);
  }
  if (new Set(stds.map((s) => s.toFixed(3))).size !== stds.length) {
    throw new UsageError(`${flag}: the stds must differ at 3 decimals (they name the snapshot files), got ${stds.join(', ')}`);
  }
}

/** File name of the EMA snapshot of `std` at `nimg` images. */
export function phemaSnapshotName(nimg: number, std: number): string {
  return `network-snapshot-${String(Math.floor(nimg / 1000)).padStart(6, '0')}-${std.toFixed(3)}.safetensors`;
}

/** A random run id (hex). */
export function newRunId(): string {
  return Array.from({ length: 4 }, () => Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0')).join('');
}
