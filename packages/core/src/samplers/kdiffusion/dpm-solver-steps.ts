// The DPM-Solver steps of Lu et al. (2022, "DPM-Solver", Alg. 1-2) in the noise-prediction form, in
// lambda = -ln sigma with eps(x, lambda) = (x - D(x; sigma)) / sigma and h = lambda_next - lambda:
//   DPM-Solver-1: x_1 = x - sigma_next expm1(h) eps
//   DPM-Solver-2: u_1 = x - sigma(s1) expm1(r1 h) eps, s1 = lambda + r1 h;
//                 x_2 = x - sigma_next expm1(h) eps - sigma_next / (2 r1) expm1(h) (eps(u_1, s1) - eps)
//   DPM-Solver-3: (r1, r2) = (1/3, 2/3), see dpmSolver3Step.
// Evaluations are cached per attempt, so the embedded pair 2(r1 = 1/3) / 3 costs 3 evaluations.
import * as tf from '@tensorflow/tfjs-core';

/** eps-prediction with a per-attempt cache keyed by stage. */
export class EpsCache {
  private readonly cache = new Map<string, tf.Tensor4D>();
  constructor(private readonly evalEps: (x: tf.Tensor4D, lambda: number) => tf.Tensor4D) {}

  /** eps(x, lambda) for the stage `key`, computed once. */
  get(key: string, x: tf.Tensor4D, lambda: number): tf.Tensor4D {
    let e = this.cache.get(key);
    if (!e) {
      e = this.evalEps(x, lambda);
      this.cache.set(key, e);
    }
    return e;
  }

  dispose(): void {
    tf.dispose([...this.cache.values()]);
    this.cache.clear();
  }
}

const sigmaOf = (lambda: number): number => Math.exp(-lambda);

/** DPM-Solver-1 (DDIM) step from lambda to lambdaNext. */
export function dpmSolver1Step(cache: EpsCache, x: tf.Tensor4D, lambda: number, lambdaNext: number): tf.Tensor4D {
  const h = lambdaNext - lambda;
  const eps = cache.get('eps', x, lambda);
  return tf.tidy(() => tf.sub(x, tf.mul(eps, sigmaOf(lambdaNext) * Math.expm1(h))) as tf.Tensor4D);
}

/** DPM-Solver-2 step with intermediate point r1 (default 1/2). */
export function dpmSolver2Step(cache: EpsCache, x: tf.Tensor4D, lambda: number, lambdaNext: number, r1 = 0.5): tf.Tensor4D {
  const h = lambdaNext - lambda;
  const eps = cache.get('eps', x, lambda);
  const s1 = lambda + r1 * h;
  const u1 = tf.tidy(() => tf.sub(x, tf.mul(eps, sigmaOf(s1) * Math.expm1(r1 * h))) as tf.Tensor4D);
  const epsR1 = cache.get('eps_r1', u1, s1);
  u1.dispose();
  const sn = sigmaOf(lambdaNext);
  return tf.tidy(() => tf.sub(tf.sub(x, tf.mul(eps, sn * Math.expm1(h))),
    tf.mul(tf.sub(epsR1, eps), sn / (2 * r1) * Math.expm1(h))) as tf.Tensor4D);
}

/** DPM-Solver-3 step with intermediate points r1 = 1/3, r2 = 2/3. */
export function dpmSolver3Step(cache: EpsCache, x: tf.Tensor4D, lambda: number, lambdaNext: number,
  r1 = 1 / 3, r2 = 2 / 3): tf.Tensor4D {
  const h = lambdaNext - lambda;
  const eps = cache.get('eps', x, lambda);
  const s1 = lambda + r1 * h;
  const s2 = lambda + r2 * h;
  const u1 = tf.tidy(() => tf.sub(x, tf.mul(eps, sigmaOf(s1) * Math.expm1(r1 * h))) as tf.Tensor4D);
  const epsR1 = cache.get('eps_r1', u1, s1);
  u1.dispose();
  const u2 = tf.tidy(() => tf.sub(tf.sub(x, tf.mul(eps, sigmaOf(s2) * Math.expm1(r2 * h))),
    tf.mul(tf.sub(epsR1, eps), sigmaOf(s2) * (r2 / r1) * (Math.expm1(r2 * h) / (r2 * h) - 1))) as tf.Tensor4D);
  const epsR2 = cache.get('eps_r2', u2, s2);
  u2.dispose();
  const sn = sigmaOf(lambdaNext);
  return tf.tidy(() => tf.sub(tf.sub(x, tf.mul(eps, sn * Math.expm1(h))),
    tf.mul(tf.sub(epsR2, eps), sn / r2 * (Math.expm1(h) / h - 1))) as tf.Tensor4D);
}
