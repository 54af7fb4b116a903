// One Adam step for one parameter as an op with per-backend kernels (tfjs style), the arithmetic of
// torch.optim.Adam as the reference trains with it. A backend that registers ADAM_KERNEL (cpu: ops/adam-cpu.ts;
// wasm: @edm/backend-wasm, WebAssembly SIMD) does the step in one pass; any other backend runs the composed
// ops (about 17 kernels per parameter, 2400 per step for a 142-tensor U-Net). Both compute in float32, op by
// op in the same order, so the fused kernels give the composed ops' values bit for bit:
//   g  = nan_to_num(grad, nan=0, posinf=1e5, neginf=-1e5)         (the reference cleans gradients first)
//   m' = m beta1 + g (1 - beta1)
//   v' = v beta2 + g^2 (1 - beta2)
//   p' = p - m' / (sqrt(v' / bc2) + eps) * stepSize,   bc2 = 1 - beta2^t,  stepSize = lr / (1 - beta1^t)
// Every scalar is used as the float32 nearest to it (as tfjs makes a scalar tensor of a number).
import * as tf from '@tensorflow/tfjs-core';

/** Fused kernel. Inputs {param, m, v, grad} (float32, one shape); attrs {@link AdamStepAttrs}; outputs [param', m', v']. */
export const ADAM_KERNEL = 'EdmAdam';

/** The step's scalars (JavaScript numbers; used as float32). */
export interface AdamStepAttrs {
  beta1: number;
  beta2: number;
  eps: number;
  /** lr / (1 - beta1^t). */
  stepSize: number;
  /** 1 - beta2^t. */
  biasCorrection2: number;
}

/** Whether the active backend has the fused Adam kernel. */
export function hasFusedAdam(backendName = tf.getBackend()): boolean {
  return tf.getKernel(ADAM_KERNEL, backendName) !== undefined;
}

/** The step from tfjs ops (see the banner); returns [param', m', v']. */
export function composedAdamStep(param: tf.Tensor, m: tf.Tensor, v: tf.Tensor, grad: tf.Tensor, a: AdamStepAttrs): tf.Tensor[] {
  return tf.tidy(() => {
    const noNaN = tf.where(tf.isNaN(grad), tf.zerosLike(grad), grad);
    const g = tf.where(tf.isInf(noNaN), tf.mul(tf.sign(noNaN), 1e5), noNaN);
    const m1 = tf.add(tf.mul(m, a.beta1), tf.mul(g, 1 - a.beta1));
    const v1 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
    const denom = tf.add(tf.sqrt(tf.div(v1, a.biasCorrection2)), a.eps);
    return [tf.sub(param, tf.mul(tf.div(m1, denom), a.stepSize)), m1, v1];
  });
}

/** One Adam step for one parameter: [param', m', v'] (new tensors; the inputs are left as they are). */
export function adamStep(param: tf.Tensor, m: tf.Tensor, v: tf.Tensor, grad: tf.Tensor, attrs: AdamStepAttrs): tf.Tensor[] {
  for (const [name, t] of Object.entries({ m, v, grad })) {
    if (!tf.util.arraysEqual(t.shape, param.shape)) {
      throw new Error(`adamStep: ${name} has shape [${t.shape}], the parameter [${param.shape}]`);
    }
  }
  const allFloat32 = [param, m, v, grad].every((t) => t.dtype === 'float32');
  if (allFloat32 && hasFusedAdam()) {
    return tf.engine().runKernel(ADAM_KERNEL, { param, m, v, grad }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  }
  return composedAdamStep(param, m, v, grad, attrs);
}
