// The fused GroupNorm and GroupNorm + SiLU kernels for tfjs's 'cpu' backend (loops of ops/group-norm-math.ts over the backend's
// arrays). Registered by name: this module imports no backend.
import * as tf from '@tensorflow/tfjs-core';
import { GROUP_NORM_GRAD_KERNEL, GROUP_NORM_KERNEL, type GroupNormAttrs } from './group-norm';
import { checkFloat32 } from './check-float32';
import { groupNormBackward, groupNormDims, groupNormForward, groupNormSiluBackward, groupNormSiluForward } from './group-norm-math';
import { GROUP_NORM_SILU_GRAD_KERNEL, GROUP_NORM_SILU_KERNEL } from './group-norm-silu';

/** The parts of tfjs-backend-cpu's MathBackendCPU these kernels use. */
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): tf.TensorInfo;
}

function floats(backend: CpuBackend, t: tf.TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

/** Forward kernel (see GROUP_NORM_KERNEL). */
export const groupNormCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { numGroups, eps } = attrs as unknown as GroupNormAttrs;
  const { x, weight, bias } = inputs as { x: tf.TensorInfo; weight: tf.TensorInfo; bias: tf.TensorInfo };
  checkFloat32(GROUP_NORM_KERNEL, { x, weight, bias });
  const d = groupNormDims(x.shape, numGroups);
  const y = new Float32Array(d.n * d.p * d.c);
  const mean = new Float32Array(d.n * d.g);
  const invStd = new Float32Array(d.n * d.g);
  groupNormForward(floats(b, x), floats(b, weight), floats(b, bias), eps, d, y, mean, invStd);
  return [b.makeTensorInfo(x.shape, 'float32', y), b.makeTensorInfo([d.n, d.g], 'float32', mean),
    b.makeTensorInfo([d.n, d.g], 'float32', invStd)];
};

/** Backward kernel (see GROUP_NORM_GRAD_KERNEL). */
export const groupNormGradCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { numGroups } = attrs as unknown as GroupNormAttrs;
  const { dy, x, weight, mean, invStd } = inputs as Record<'dy' | 'x' | 'weight' | 'mean' | 'invStd', tf.TensorInfo>;
  checkFloat32(GROUP_NORM_GRAD_KERNEL, { dy, x, weight, mean, invStd });
  const d = groupNormDims(x.shape, numGroups);
  const dx = new Float32Array(d.n * d.p * d.c);
  const dWeight = new Float32Array(d.c);
  const dBias = new Float32Array(d.c);
  groupNormBackward(floats(b, dy), floats(b, x), floats(b, weight), floats(b, mean), floats(b, invStd), d, dx, dWeight, dBias);
  return [b.makeTensorInfo(x.shape, 'float32', dx), b.makeTensorInfo([d.c], 'float32', dWeight),
    b.makeTensorInfo([d.c], 'float32', dBias)];
};

/** GroupNorm + SiLU forward kernel (see GROUP_NORM_SILU_KERNEL). */
export const groupNormSiluCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { numGroups, eps } = attrs as unknown as GroupNormAttrs;
  const { x, weight, bias } = inputs as { x: tf.TensorInfo; weight: tf.TensorInfo; bias: tf.TensorInfo };
  checkFloat32(GROUP_NORM_SILU_KERNEL, { x, weight, bias });
  const d = groupNormDims(x.shape, numGroups);
  const y = new Float32Array(d.n * d.p * d.c);
  groupNormSiluForward(floats(b, x), floats(b, weight), floats(b, bias), eps, d, y);
  return b.makeTensorInfo(x.shape, 'float32', y);
};

/** GroupNorm + SiLU backward kernel (see GROUP_NORM_SILU_GRAD_KERNEL). */
export const groupNormSiluGradCpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as CpuBackend;
  const { numGroups, eps } = attrs as unknown as GroupNormAttrs;
  const { dy, x, weight, bias } = inputs as Record<'dy' | 'x' | 'weight' | 'bias', tf.TensorInfo>;
  checkFloat32(GROUP_NORM_SILU_GRAD_KERNEL, { dy, x, weight, bias });
  const d = groupNormDims(x.shape, numGroups);
  const dx = new Float32Array(d.n * d.p * d.c);
  const dWeight = new Float32Array(d.c);
  const dBias = new Float32Array(d.c);
  groupNormSiluBackward(floats(b, dy), floats(b, x), floats(b, weight), floats(b, bias), eps, d, dx, dWeight, dBias,
    new Float32Array(d.n * d.p * d.c));
  return [b.makeTensorInfo(x.shape, 'float32', dx), b.makeTensorInfo([d.c], 'float32', dWeight),
    b.makeTensorInfo([d.c], 'float32', dBias)];
};

const CPU_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  [GROUP_NORM_KERNEL]: groupNormCpu,
  [GROUP_NORM_GRAD_KERNEL]: groupNormGradCpu,
  [GROUP_NORM_SILU_KERNEL]: groupNormSiluCpu,
  [GROUP_NORM_SILU_GRAD_KERNEL]: groupNormSiluGradCpu,
};

/** Registers the GroupNorm and GroupNorm + SiLU kernels for 'cpu' (idempotent). */
export function registerGroupNormCpuKernels(): void {
  for (const [kernelName, kernelFunc] of Object.entries(CPU_KERNELS)) {
    if (!tf.getKernel(kernelName, 'cpu')) tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc });
  }
}
