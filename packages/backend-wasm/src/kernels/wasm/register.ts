// The one place where wasm kernels are added or replaced. tfjs style: a kernel per backend, one
// gradient for all, so these change nothing on other backends. Each replaced kernel is kept
// (`replacedWasmKernel`) so the tests can prove ours computes what it replaces.
import * as tf from '@tensorflow/tfjs-core';
import {
  ADAM_KERNEL, GROUP_NORM_GRAD_KERNEL, GROUP_NORM_KERNEL, GROUP_NORM_SILU_GRAD_KERNEL, GROUP_NORM_SILU_KERNEL,
  UPSAMPLE_NEAREST_GRAD_KERNEL, UPSAMPLE_NEAREST_KERNEL,
} from '@edm/core';
import { adamWasm } from './adam';
import { fastBatchMatMul } from './batch-mat-mul';
import { heapAdd, heapMultiply } from './binary';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input';
import { simdConv2d, simdFusedConv2d } from './conv2d';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwise-backprop';
import { sharedIdentity } from './identity';
import { groupNormGradWasm, groupNormSiluGradWasm, groupNormSiluWasm, groupNormWasm } from './group-norm';
import { avgPoolGrad2x2, upsampleNearestGradWasm, upsampleNearestWasm } from './resample2x';
import { blockReverse } from './reverse';
import { ADAM_WASM } from './simd/adam-wasm';
import { simdSupported } from './simd/instance';
import { heapSlice, heapSplitV, heapUnpack } from './slice';
import { heapConcat } from './concat';
import { heapSum } from './sum';
import { concatTile } from './tile';
import { tiledTranspose } from './transpose';

/** The kernels we register for 'wasm', by tfjs kernel name. */
export const WASM_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  // Missing in tfjs-backend-wasm 4.22: needed to train.
  Conv2DBackpropFilter: conv2dBackpropFilterKernel,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterKernel,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputKernel,
  // Replaces a naive single-threaded loop with one XNNPACK conv2d (10x faster on a 64->64 layer).
  Conv2DBackpropInput: conv2dBackpropInputKernel,
  // @edm/core's fused GroupNorm (two passes over the data instead of a dozen broadcast ops).
  [GROUP_NORM_KERNEL]: groupNormWasm,
  [GROUP_NORM_GRAD_KERNEL]: groupNormGradWasm,
  // GroupNorm + SiLU: one kernel forward (instead of three) and one backward (instead of eight).
  [GROUP_NORM_SILU_KERNEL]: groupNormSiluWasm,
  [GROUP_NORM_SILU_GRAD_KERNEL]: groupNormSiluGradWasm,
  // 2x nearest-neighbour upsampling (the box-filter up layers): one pass each way instead of tiles, slices, adds.
  [UPSAMPLE_NEAREST_KERNEL]: upsampleNearestWasm,
  [UPSAMPLE_NEAREST_GRAD_KERNEL]: upsampleNearestGradWasm,
};

/** Kernels that exist only as our WebAssembly SIMD modules: registered where the engine compiles them (else
 * @edm/core's ops compose tfjs kernels). */
export const WASM_SIMD_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  // @edm/core's Adam step: one pass instead of about 17 kernels per parameter (10% of a training step).
  [ADAM_KERNEL]: adamWasm,
};

/** The kernels we wrap: ours decides per call whether the original (passed in) does the work. */
export const WASM_KERNEL_WRAPPERS: Readonly<Record<string, (original: tf.KernelFunc) => tf.KernelFunc>> = {
  // Stride-1 convolutions in our SIMD module where the shape suits it (1.2-1.7x XNNPACK on one thread).
  Conv2D: simdConv2d,
  FusedConv2D: simdFusedConv2d,
  // Batched/transposed products split into XNNPACK's fast single-product path (attention, matMul gradients).
  BatchMatMul: fastBatchMatMul,
  // Block copies instead of a per-element loop (nearest-neighbour upsampling).
  Tile: concatTile,
  // Copies out of a view of the heap instead of first copying the whole input out of it (tf.slice, tf.split,
  // tf.unstack; 30% of a small DDPM++ training step).
  Slice: heapSlice,
  SplitV: heapSplitV,
  Unpack: heapUnpack,
  // Shares the data under a reference count instead of copying it (every tensor saved for the backward pass).
  Identity: sharedIdentity,
  // Block copies instead of a per-element index loop (the flipped filters of convolution input gradients).
  Reverse: blockReverse,
  // Sums over middle axes read in place instead of after a full transpose (bias gradients).
  Sum: heapSum,
  // One strided copy per input on the heap instead of a JavaScript copy per row (U-Net skip concatenations).
  Concat: heapConcat,
  // 16x16 tiles on the heap instead of a cache-thrashing strided loop (matMul and filter-gradient transposes).
  Transpose: tiledTranspose,
  // The 2x2 stride-2 average pool's gradient (the box-filter down layers) in one SIMD pass.
  AvgPoolGrad: avgPoolGrad2x2,
  // Equal shapes, per-image or per-channel rows and scalars in one SIMD pass instead of a generic index loop (the
  // embedding added to every pixel: [16, 28, 28, 12] + [16, 1, 1, 12] 188 -> 36 us).
  Add: heapAdd,
  Multiply: heapMultiply,
};

const replaced = new Map<string, tf.KernelConfig>();
const ours = new Set<tf.KernelFunc>([...Object.values(WASM_KERNELS), ...Object.values(WASM_SIMD_KERNELS)]);

function install(kernelName: string, kernelFunc: tf.KernelFunc, existing: tf.KernelConfig | undefined): void {
  if (existing) {
    replaced.set(kernelName, existing);
    tf.unregisterKernel(kernelName, 'wasm');
  }
  ours.add(kernelFunc);
  // The replaced kernel's setup (it binds its wasm function when the backend starts) is kept, so the
  // original stays callable.
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc,
    ...(existing?.setupFunc ? { setupFunc: existing.setupFunc } : {}),
    ...(existing?.disposeFunc ? { disposeFunc: existing.disposeFunc } : {}) });
}

/**
 * Registers {@link WASM_KERNELS}, {@link WASM_SIMD_KERNELS} (where SIMD compiles) and {@link WASM_KERNEL_WRAPPERS}
 * for the 'wasm' backend (idempotent). Call after importing
 * `@tensorflow/tfjs-backend-wasm`, so that the kernels it ships are the ones replaced.
 */
export function registerWasmKernels(): void {
  const simd = simdSupported(ADAM_WASM) ? WASM_SIMD_KERNELS : {};
  for (const [kernelName, kernelFunc] of Object.entries({ ...WASM_KERNELS, ...simd })) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing && ours.has(existing.kernelFunc)) continue;
    install(kernelName, kernelFunc, existing);
  }
  for (const [kernelName, wrap] of Object.entries(WASM_KERNEL_WRAPPERS)) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (!existing || ours.has(existing.kernelFunc)) continue;
    install(kernelName, wrap(existing.kernelFunc), existing);
  }
}

/** The tfjs kernel that {@link registerWasmKernels} replaced for 'wasm', if any (e.g. Conv2DBackpropInput). */
export function replacedWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return replaced.get(kernelName);
}
