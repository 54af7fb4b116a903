// Group normalisation op (reference `GroupNorm`: biased variance, per-channel affine), NHWC, in tfjs style:
// the op, its kernels and its gradient are separate. A backend that registers the two fused kernels below
// (cpu: ops/group-norm-cpu.ts; wasm: @edm/backend-wasm) runs GroupNorm as two passes over the data instead
// of a dozen broadcast ops; any other backend (WebGPU, WebGL, tfjs-node) runs the composed ops, with a
// custom gradient that saves only x and the group statistics.
import * as tf from '@tensorflow/tfjs-core';
import { composedAffine, composedGroupNormBackward, composedGroupStats, composedNormalised } from './group-norm-composed';

/**
 * Fused forward kernel. Inputs {x [N,H,W,C], weight [C], bias [C]}, attrs {@link GroupNormAttrs};
 * outputs [y [N,H,W,C], mean [N,G], invStd [N,G]] with invStd = 1 / sqrt(var + eps).
 */
export const GROUP_NORM_KERNEL = 'EdmGroupNorm';
/**
 * Fused backward kernel. Inputs {dy, x, weight, mean, invStd} (mean/invStd from the forward kernel), attrs
 * {@link GroupNormAttrs}; outputs [dx [N,H,W,C], dWeight [C], dBias [C]].
 */
export const GROUP_NORM_GRAD_KERNEL = 'EdmGroupNormGrad';

/** Attributes of both kernels. */
export interface GroupNormAttrs {
  /** G, the number of groups (divides C). */
  numGroups: number;
  /** epsilon added to the variance. */
  eps: number;
}

let gradientRegistered = false;

/** Registers the gradient of {@link GROUP_NORM_KERNEL} (once; one gradient for every backend). */
export function registerGroupNormGradient(): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: GROUP_NORM_KERNEL,
    inputsToSave: ['x', 'weight'],
    outputsToSave: [false, true, true],
    gradFunc: (dy, saved, attrs) => {
      const [x, weight, mean, invStd] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const dyImage = Array.isArray(dy) ? dy[0]! : dy;
      const [dx, dWeight, dBias] = tf.engine().runKernel(GROUP_NORM_GRAD_KERNEL,
        { dy: dyImage, x, weight, mean, invStd }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return { x: () => dx!, weight: () => dWeight!, bias: () => dBias! };
    },
  });
}

/** Whether the active backend has both fused kernels. */
export function hasFusedGroupNorm(backendName = tf.getBackend()): boolean {
  return tf.getKernel(GROUP_NORM_KERNEL, backendName) !== undefined &&
    tf.getKernel(GROUP_NORM_GRAD_KERNEL, backendName) !== undefined;
}

/** Throws, naming `op`, unless `numGroups` divides x's C channels and weight and bias have C entries. */
export function checkGroupNormArgs(op: string, x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D, numGroups: number): void {
  const c = x.shape[3];
  if (c % numGroups !== 0) throw new Error(`${op}: ${numGroups} groups do not divide ${c} channels`);
  if (weight.shape[0] !== c || bias.shape[0] !== c) {
    throw new Error(`${op}: weight ${weight.shape} and bias ${bias.shape} must have ${c} entries (x ${x.shape})`);
  }
}

/**
 * GroupNorm of x [N,H,W,C] over `numGroups` groups of channels, then y = x_hat * weight + bias.
 * Fused kernels where the active backend has them, composed ops otherwise (same values within float32
 * rounding; the fused kernels accumulate in float64).
 */
export function groupNorm(x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D, numGroups: number, eps: number): tf.Tensor4D {
  checkGroupNormArgs('groupNorm', x, weight, bias, numGroups);
  if (hasFusedGroupNorm()) {
    registerGroupNormGradient();
    const attrs: GroupNormAttrs = { numGroups, eps };
    const [y, mean, invStd] = tf.engine().runKernel(GROUP_NORM_KERNEL, { x, weight, bias },
      attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    tf.dispose([mean!, invStd!]);
    return y as tf.Tensor4D;
  }
  return composedGroupNorm(x, weight, bias, numGroups, eps);
}

/**
 * GroupNorm from tfjs ops, with a custom gradient that saves only x and the per-group statistics (x_hat is
 * recomputed; the math is ops/group-norm-composed.ts).
 */
export function composedGroupNorm(x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D, numGroups: number, eps: number): tf.Tensor4D {
  const op = tf.customGrad(((xs: tf.Tensor4D, wt: tf.Tensor1D, bs: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const { mean, invStd } = composedGroupStats(xs, numGroups, eps);
    save([xs, wt, mean, invStd]);
    return {
      value: composedAffine(composedNormalised(xs, mean, invStd, numGroups), wt, bs, xs.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sMean, sInv] = saved as [tf.Tensor4D, tf.Tensor, tf.Tensor, tf.Tensor];
        return composedGroupNormBackward(dy, sx, sw, sMean, sInv, numGroups);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, weight, bias) as tf.Tensor4D;
}
