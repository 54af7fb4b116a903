// The fused Adam kernel for tfjs's 'cpu' backend: the composed ops' float32 arithmetic as one loop
// (Math.fround after every operation, as each tfjs op rounds its result to float32). Registered by name.
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_KERNEL, type AdamStepAttrs } from './adam';
import { checkFloat32 } from './check-float32';

/** The parts of tfjs-backend-cpu's MathBackendCPU this kernel uses. */
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): tf.TensorInfo;
}

const f = Math.fround;

/** Writes param', m', v' (see ops/adam.ts) for every element. */
export function adamLoop(param: Float32Array, m: Float32Array, v: Float32Array, grad: Float32Array, a: AdamStepAttrs,
  outParam: Float32Array, outM: Float32Array, outV: Float32Array): void {
  const beta1 = f(a.beta1);
  const oneMinusBeta1 = f(1 - a.beta1);
  const beta2 = f(a.beta2);
  const oneMinusBeta2 = f(1 - a.beta2);
  const bc2 = f(a.biasCorrection2);
  const eps = f(a.eps);
  const stepSize = f(a.stepSize);
  for (let i = 0; i < param.length; i++) {
    let g = grad[i]!;
    if (Number.isNaN(g)) g = 0;
    else if (!Number.isFinite(g)) g = g > 0 ? 1e5 : -1e5;
    const m1 = f(f(m[i]! * beta1) + f(g * oneMinusBeta1));
    const v1 = f(f(v[i]! * beta2) + f(f(g * g) * oneMinusBeta2));
    const denom = f(f(Math.sqrt(f(v1 / bc2))) + eps);
    outParam[i] = f(param[i]! - f(f(m1 / denom) * stepSize));
    outM[i] = m1;
    outV[i] = v1;
  }
}

export const adamCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { param, m, v, grad } = inputs as Record<'param' | 'm' | 'v' | 'grad', tf.TensorInfo>;
  checkFloat32(ADAM_KERNEL, { param, m, v, grad });
  const n = tf.util.sizeFromShape(param.shape);
  const out = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
  const values = (t: tf.TensorInfo) => b.data.get(t.dataId).values as Float32Array;
  adamLoop(values(param), values(m), values(v), values(grad), attrs as unknown as AdamStepAttrs, ...out);
  return out.map((o) => b.makeTensorInfo(param.shape, 'float32', o));
};

/** Registers the kernel for 'cpu' (idempotent). */
export function registerAdamCpuKernel(): void {
  if (!tf.getKernel(ADAM_KERNEL, 'cpu')) tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: 'cpu', kernelFunc: adamCpu });
}
