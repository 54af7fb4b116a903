// The fused GroupNorm kernels of @edm/core (EdmGroupNorm, EdmGroupNormGrad, and GroupNorm + SiLU:
// EdmGroupNormSilu, EdmGroupNormSiluGrad) for wasm: @edm/core's loops run over views of the wasm heap, their
// passes in WebAssembly SIMD (simd/group-norm.wat) where C % 4 == 0.
// The composed ops they replace cost a dozen kernel calls per GroupNorm, several of them broadcasting binary
// ops, which tfjs-backend-wasm 4.22 runs as a generic index loop; at batch 8, 32x32x64 the composed forward
// took 15 ms next to 23 ms for a 64->64 3x3 convolution (measured in a DDPM++ training step).
import * as tf from '@tensorflow/tfjs-core';
import {
  GROUP_NORM_GRAD_KERNEL, GROUP_NORM_KERNEL, GROUP_NORM_SILU_GRAD_KERNEL, GROUP_NORM_SILU_KERNEL, checkFloat32,
  groupNormBackward, groupNormDims, groupNormForward, groupNormSiluBackward, groupNormSiluForward, type GroupNormAttrs,
} from '@edm/core';
import { heapView, withHeapBlocks, type WasmHeapBackend } from './heap';
import { heapGroupNormPasses } from './simd/group-norm-passes';

/** EdmGroupNorm for wasm: outputs [y, mean, invStd]. */
export const groupNormWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmHeapBackend;
  const { numGroups, eps } = attrs as unknown as GroupNormAttrs;
  const { x, weight, bias } = inputs as Record<'x' | 'weight' | 'bias', tf.TensorInfo>;
  checkFloat32(GROUP_NORM_KERNEL, { x, weight, bias });
  const d = groupNormDims(x.shape, numGroups);
  const y = b.makeOutput(x.shape, 'float32');
  const mean = b.makeOutput([d.n, d.g], 'float32');
  const invStd = b.makeOutput([d.n, d.g], 'float32');
  const simd = heapGroupNormPasses(b.wasm, d.c, 4 * d.n * d.c);
  // Views after every allocation: growing the heap detaches earlier views.
  const view = (t: tf.TensorInfo) => heapView(b, t) as Float32Array;
  try {
    groupNormForward(view(x), view(weight), view(bias), eps, d, view(y), view(mean), view(invStd), simd?.passes);
  } finally {
    simd?.release();
  }
  return [y, mean, invStd];
};

/** EdmGroupNormGrad for wasm: outputs [dx, dWeight, dBias]. */
export const groupNormGradWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmHeapBackend;
  const { numGroups } = attrs as unknown as GroupNormAttrs;
  const { dy, x, weight, mean, invStd } = inputs as Record<'dy' | 'x' | 'weight' | 'mean' | 'invStd', tf.TensorInfo>;
  checkFloat32(GROUP_NORM_GRAD_KERNEL, { dy, x, weight, mean, invStd });
  const d = groupNormDims(x.shape, numGroups);
  const dx = b.makeOutput(x.shape, 'float32');
  const dWeight = b.makeOutput([d.c], 'float32');
  const dBias = b.makeOutput([d.c], 'float32');
  const simd = heapGroupNormPasses(b.wasm, d.c, 5 * d.n * d.c);
  const view = (t: tf.TensorInfo) => heapView(b, t) as Float32Array;
  try {
    groupNormBackward(view(dy), view(x), view(weight), view(mean), view(invStd), d, view(dx), view(dWeight), view(dBias),
      simd?.passes);
  } finally {
    simd?.release();
  }
  return [dx, dWeight, dBias];
};

/** EdmGroupNormSilu for wasm: y = silu(GroupNorm(x)). */
export const groupNormSiluWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmHeapBackend;
  const { numGroups, eps } = attrs as unknown as GroupNormAttrs;
  const { x, weight, bias } = inputs as Record<'x' | 'weight' | 'bias', tf.TensorInfo>;
  checkFloat32(GROUP_NORM_SILU_KERNEL, { x, weight, bias });
  const d = groupNormDims(x.shape, numGroups);
  const y = b.makeOutput(x.shape, 'float32');
  const simd = heapGroupNormPasses(b.wasm, d.c, 4 * d.n * d.c);
  const view = (t: tf.TensorInfo) => heapView(b, t) as Float32Array;
  try {
    groupNormSiluForward(view(x), view(weight), view(bias), eps, d, view(y), simd?.passes);
  } finally {
    simd?.release();
  }
  return y;
};

/** EdmGroupNormSiluGrad for wasm: outputs [dx, dWeight, dBias]; dt lives in a heap block. */
export const groupNormSiluGradWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmHeapBackend;
  const { numGroups, eps } = attrs as unknown as GroupNormAttrs;
  const { dy, x, weight, bias } = inputs as Record<'dy' | 'x' | 'weight' | 'bias', tf.TensorInfo>;
  checkFloat32(GROUP_NORM_SILU_GRAD_KERNEL, { dy, x, weight, bias });
  const d = groupNormDims(x.shape, numGroups);
  const dx = b.makeOutput(x.shape, 'float32');
  const dWeight = b.makeOutput([d.c], 'float32');
  const dBias = b.makeOutput([d.c], 'float32');
  // pointer: a heap block for dt for the SIMD passes (null: the JavaScript loops, dt in JavaScript).
  const run = (pointer: number | null) => {
    const simd = pointer === null ? null : heapGroupNormPasses(b.wasm, d.c, 7 * d.n * d.c);
    // Views after every allocation: growing the heap detaches earlier views.
    const view = (t: tf.TensorInfo) => heapView(b, t) as Float32Array;
    const size = d.n * d.p * d.c;
    const dt = simd ? new Float32Array(heapView(b, dx).buffer, pointer!, size) : new Float32Array(size);
    try {
      groupNormSiluBackward(view(dy), view(x), view(weight), view(bias), eps, d, view(dx), view(dWeight), view(dBias), dt,
        simd?.passes);
    } finally {
      simd?.release();
    }
  };
  if (withHeapBlocks(b, [4 * d.n * d.p * d.c], ([pointer]) => { run(pointer!); return true; }) === null) run(null);
  return [dx, dWeight, dBias];
};
