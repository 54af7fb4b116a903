// silu(GroupNorm(x)), the pre-activation of every U-Net residual block and output head, as one op whose
// gradient keeps only x, weight and bias. tfjs keeps every tensor a gradient saves until the whole backward
// pass ends; GroupNorm then SiLU as two ops keeps x (for GroupNorm) and the normalised tensor (for SiLU):
// two activations. This op recomputes the normalised tensor in the backward pass instead (its statistics
// from x, cheap next to the convolutions). tfjs style: the op, its two kernels and its gradient are separate.
// A backend with the fused kernels (cpu: ops/group-norm-cpu.ts; wasm: @edm/backend-wasm) runs GroupNorm and
// SiLU as one kernel forward (two passes over the data) and one backward (three passes), instead of GroupNorm,
// Sigmoid and Multiply forward and eight kernels backward; the cpu kernels give the two-op path's values and
// gradients bit for bit (ops/group-norm-math.ts). Other backends run the composed ops below, with a custom
// gradient that keeps the same tensors.
import * as tf from '@tensorflow/tfjs-core';
import { checkGroupNormArgs, type GroupNormAttrs } from './group-norm';
import { composedAffine, composedGroupNormBackward, composedGroupStats, composedNormalised } from './group-norm-composed';
import { siluBackward, siluForward } from './silu';

type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/** Fused forward kernel. Inputs {x [N,H,W,C], weight [C], bias [C]}, attrs {@link GroupNormAttrs}; output y = silu(GroupNorm(x)). */
export const GROUP_NORM_SILU_KERNEL = 'EdmGroupNormSilu';
/**
 * Fused backward kernel. Inputs {dy, x, weight, bias}, attrs {@link GroupNormAttrs}; outputs [dx, dWeight, dBias]
 * (the statistics are recomputed from x).
 */
export const GROUP_NORM_SILU_GRAD_KERNEL = 'EdmGroupNormSiluGrad';

let gradientRegistered = false;

/** Registers the gradient of {@link GROUP_NORM_SILU_KERNEL} (once; one gradient for every backend). */
export function registerGroupNormSiluGradient(): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: GROUP_NORM_SILU_KERNEL,
    inputsToSave: ['x', 'weight', 'bias'],
    gradFunc: (dy, saved, attrs) => {
      const [x, weight, bias] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const [dx, dWeight, dBias] = tf.engine().runKernel(GROUP_NORM_SILU_GRAD_KERNEL,
        { dy: Array.isArray(dy) ? dy[0]! : dy, x, weight, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return { x: () => dx!, weight: () => dWeight!, bias: () => dBias! };
    },
  });
}

/** Whether the active backend has both fused GroupNorm + SiLU kernels. */
export function hasFusedGroupNormSilu(backendName = tf.getBackend()): boolean {
  return tf.getKernel(GROUP_NORM_SILU_KERNEL, backendName) !== undefined &&
    tf.getKernel(GROUP_NORM_SILU_GRAD_KERNEL, backendName) !== undefined;
}

/**
 * silu(composedGroupNorm(x, weight, bias)) with a gradient that keeps only x, weight and bias: the composed
 * path of {@link groupNormSilu}, whatever the backend has (a test can compare it with the two-op path).
 */
export function composedGroupNormSilu(
  x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D, numGroups: number, eps: number,
): tf.Tensor4D {
  checkGroupNormArgs('composedGroupNormSilu', x, weight, bias, numGroups);
  const normalise = (xs: tf.Tensor4D, wt: tf.Tensor1D, bs: tf.Tensor1D) => {
    const { mean, invStd } = composedGroupStats(xs, numGroups, eps);
    return { y: composedAffine(composedNormalised(xs, mean, invStd, numGroups), wt, bs, xs.shape), mean, invStd };
  };
  const op = tf.customGrad(((xs: tf.Tensor4D, wt: tf.Tensor1D, bs: tf.Tensor1D, save: tf.GradSaveFunc) => {
    save([xs, wt, bs]);
    return {
      value: siluForward(normalise(xs, wt, bs).y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sb] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const { y, mean, invStd } = normalise(sx, sw, sb);
        return composedGroupNormBackward(siluBackward(dy, y), sx, sw, mean, invStd, numGroups);
      },
    };
  }) as unknown as CustomGradFn);
  return op(x, weight, bias) as tf.Tensor4D;
}

/**
 * silu(groupNorm(x, weight, bias, numGroups, eps)), x [N,H,W,C], with the same values and gradients but a
 * gradient that keeps only x, weight and bias alive until the backward pass (the normalised tensor is
 * recomputed there). Fused kernels where the active backend has them, composed ops otherwise.
 */
export function groupNormSilu(
  x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D, numGroups: number, eps: number,
): tf.Tensor4D {
  if (!hasFusedGroupNormSilu()) return composedGroupNormSilu(x, weight, bias, numGroups, eps);
  checkGroupNormArgs('groupNormSilu', x, weight, bias, numGroups);
  registerGroupNormSiluGradient();
  const attrs: GroupNormAttrs = { numGroups, eps };
  return tf.engine().runKernel(GROUP_NORM_SILU_KERNEL, { x, weight, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
