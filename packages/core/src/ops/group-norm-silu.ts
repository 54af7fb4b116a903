// silu(GroupNorm(x)), the pre-activation of every U-Net residual block and output head, as one op whose
// gradient keeps only x, weight and bias. tfjs keeps every tensor a gradient saves until the whole backward
// pass ends; GroupNorm then SiLU as two ops keeps x (for GroupNorm) and the normalised tensor (for SiLU):
// two activations. This op recomputes the normalised tensor in the backward pass instead (one GroupNorm
// forward, cheap next to the convolutions), then runs the same ops in the same order as the two-op path,
// so values and gradients are bit-identical to silu(groupNorm(x)): the fused kernels where the backend has
// them (as registerGroupNormGradient runs them), the composed ops of ops/group-norm-composed.ts otherwise.
import * as tf from '@tensorflow/tfjs-core';
import { GROUP_NORM_GRAD_KERNEL, GROUP_NORM_KERNEL, checkGroupNormArgs, hasFusedGroupNorm, type GroupNormAttrs } from './group-norm';
import { composedAffine, composedGroupNormBackward, composedGroupStats, composedNormalised } from './group-norm-composed';
import { siluBackward, siluForward } from './silu';

type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/** The fused forward kernel: [y, mean, invStd]. */
function fusedForward(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, attrs: GroupNormAttrs): [tf.Tensor4D, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(GROUP_NORM_KERNEL, { x, weight, bias },
    attrs as unknown as tf.NamedAttrMap) as [tf.Tensor4D, tf.Tensor, tf.Tensor];
}

function fusedGroupNormSilu(x: tf.Tensor4D, weight: tf.Tensor1D, bias: tf.Tensor1D, attrs: GroupNormAttrs): tf.Tensor4D {
  const op = tf.customGrad(((xs: tf.Tensor4D, wt: tf.Tensor1D, bs: tf.Tensor1D, save: tf.GradSaveFunc) => {
    save([xs, wt, bs]);
    const [y] = fusedForward(xs, wt, bs, attrs);
    return {
      value: siluForward(y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sb] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const [sy, mean, invStd] = fusedForward(sx, sw, sb, attrs);
        const dyNorm = siluBackward(dy, sy);
        return tf.engine().runKernel(GROUP_NORM_GRAD_KERNEL, { dy: dyNorm, x: sx, weight: sw, mean, invStd },
          attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      },
    };
  }) as unknown as CustomGradFn);
  return op(x, weight, bias) as tf.Tensor4D;
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
  if (!hasFusedGroupNorm()) return composedGroupNormSilu(x, weight, bias, numGroups, eps);
  checkGroupNormArgs('groupNormSilu', x, weight, bias, numGroups);
  return fusedGroupNormSilu(x, weight, bias, { numGroups, eps });
}
