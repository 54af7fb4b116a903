// Adam (Kingma & Ba 2015) as torch.optim.Adam computes it, with its state (first and second moments, step)
// open for saving and restoring, so a resumed run continues bit-exactly. The learning rate is given per step
// (train.py's ramp-up). Gradients are cleaned as the reference does before the step:
// nan_to_num(g, nan=0, posinf=1e5, neginf=-1e5). Each parameter's step is one `adamStep` op (ops/adam.ts):
// one fused kernel where the backend has it (cpu, wasm), the composed ops otherwise, with the same values.
import * as tf from '@tensorflow/tfjs-core';
import { adamStep } from '../ops/adam';

/** Adam hyper-parameters (torch defaults; the reference trains with betas (0.9, 0.999), eps 1e-8). */
export interface AdamOptions {
  /** beta_1, decay of the first moment. */
  beta1: number;
  /** beta_2, decay of the second moment. */
  beta2: number;
  /** epsilon added to sqrt(v_hat). */
  eps: number;
}

/** Adam over named variables. */
export class Adam {
  /** First moments m, by parameter name. */
  readonly m = new Map<string, tf.Variable>();
  /** Second moments v, by parameter name. */
  readonly v = new Map<string, tf.Variable>();
  /** Steps taken (t). */
  step = 0;

  constructor(readonly params: Map<string, tf.Variable>, readonly opts: AdamOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8 }) {
    // tidy frees the zeros the variables start from: a variable shares its initial tensor's buffer, and
    // that tensor, left alive, would keep the buffer after the first assign (one copy per moment).
    for (const [name, p] of params) {
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false, `adam_m/${name}`)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false, `adam_v/${name}`)));
    }
  }

  /** One update with learning rate `lr` from gradients by parameter name (not disposed here). */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.step++;
    const { beta1, beta2, eps } = this.opts;
    const attrs = { beta1, beta2, eps, stepSize: lr / (1 - beta1 ** this.step), biasCorrection2: 1 - beta2 ** this.step };
    for (const [name, p] of this.params) {
      const g = grads[name];
      if (!g) continue;
      tf.tidy(() => {
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const [p1, m1, v1] = adamStep(p, m, v, g, attrs);
        m.assign(m1!);
        v.assign(v1!);
        p.assign(p1!);
      });
    }
  }

  /** Frees the moments. */
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
