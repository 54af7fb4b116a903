// Exponential moving average of network weights (paper Appendix F.1, Table 7; reference training_loop.py):
//   half-life h = min(ema_halflife, cur_nimg * ema_rampup_ratio)  (images)
//   beta = 0.5^(batch_size / max(h, 1e-8)),   theta_ema <- theta + beta (theta_ema - theta)
// so the first update (cur_nimg = 0) copies the weights, and the average forgets half of its value every
// h images.
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, checkNumber } from './validate';

/** Options of `EMA`. */
export interface EMAOptions {
  /** Half-life of the average, in training images (`ema_halflife_kimg` x 1000). Default 500_000 (0.5 Mimg). */
  halfLifeImages?: number;
  /**
   * Ramp-up ratio: the half-life is at most this fraction of the images seen so far (`ema_rampup_ratio`);
   * null disables the ramp-up. Default 0.05.
   */
  rampUpRatio?: number | null;
}

/** EMA decay beta for one update (exported for tests and custom loops). */
export function emaBeta(batchSize: number, curImages: number, halfLifeImages: number, rampUpRatio: number | null): number {
  let h = halfLifeImages;
  if (rampUpRatio !== null) h = Math.min(h, curImages * rampUpRatio);
  return 0.5 ** (batchSize / Math.max(h, 1e-8));
}

/** An EMA copy of a set of weights, keyed by name. */
export class EMA {
  readonly halfLifeImages: number;
  readonly rampUpRatio: number | null;
  /** The averaged weights (own variables, same names and shapes as the source). */
  readonly weights: Map<string, tf.Variable>;

  /** Starts the average at a copy of `weights`. */
  constructor(weights: ReadonlyMap<string, tf.Variable>, opts: EMAOptions = {}) {
    this.halfLifeImages = checkNumber('EMA', 'halfLifeImages', opts.halfLifeImages ?? 500_000, 'nonnegative');
    const r = opts.rampUpRatio === undefined ? 0.05 : opts.rampUpRatio;
    this.rampUpRatio = r === null ? null : checkNumber('EMA', 'rampUpRatio', r, 'nonnegative');
    this.weights = new Map();
    // tidy frees the clone (a variable shares its initial tensor's buffer; the clone, left alive, would
    // keep the start weights after the first update).
    for (const [name, v] of weights) {
      this.weights.set(name, tf.tidy(() =>
        tf.variable(v.clone(), false, `ema/${name}/${Math.random().toString(36).slice(2)}`)));
    }
  }

  /**
   * One update after a training step: `curImages` is the number of images seen before this step (the
   * reference's cur_nimg), `batchSize` the images in this step. Returns beta.
   */
  update(weights: ReadonlyMap<string, tf.Variable>, batchSize: number, curImages: number): number {
    checkInteger('EMA.update', 'batchSize', batchSize, 1);
    checkNumber('EMA.update', 'curImages', curImages, 'nonnegative');
    for (const name of this.weights.keys()) {
      if (!weights.has(name)) throw new Error(`EMA.update: weights are missing '${name}' (the EMA has it)`);
    }
    const beta = emaBeta(batchSize, curImages, this.halfLifeImages, this.rampUpRatio);
    for (const [name, emaVar] of this.weights) {
      const v = weights.get(name)!;
      if (v.shape.length !== emaVar.shape.length || v.shape.some((d, i) => d !== emaVar.shape[i])) {
        throw new Error(`EMA.update: weight '${name}' has shape [${v.shape.join(', ')}], ` +
          `the EMA has [${emaVar.shape.join(', ')}]`);
      }
      tf.tidy(() => emaVar.assign(tf.add(v, tf.mul(tf.sub(emaVar, v), beta))));
    }
    return beta;
  }

  /** Frees the averaged variables. */
  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
    this.weights.clear();
  }
}
