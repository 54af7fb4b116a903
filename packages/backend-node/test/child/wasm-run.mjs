// Child process of wasm-threads.test.ts: starts wasm with EDM_WASM_THREADS (the build is fixed per process),
// runs a convolution, a matrix product and one conv training-step gradient, prints one JSON line, and then
// returns WITHOUT process.exit: the test checks that the pooled workers do not keep the process alive.
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '@edm/backend-node';

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
const conv = tf.conv2d(x, w, 1, 'same');
const a = tf.tensor2d(values(300 * 200, 3), [300, 200]);
const b = tf.tensor2d(values(200 * 100, 4), [200, 100]);
const product = tf.matMul(a, b);
const grad = tf.grad((f) => tf.sum(tf.square(tf.conv2d(x, f, 1, 'same'))))(w);
const hex = async (t) => Buffer.from((await t.data()).buffer).toString('hex');
console.log(JSON.stringify({ threads: report.threads, conv: await hex(conv), product: await hex(product), grad: await hex(grad) }));
