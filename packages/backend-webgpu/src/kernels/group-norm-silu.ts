// @edm/core's GroupNorm + SiLU kernels (EdmGroupNormSilu, EdmGroupNormSiluGrad) on WebGPU, in WGSL. The
// composed ops tfjs would run instead cost about 15 dispatches forward and 30 backward per call; here:
//   forward:  group statistics (one workgroup per image and group: mean, then the mean square deviation, so no
//             cancellation) and one elementwise pass  y = silu((x - mu) inv w + b)                 2 dispatches
//   backward: the statistics again; per image and channel the sums of dt = dy silu'(t) and of dt (x - mu);
//             dx elementwise, inv (w dt - mean_g(w dt) - x_hat mean_g(w dt x_hat)) with the group means
//             from those sums; dWeight and dBias from them                                        5 dispatches
// float32 throughout, so within float32 rounding of the cpu kernels (float64 sums), not bit-identical.
import * as tf from '@tensorflow/tfjs-core';
import { GROUP_NORM_SILU_GRAD_KERNEL, GROUP_NORM_SILU_KERNEL, checkFloat32, type GroupNormAttrs } from '@edm/core';
import { elementwiseProgram, run, workgroupProgram, type Uniform } from './program';

interface Dims {
  n: number;
  p: number;
  c: number;
  g: number;
}

function dims(x: tf.TensorInfo, numGroups: number): Dims {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  return { n, p: h * w, c, g: numGroups };
}

const uniformsOf = ({ p, c, g }: Dims, eps?: number): Uniform[] => [
  { name: 'p', type: 'i32', value: p }, { name: 'c', type: 'i32', value: c }, { name: 'g', type: 'i32', value: g },
  ...(eps === undefined ? [] : [{ name: 'eps', type: 'f32' as const, value: eps }]),
];

/** Sigmoid and SiLU's derivative factor s (1 + t (1 - s)). */
const SILU = `
      fn sigmoidOf(t : f32) -> f32 { return 1.0 / (1.0 + exp(-t)); }`;

/** [N, G, 2]: each image's and group's mean and 1 / sqrt(var + eps) (biased variance). */
function groupStats(backend: unknown, x: tf.TensorInfo, d: Dims, eps: number): tf.TensorInfo {
  const body = `
        let cg = uniforms.c / uniforms.g;
        let image = group / uniforms.g;
        let k = group % uniforms.g;
        let count = uniforms.p * cg;
        let base = image * uniforms.p * uniforms.c + k * cg;
        var s = 0.0;
        for (var e = lane; e < count; e = e + ${64}) {
          s = s + X[base + (e / cg) * uniforms.c + e % cg];
        }
        let mu = reduceSum(s, 0) / f32(count);
        var q = 0.0;
        for (var e = lane; e < count; e = e + ${64}) {
          let v = X[base + (e / cg) * uniforms.c + e % cg] - mu;
          q = q + v * v;
        }
        let variance = reduceSum(q, 1) / f32(count);
        if (lane == 0) {
          result[group * 2] = mu;
          result[group * 2 + 1] = 1.0 / sqrt(variance + uniforms.eps);
        }`;
  const u = uniformsOf(d, eps);
  return run(backend, workgroupProgram('edmGroupStats', ['X'], [d.n, d.g, 2], d.n * d.g, u, body), [x], u);
}

/** EdmGroupNormSilu for WebGPU. */
export const groupNormSiluWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { numGroups, eps } = attrs as unknown as GroupNormAttrs;
  const { x, weight, bias } = inputs as Record<'x' | 'weight' | 'bias', tf.TensorInfo>;
  checkFloat32(GROUP_NORM_SILU_KERNEL, { x, weight, bias });
  const d = dims(x, numGroups);
  const stats = groupStats(backend, x, d, eps);
  const body = `
          let ch = index % uniforms.c;
          let at = ((index / (uniforms.p * uniforms.c)) * uniforms.g + ch / (uniforms.c / uniforms.g)) * 2;
          let t = (X[index] - S[at]) * S[at + 1] * W[ch] + B[ch];
          setOutputAtIndex(index, t * sigmoidOf(t));`;
  const u = uniformsOf(d);
  const y = run(backend, elementwiseProgram('edmGroupNormSilu', ['X', 'W', 'B', 'S'], x.shape, u, body, SILU), [x, weight, bias, stats], u);
  (backend as unknown as { disposeData(id: tf.DataId): void }).disposeData(stats.dataId);
  return y;
};

