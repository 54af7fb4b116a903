// A training state checked before a resume trusts it: counters that are whole, in range and consistent with
// each other and with the run's config.json (seed, batch), and tensors holding only finite values (Adam's
// second moments not negative). A hand-edited or damaged state is refused naming what is wrong, instead of
// training on (an Inf in the EMA weights gave an unloadable snapshot; a NaN in Adam's moments read as
// "loss is NaN, try a lower --lr").
// (Separate from the loop: EDM2 training and `edm metrics` read states too.)
import { CliError } from '../command/errors';
import type { TrainConfig } from './config';
import type { Counters } from './state';

/** The counters that are whole numbers >= 0. */
const COUNTS = ['step', 'nimg', 'tick', 'tickStartNimg', 'tickSteps', 'adamStep'] as const;

/**
 * Checks a state's counters (`edm.state`) against themselves and the run's config; returns them typed. Every
 * message names the state file, the counter and what it should be.
 */
export function checkStateCounters(raw: unknown, cfg: Pick<TrainConfig, 'seed' | 'batch'>, path: string): Counters {
  const c = raw as Record<string, unknown>;
  const bad = (what: string): never => {
    throw new CliError(`${path}: ${what}; the training state is damaged or was edited: resume from an intact copy, or start the run again`);
  };
  for (const k of COUNTS) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`counter '${k}' is ${JSON.stringify(v)}, expected a whole number >= 0`);
  }
  for (const k of ['tickLossSum', 'tickLossSqSum'] as const) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(`counter '${k}' is ${JSON.stringify(v) ?? String(v)}, expected a finite number`);
  }
  const n = c as unknown as Counters;
  if (n.tickLossSqSum < 0) bad(`counter 'tickLossSqSum' is ${n.tickLossSqSum}, a sum of squares cannot be negative`);
  if (n.seed !== cfg.seed) bad(`its seed ${JSON.stringify(n.seed)} differs from config.json's seed ${cfg.seed}`);
  if (n.nimg !== n.step * cfg.batch) {
    bad(`it has seen ${n.nimg} images in ${n.step} steps, but config.json's batch ${cfg.batch} makes that ${n.step * cfg.batch} (was the batch changed?)`);
  }
  if (n.adamStep !== n.step) bad(`Adam's step count ${n.adamStep} differs from the step count ${n.step}`);
  if (n.tickStartNimg > n.nimg || (n.nimg - n.tickStartNimg) !== n.tickSteps * cfg.batch) {
    bad(`the current tick started at ${n.tickStartNimg} images with ${n.tickSteps} steps since, which does not reach ${n.nimg} images at batch ${cfg.batch}`);
  }
  if (n.tick > n.step) bad(`${n.tick} ticks in ${n.step} steps (a tick takes at least one step)`);
  return n;
}

/** Throws a CliError naming `name` unless every value is finite (and, for Adam's `adam_v/`, not negative). */
export function checkStateValues(values: Float32Array, name: string, path: string): void {
  const secondMoment = name.startsWith('adam_v/');
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || (secondMoment && v < 0)) {
      throw new CliError(`${path}: tensor '${name}' holds ${v} at flat index ${i}` +
        `${secondMoment && Number.isFinite(v) ? " (Adam's second moments are never negative)" : ''}; ` +
        'the training state is damaged: resume from an intact copy, or start the run again');
    }
  }
}
