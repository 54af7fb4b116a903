// Linear multistep (Adams-Bashforth on variable steps; k-diffusion sample_lms): the derivatives
// d_j = (x_j - D(x_j; sigma_j)) / sigma_j of the last `order` steps are interpolated by a polynomial in
// sigma and integrated over [sigma_i, sigma_{i+1}]:
//   x_{i+1} = x_i + sum_j c_ij d_{i-j},  c_ij = integral_{sigma_i}^{sigma_{i+1}} prod_{k != j} (tau - sigma_{i-k}) / (sigma_{i-j} - sigma_{i-k}) dtau.
// The first steps use the orders available (1, 2, 3). One evaluation per step.
import * as tf from '@tensorflow/tfjs-core';
import { kSampler, toD, type KSamplerOptionsOf } from './runner';

/** Options of `lmsSampler` (the sampler table's `lms`: noise levels and `order`, 1..6, default 4). */
export type LmsOptions = KSamplerOptionsOf<'lms'>;

// 6-point Gauss-Legendre nodes and weights on [-1, 1]: exact for polynomials of degree <= 11, so the
// Lagrange basis of any order <= 6 integrates exactly (k-diffusion uses adaptive quadrature to 1e-4).
const GL_NODES = [-0.932469514203152, -0.6612093864662645, -0.2386191860831969, 0.2386191860831969, 0.6612093864662645, 0.932469514203152];
const GL_WEIGHTS = [0.1713244923791704, 0.3607615730481386, 0.4679139345726910, 0.4679139345726910, 0.3607615730481386, 0.1713244923791704];

/** c_ij: the integral over [t_i, t_{i+1}] of the Lagrange basis polynomial of node t_{i-j} among t_i..t_{i-order+1}. */
export function linearMultistepCoeff(order: number, t: readonly number[], i: number, j: number): number {
  if (order - 1 > i) throw new Error(`lmsSampler: order ${order} too high for step ${i}`);
  const basis = (tau: number): number => {
    let prod = 1;
    for (let k = 0; k < order; k++) {
      if (k === j) continue;
      prod *= (tau - t[i - k]!) / (t[i - j]! - t[i - k]!);
    }
    return prod;
  };
  const a = t[i]!;
  const b = t[i + 1]!;
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let sum = 0;
  for (let q = 0; q < GL_NODES.length; q++) sum += GL_WEIGHTS[q]! * basis(mid + half * GL_NODES[q]!);
  return sum * half;
}

/** Linear multistep of order `order` (default 4). */
export const lmsSampler = kSampler('lms', (ctx, { order }) => {
  const ds: tf.Tensor4D[] = [];
  return {
    step(x, i) {
      const sigma = ctx.sigmas[i]!;
      const denoised = ctx.denoise(x, sigma);
      ds.push(tf.tidy(() => toD(x, denoised, sigma)));
      if (ds.length > order) ds.shift()!.dispose();
      const curOrder = Math.min(i + 1, order);
      const coeffs = Array.from({ length: curOrder }, (_, j) => linearMultistepCoeff(curOrder, ctx.sigmas, i, j));
      const next = tf.tidy(() => {
        let acc: tf.Tensor = x;
        coeffs.forEach((c, j) => { acc = tf.add(acc, tf.mul(ds[ds.length - 1 - j]!, c)); });
        return acc as tf.Tensor4D;
      });
      return { x: next === x ? tf.clone(x) : next, denoised };
    },
    dispose() { tf.dispose(ds); },
  };
});
