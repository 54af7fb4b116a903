// Group normalisation op (reference `GroupNorm`: biased variance, per-channel affine), NHWC, in tfjs style:
// the op, its kernels and its gradient are separate. A backend that registers the two fused kernels below
// (cpu: ops/group-norm-cpu.ts; wasm: @edm/backend-node) runs GroupNorm as two passes over the data instead
// of a dozen broadcast ops; any other backend (WebGPU, WebGL, tfjs-node) runs the composed ops, with a
// custom gradient that saves only x and the group statistics.
import * as tf from '@tensorflow/tfjs-core';

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

/**
 * GroupNorm of x [N,H,W,C] over `numGroups` groups of channels, then y = x_hat * weight + bias.
 * Fused kernels where the active backend has them, composed ops otherwise (same values within float32
 * rounding; the fused kernels accumulate in float64).
 */
export function groupNorm(x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D, numGroups: number, eps: number): tf.Tensor4D {
  const c = x.shape[3];
  if (c % numGroups !== 0) throw new Error(`groupNorm: ${numGroups} groups do not divide ${c} channels`);
  if (weight.shape[0] !== c || bias.shape[0] !== c) {
    throw new Error(`groupNorm: weight ${weight.shape} and bias ${bias.shape} must have ${c} entries (x ${x.shape})`);
  }
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
 * recomputed): dx = (g - mean_g(g) - x_hat mean_g(g x_hat)) / sqrt(var_g + eps) with g = dy w.
 */
export function composedGroupNorm(x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D, numGroups: number, eps: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const g = numGroups;
  const grouped = [n, h * w, g, c / g];
  const op = tf.customGrad(((xs: tf.Tensor4D, wt: tf.Tensor1D, bs: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const xr = tf.reshape(xs, grouped);
    const { mean, variance } = tf.moments(xr, [1, 3], true);
    const inv = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(xr, mean), inv);
    save([xs, wt, mean, inv]);
    return {
      value: tf.add(tf.mul(tf.reshape(xhat, [n, h, w, c]), wt), bs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sMean, sInv] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const xh = tf.mul(tf.sub(tf.reshape(sx, grouped), sMean), sInv);
        const dyr = tf.reshape(dy, grouped);
        const dBias = tf.sum(dy, [0, 1, 2]);
        const dWeight = tf.reshape(tf.sum(tf.mul(dyr, xh), [0, 1]), [c]);
        const gx = tf.mul(dyr, tf.reshape(sw, [1, 1, g, c / g]));
        const dx = tf.mul(sInv, tf.sub(tf.sub(gx, tf.mean(gx, [1, 3], true)), tf.mul(xh, tf.mean(tf.mul(gx, xh), [1, 3], true))));
        return [tf.reshape(dx, [n, h, w, c]), dWeight, dBias];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, weight, bias) as tf.Tensor4D;
}
