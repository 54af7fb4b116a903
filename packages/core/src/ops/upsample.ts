// 2x nearest-neighbour upsampling of NHWC tensors, the up layers of the U-Nets with the box resample filter
// (reference Conv2d with up=True and resample_filter [1, 1]: conv_transpose2d with 4 f = ones(2, 2) per channel):
//   y[n, 2 i + a, 2 j + b, c] = x[n, i, j, c]                  (a, b in {0, 1})
//   dx[n, i, j, c] = (dy[2 i, 2 j] + dy[2 i + 1, 2 j]) + (dy[2 i, 2 j + 1] + dy[2 i + 1, 2 j + 1])
// tfjs style: op, kernels per backend (cpu: ops/upsample-cpu.ts; wasm: @edm/backend-wasm) and one gradient that
// keeps no tensor. Where a backend has the kernels, one kernel each way instead of two tiles and three reshapes
// forward and two zeros, four slices and four adds backward; elsewhere the same composition as before (two
// rank-4 tiles: tfjs has no rank-6 tile gradient), whose gradient sums in the order above, so both paths give the
// same values bit for bit.
import * as tf from '@tensorflow/tfjs-core';

/** Fused forward kernel. Inputs {x [N,H,W,C]}; output [N,2H,2W,C]. */
export const UPSAMPLE_NEAREST_KERNEL = 'EdmUpsampleNearest2x';
/** Fused backward kernel. Inputs {dy [N,2H,2W,C]}; output dx [N,H,W,C] (the sum of each 2x2 block, in the order above). */
export const UPSAMPLE_NEAREST_GRAD_KERNEL = 'EdmUpsampleNearest2xGrad';

let gradientRegistered = false;

/** Registers the gradient of {@link UPSAMPLE_NEAREST_KERNEL} (once; one gradient for every backend). */
export function registerUpsampleNearestGradient(): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: UPSAMPLE_NEAREST_KERNEL,
    gradFunc: (dy) => {
      const g = Array.isArray(dy) ? dy[0]! : dy;
      return { x: () => tf.engine().runKernel(UPSAMPLE_NEAREST_GRAD_KERNEL, { dy: g }) as tf.Tensor };
    },
  });
}

/** Whether the active backend has both fused upsampling kernels. */
export function hasFusedUpsampleNearest(backendName = tf.getBackend()): boolean {
  return tf.getKernel(UPSAMPLE_NEAREST_KERNEL, backendName) !== undefined &&
    tf.getKernel(UPSAMPLE_NEAREST_GRAD_KERNEL, backendName) !== undefined;
}

/** The sum of each 2x2 block of dy [N,2H,2W,C] from tfjs ops: rows first, then columns (the banner's order). */
function composedBlockSum(dy: tf.Tensor4D): tf.Tensor4D {
  const [n, h2, w2, c] = dy.shape;
  const rows = tf.sum(tf.reshape(dy, [n * h2 / 2, 2, w2 * c]), 1);
  return tf.reshape(tf.sum(tf.reshape(rows, [n * h2 / 2 * w2 / 2, 2, c]), 1), [n, h2 / 2, w2 / 2, c]) as tf.Tensor4D;
}

/** The upsampling from tfjs ops (two rank-4 tiles), with a gradient that keeps no tensor. */
export function composedUpsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  const op = tf.customGrad(((xs: tf.Tensor4D) => {
    const [n, h, w, c] = xs.shape;
    const cols = tf.reshape(tf.tile(tf.reshape(xs, [n * h, w, 1, c]), [1, 1, 2, 1]), [n, h, 1, 2 * w * c]);
    return {
      value: tf.reshape(tf.tile(cols, [1, 1, 2, 1]), [n, 2 * h, 2 * w, c]),
      gradFunc: (dy: tf.Tensor4D) => composedBlockSum(dy),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as tf.Tensor4D;
}

// tfjs style: op, kernels per backend (cpu: ops/upsample-cpu.ts; wasm: @edm/backend-wasm) of x [N,H,W,C] -> [N,2H,2W,C]; its gradient keeps no tensor. */
export function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  if (x.rank !== 4) throw new Error(`upsampleNearest2x: x must be NHWC (rank 4), got shape [${x.shape}]`);
  if (x.dtype !== 'float32' || !hasFusedUpsampleNearest()) return composedUpsampleNearest2x(x);
  registerUpsampleNearestGradient();
  return tf.engine().runKernel(UPSAMPLE_NEAREST_KERNEL, { x }) as tf.Tensor4D;
}
