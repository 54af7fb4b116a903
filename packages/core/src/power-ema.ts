// Power-function EMA tracking during training (Karras et al. 2024, Section 3.1 and eq. 127; reference
// training/phema.py PowerFunctionEMA): one average per sigma_rel, each updated after every step by
//   theta_ema <- beta theta_ema + (1 - beta) theta,   beta = (1 - batch / t)^(gamma + 1)
// with t the images seen after the step, so the first update (t = batch) copies the weights. Snapshots of
// these averages at several times are the inputs of post-hoc reconstruction (phema.ts).
import * as tf from '@tensorflow/tfjs-core';
import { powerFunctionBeta, stdToExp } from './phema';
import { checkInteger, checkNumber } from './validate';

/** Power-function EMAs of a set of weights, one per sigma_rel. */
export class PowerFunctionEMA {
  /** sigma_rel of each average. */
  readonly stds: readonly number[];
  /** The averaged weights per std (own variables, named like the source). */
  readonly emas: Array<Map<string, tf.Variable>>;

  /** Starts each average at a copy of `weights` (stds: the reference's default [0.050, 0.100]). */
  constructor(weights: ReadonlyMap<string, tf.Variable>, stds: readonly number[] = [0.05, 0.1]) {
    if (!Array.isArray(stds) || stds.length === 0) throw new Error('PowerFunctionEMA: stds must be a non-empty list');
    stds.forEach((s) => stdToExp(s));
    this.stds = [...stds];
    this.emas = this.stds.map(() => {
      const m = new Map<string, tf.Variable>();
      // tidy frees the clone (a variable shares its initial tensor's buffer).
      for (const [name, v] of weights) m.set(name, tf.tidy(() => tf.variable(v.clone(), false)));
      return m;
    });
  }

  /**
   * One update after a training step: `curImages` is the number of images seen after this step (the
   * reference's cur_nimg at ema.update), `batchSize` the images of this step. Returns beta per std.
   */
  update(weights: ReadonlyMap<string, tf.Variable>, curImages: number, batchSize: number): number[] {
    checkInteger('PowerFunctionEMA.update', 'batchSize', batchSize, 1);
    checkNumber('PowerFunctionEMA.update', 'curImages', curImages, 'positive');
    if (curImages < batchSize) {
      throw new Error(`PowerFunctionEMA.update: curImages (images seen after the step, ${curImages}) must be >= batchSize (${batchSize})`);
    }
    for (const name of this.emas[0]!.keys()) {
      if (!weights.has(name)) throw new Error(`PowerFunctionEMA.update: weights are missing '${name}' (the EMA has it)`);
    }
    return this.stds.map((std, i) => {
      const beta = powerFunctionBeta(std, curImages, batchSize);
      for (const [name, emaVar] of this.emas[i]!) {
        const v = weights.get(name)!;
        if (!tf.util.arraysEqual(v.shape, emaVar.shape)) {
          throw new Error(`PowerFunctionEMA.update: weight '${name}' has shape [${v.shape.join(', ')}], ` +
            `the EMA has [${emaVar.shape.join(', ')}]`);
        }
        // lerp(ema, theta, 1 - beta) = ema + (1 - beta) (theta - ema)
        tf.tidy(() => emaVar.assign(tf.add(emaVar, tf.mul(tf.sub(v, emaVar), 1 - beta))));
      }
      return beta;
    });
  }

  /** Frees every averaged variable. */
  dispose(): void {
    for (const m of this.emas) {
      for (const v of m.values()) v.dispose();
      m.clear();
    }
  }
}