/** EdmGroupNormSiluGrad for WebGPU: [dx, dWeight, dBias]. */
export const groupNormSiluGradWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { numGroups, eps } = attrs as unknown as GroupNormAttrs;
  const { dy, x, weight, bias } = inputs as Record<'dy' | 'x' | 'weight' | 'bias', tf.TensorInfo>;
  checkFloat32(GROUP_NORM_SILU_GRAD_KERNEL, { dy, x, weight, bias });
  const d = dims(x, numGroups);
  const u = uniformsOf(d);
  const stats = groupStats(backend, x, d, eps);
  // dt = dy silu'(t) at one element (t recomputed from x and the statistics).
  const dtAt = `
      fn dtAt(i : i32, ch : i32, mu : f32, inv : f32) -> f32 {
        let t = (X[i] - mu) * inv * W[ch] + B[ch];
        let s = sigmoidOf(t);
        return DY[i] * (s * (1.0 + t * (1.0 - s)));
      }`;
  // [N, C, 2]: per image and channel, sum dt and sum dt (x - mu).
  const sumsBody = `
        let image = group / uniforms.c;
        let ch = group % uniforms.c;
        let at = (image * uniforms.g + ch / (uniforms.c / uniforms.g)) * 2;
        let mu = S[at];
        let inv = S[at + 1];
        var a = 0.0;
        var b = 0.0;
        for (var q = lane; q < uniforms.p; q = q + ${64}) {
          let i = (image * uniforms.p + q) * uniforms.c + ch;
          let dt = dtAt(i, ch, mu, inv);
          a = a + dt;
          b = b + dt * (X[i] - mu);
        }
        let sa = reduceSum(a, 0);
        let sb = reduceSum(b, 1);
        if (lane == 0) {
          result[group * 2] = sa;
          result[group * 2 + 1] = sb;
        }`;
  const sums = run(backend, workgroupProgram('edmGroupNormSiluSums', ['X', 'DY', 'W', 'B', 'S'], [d.n, d.c, 2], d.n * d.c, u,
    sumsBody, SILU + dtAt), [x, dy, weight, bias, stats], u);
  const dxBody = `
          let ch = index % uniforms.c;
          let image = index / (uniforms.p * uniforms.c);
          let cg = uniforms.c / uniforms.g;
          let k = ch / cg;
          let at = (image * uniforms.g + k) * 2;
          let mu = S[at];
          let inv = S[at + 1];
          // The group's means of w dt and of w dt x_hat, from the per-channel sums.
          var sumG = 0.0;
          var sumGX = 0.0;
          for (var j = k * cg; j < (k + 1) * cg; j = j + 1) {
            let sj = (image * uniforms.c + j) * 2;
            sumG = sumG + W[j] * M[sj];
            sumGX = sumGX + W[j] * inv * M[sj + 1];
          }
          let count = f32(uniforms.p * cg);
          let xhat = (X[index] - mu) * inv;
          setOutputAtIndex(index, inv * (W[ch] * dtAt(index, ch, mu, inv) - sumG / count - xhat * (sumGX / count)));`;
  const dx = run(backend, elementwiseProgram('edmGroupNormSiluDx', ['X', 'DY', 'W', 'B', 'S', 'M'], x.shape, u, dxBody, SILU + dtAt),
    [x, dy, weight, bias, stats, sums], u);
  // dWeight[c] = sum_n inv sum dt (x - mu); dBias[c] = sum_n sum dt.
  const paramBody = (weightGrad: boolean) => `
          var s = 0.0;
          for (var image = 0; image < uniforms.n; image = image + 1) {
            let sj = (image * uniforms.c + index) * 2;
            ${weightGrad ? 's = s + S[(image * uniforms.g + index / (uniforms.c / uniforms.g)) * 2 + 1] * M[sj + 1];' : 's = s + M[sj];'}
          }
          setOutputAtIndex(index, s);`;
  const pu: Uniform[] = [...u, { name: 'n', type: 'i32', value: d.n }];
  // (Each program binds only the inputs its shader reads: WebGPU's automatic layout drops unused bindings.)
  const dWeight = run(backend, elementwiseProgram('edmGroupNormSiluDw', ['S', 'M'], [d.c], pu, paramBody(true)), [stats, sums], pu);
  const dBias = run(backend, elementwiseProgram('edmGroupNormSiluDb', ['M'], [d.c], pu, paramBody(false)), [sums], pu);
  const dispose = (t: tf.TensorInfo) => (backend as unknown as { disposeData(id: tf.DataId): void }).disposeData(t.dataId);
  dispose(stats);
  dispose(sums);
  return [dx, dWeight, dBias];
};
