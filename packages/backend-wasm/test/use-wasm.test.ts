// useWasm: tfjs's wasm backend started with our kernels registered and our modules compiled ahead of the first
// kernel call (asynchronously: browsers refuse synchronous compilation of larger modules on the main thread).
import * as tf from '@tensorflow/tfjs-core';
import { groupNormSilu, hasFusedGroupNormSilu } from '@edm/core';
import { expect, it } from 'vitest';
import { SIMD_MODULES, useWasm, type WasmHeapBackend } from '../src/index';
import { simdInstance } from '../src/kernels/wasm/simd/instance';

it('starts wasm with our kernels and every SIMD module ready on its heap', async () => {
  const report = await useWasm();
  expect(report).toEqual({ backend: 'wasm', simd: true, threads: 1 });
  expect(tf.getBackend()).toBe('wasm');
  expect(hasFusedGroupNormSilu('wasm')).toBe(true);
  const module = (tf.backend() as unknown as WasmHeapBackend).wasm;
  for (const binaries of SIMD_MODULES) expect(simdInstance(module, binaries)).not.toBeNull();
  const x = tf.randomNormal([2, 4, 4, 8]) as tf.Tensor4D;
  const y = groupNormSilu(x, tf.ones([8]) as tf.Tensor1D, tf.zeros([8]) as tf.Tensor1D, 2, 1e-5);
  expect(y.shape).toEqual([2, 4, 4, 8]);
  expect((await y.data()).every(Number.isFinite)).toBe(true);
  // A second call reuses the running backend.
  expect((await useWasm()).backend).toBe('wasm');
});
