// @edm/core's fused Adam step (EdmAdam) for wasm: simd/adam.wat over the heap, bit-identical to the composed
// tfjs ops it replaces (about 17 kernels per parameter).
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_KERNEL, checkFloat32, type AdamStepAttrs } from '@edm/core';
import { heapOffset, type WasmHeapBackend } from './heap';
import { ADAM_WASM } from './simd/adam-wasm';
import { simdInstance } from './simd/instance';

interface AdamExports extends WebAssembly.Exports {
  step(param: number, m: number, v: number, grad: number, outParam: number, outM: number, outV: number, n: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, bc2: number, eps: number, stepSize: number): void;
}

/** EdmAdam for wasm (registered only where the SIMD module compiles: registerWasmKernels). */
export const adamWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmHeapBackend;
  const { param, m, v, grad } = inputs as Record<'param' | 'm' | 'v' | 'grad', tf.TensorInfo>;
  checkFloat32(ADAM_KERNEL, { param, m, v, grad });
  const a = attrs as unknown as AdamStepAttrs;
  const simd = simdInstance<AdamExports>(b.wasm, ADAM_WASM);
  if (!simd) throw new Error(`${ADAM_KERNEL}: the WebAssembly SIMD module does not run on this engine`);
  const outs = [b.makeOutput(param.shape, 'float32'), b.makeOutput(param.shape, 'float32'), b.makeOutput(param.shape, 'float32')];
  const n = tf.util.sizeFromShape(param.shape);
  if (n > 0) {
    const [p, m1, v1] = outs.map((o) => heapOffset(b, o)) as [number, number, number];
    // WebAssembly f32 parameters round the numbers to float32, as tfjs does making scalar tensors of them.
    simd.step(heapOffset(b, param), heapOffset(b, m), heapOffset(b, v), heapOffset(b, grad), p, m1, v1, n,
      a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.biasCorrection2, a.eps, a.stepSize);
  }
  return outs;
};
