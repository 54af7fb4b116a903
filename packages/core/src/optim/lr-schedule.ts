// The learning-rate schedule of EDM2 (Karras et al. 2024, Section 2.4 / Appendix; reference training_loop.py
// learning_rate_schedule): inverse square-root decay after ref_batches iterations, with a linear ramp-up,
//   lr(t) = ref_lr / sqrt(max(t / (ref_batches batch), 1)) min(t / rampup, 1)
// where t is the number of images seen before the step.
import { checkNumber } from '../validate';

/** Options of {@link edm2LearningRate} (the reference's defaults). */
export interface EDM2LearningRateOptions {
  /** Base learning rate (`ref_lr`). Default 100e-4. */
  refLr?: number;
  /** Iterations before the decay starts (`ref_batches`); 0 = no decay. Default 70e3. */
  refBatches?: number;
  /** Ramp-up length in millions of images (`rampup_Mimg`); 0 = none. Default 10. */
  rampupMimg?: number;
}

/** The learning rate of the step that starts after `curImages` images with `batchSize` images per step. */
export function edm2LearningRate(curImages: number, batchSize: number, options: EDM2LearningRateOptions = {}): number {
  const where = 'edm2LearningRate';
  checkNumber(where, 'curImages', curImages, 'nonnegative');
  checkNumber(where, 'batchSize', batchSize, 'positive');
  const refLr = checkNumber(where, 'refLr', options.refLr ?? 100e-4, 'nonnegative');
  const refBatches = checkNumber(where, 'refBatches', options.refBatches ?? 70e3, 'nonnegative');
  const rampupMimg = checkNumber(where, 'rampupMimg', options.rampupMimg ?? 10, 'nonnegative');
  let lr = refLr;
  if (refBatches > 0) lr /= Math.sqrt(Math.max(curImages / (refBatches * batchSize), 1));
  if (rampupMimg > 0) lr *= Math.min(curImages / (rampupMimg * 1e6), 1);
  return lr;
}
