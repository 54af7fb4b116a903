// Child process of wasm-threads.test.ts: starts wasm with EDM_WASM_THREADS and EDM_WASM_THREAD_KERNELS (the
// build is fixed per process), runs a direct and a Winograd convolution, matrix products and one conv
// training-step gradient, prints one JSON line (hashes, leading values, and how much work the threads took), and then
// returns WITHOUT process.exit: the test checks that the pooled workers do not keep the process alive.
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { forceConvAlgorithm, useNodeBackend, wasmThreadStats } from '@edm/backend-node';
import { groupNorm, groupNormSilu } from '@edm/core';

const report = await useNodeBackend({ backend: 'wasm', strict: true });
function values(n, seed) {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
const x = tf.tensor4d(values(4 * 16 * 16 * 32, 1), [4, 16, 16, 32]);
const w = tf.tensor4d(values(3 * 3 * 32 * 48, 2), [3, 3, 32, 48]);
// The direct kernel (3x3 layers take a Winograd algorithm by default).
forceConvAlgorithm('direct');
const conv = tf.conv2d(x, w, 1, 'same');
const grad = tf.grad((f) => tf.sum(tf.square(tf.conv2d(x, f, 1, 'same'))))(w);
forceConvAlgorithm(null);
// The Winograd path (its transforms and products split over rows on threads).
const wideX = tf.tensor4d(values(4 * 32 * 32 * 64, 9), [4, 32, 32, 64]);
const wideW = tf.tensor4d(values(3 * 3 * 64 * 64, 10), [3, 3, 64, 64]);
const winograd = tf.conv2d(wideX, wideW, 1, 'same');
const winogradGrad = tf.grad((f) => tf.sum(tf.square(tf.conv2d(wideX, f, 1, 'same'))))(wideW);
const a = tf.tensor2d(values(300 * 200, 3), [300, 200]);
const b = tf.tensor2d(values(200 * 100, 4), [200, 100]);
const product = tf.matMul(a, b);
// Attention-shaped batched products, one transposed (our module on 'edm' threads).
const q = tf.tensor3d(values(4 * 128 * 32, 7), [4, 128, 32]);
const k = tf.tensor3d(values(4 * 128 * 32, 8), [4, 128, 32]);
const attention = tf.matMul(tf.matMul(q, k, false, true), k);
// The fused GroupNorm and its gradient (WebAssembly SIMD on the heap: a shared memory on threads).
const gnWeight = tf.tensor1d(values(32, 5));
const gnBias = tf.tensor1d(values(32, 6));
const norm = groupNorm(x, gnWeight, gnBias, 8, 1e-5);
const normGrad = tf.grad((a) => tf.sum(tf.square(groupNorm(a, gnWeight, gnBias, 8, 1e-5))))(x);
// GroupNorm + SiLU on a tensor large enough for its passes to be split over the threads by image.
const big = tf.tensor4d(values(16 * 28 * 28 * 48, 7), [16, 28, 28, 48]);
const w48 = tf.tensor1d(values(48, 8));
const b48 = tf.tensor1d(values(48, 9));
const before = wasmThreadStats().splitCalls;
const normSilu = groupNormSilu(big, w48, b48, 12, 1e-6);
const normSiluGrad = tf.grad((a) => tf.sum(tf.square(groupNormSilu(a, w48, b48, 12, 1e-6))))(big);
const normSplits = wasmThreadStats().splitCalls - before;
const sha256 = async (t) => createHash('sha256').update(new Uint8Array((await t.data()).buffer)).digest('hex');
const sample = async (t) => Array.from((await t.data()).slice(0, 64));
console.log(JSON.stringify({ threads: report.threads, threadKernels: report.threadKernels, stats: wasmThreadStats(),
  conv: await sha256(conv), winograd: await sha256(winograd), winogradGrad: await sha256(winogradGrad), product: await sha256(product), grad: await sha256(grad), attention: await sha256(attention),
  norm: await sha256(norm), normGrad: await sha256(normGrad), normSilu: await sha256(normSilu), normSiluGrad: await sha256(normSiluGrad), normSplits, samples: { conv: await sample(conv), winograd: await sample(winograd), grad: await sample(grad),
    attention: await sample(attention) } }));
