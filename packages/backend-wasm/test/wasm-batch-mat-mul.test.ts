// Our wasm BatchMatMul in simd/conv.wat (batch-mat-mul.ts, simdMatMul) equals the cpu backend's on the shapes it
// now takes: attention's at 7x7 ([16, 49, 49] x [16, 49, 24], m = 49), the embedding layers' single transposed
// products, m, n and k of 1, 3, 5 and 49 (n padded to a multiple of 4 and sliced back), one side broadcast, and
// every combination of transposes; and it takes them (batchMatMulPaths), where it used to split the batch
// into XNNPACK calls or leave them to tfjs's generic loop (a single product of small depth with b as given goes
// to XNNPACK on our transpose of a).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchMatMulPaths } from '../src/kernels/wasm/batch-mat-mul';
import { registerWasmKernels } from '../src/kernels/wasm/register';
import { maxAbsDiff, runKernelOn, values } from './helpers';

const TOL = 1e-5;

interface Case {
  name: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
  /** A single product of depth < 512 with b untransposed: XNNPACK on our materialised a (as fast there). */
  xnnpack?: boolean;
}

/** [batch..., m, k] x [batch..., k, n] in the stored layouts the transposes ask for. */
function matMulCase(name: string, batchA: number[], batchB: number[], m: number, k: number, n: number, transposeA: boolean,
  transposeB: boolean): Case {
  const xnnpack = batchA.length === 0 && batchB.length === 0 && !transposeB && n % 4 === 0 && k < 512;
  return { name, a: [...batchA, ...(transposeA ? [k, m] : [m, k])], b: [...batchB, ...(transposeB ? [n, k] : [k, n])], transposeA,
    transposeB, xnnpack };
}

const CASES: Case[] = [
  { name: 'attention w v [16,49,49] x [16,49,24]', a: [16, 49, 49], b: [16, 49, 24], transposeA: false, transposeB: false },
  { name: 'attention w^T dy [16,49,49]^T x [16,49,24]', a: [16, 49, 49], b: [16, 49, 24], transposeA: true, transposeB: false },
  { name: 'attention q k^T [16,49,24] x [16,49,24]^T (n = 49)', a: [16, 49, 24], b: [16, 49, 24], transposeA: false, transposeB: true },
  { name: 'embedding x W^T [16,24] x [48,24]^T', a: [16, 24], b: [48, 24], transposeA: false, transposeB: true },
  { name: 'embedding dy^T x [16,48]^T x [16,24]', a: [16, 48], b: [16, 24], transposeA: true, transposeB: false, xnnpack: true },
];
// Odd sizes (each product at least 16^3 multiply-adds, below which the original kernel keeps it), batched and
// single, through every combination of transposes.
for (const [m, k, n] of [[1, 49, 99], [3, 49, 49], [5, 49, 24], [49, 1, 99], [49, 99, 1], [49, 99, 3], [49, 24, 5], [7, 600, 5]]) {
  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const t = `${tA ? 'a^T' : 'a'} ${tB ? 'b^T' : 'b'}`;
    if (tA || tB) CASES.push(matMulCase(`m ${m} k ${k} n ${n}, single, ${t}`, [], [], m, k, n, tA, tB));
    CASES.push(matMulCase(`m ${m} k ${k} n ${n}, batch 3, ${t}`, [3], [3], m, k, n, tA, tB));
  }
}
CASES.push(
  matMulCase('broadcast a [1,49,24] x [6,24,49]', [1], [6], 49, 24, 49, false, false),
  matMulCase('broadcast a, both transposed [1,24,49]^T x [6,49,24]^T', [1], [6], 49, 24, 49, true, true),
  matMulCase('broadcast b [6,49,24] x [1,24,5]', [6], [1], 49, 24, 5, false, false),
  matMulCase('broadcast b, a transposed [6,24,49]^T x [1,24,8]', [6], [1], 49, 24, 8, true, false),
  matMulCase('rank 4, b transposed [2,3,49,24] x [2,3,49,24]^T', [2, 3], [2, 3], 49, 24, 49, false, true),
);

describe('wasm BatchMatMul in simd/conv.wat (any m; n padded to 4; transposes materialised)', () => {
  beforeAll(async () => {
    registerWasmKernels();
    await tf.setBackend('wasm');
    await tf.ready();
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.xnnpack ? 'XNNPACK on our transpose' : 'ours'}, = cpu`, async () => {
      const a = { shape: c.a, data: values(c.a.reduce((x, y) => x * y, 1), 21) };
      const b = { shape: c.b, data: values(c.b.reduce((x, y) => x * y, 1), 22) };
      const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
      const ref = await runKernelOn('cpu', 'BatchMatMul', { a, b }, attrs);
      const before = { ...batchMatMulPaths };
      const got = await runKernelOn('wasm', 'BatchMatMul', { a, b }, attrs);
      expect(batchMatMulPaths.ours - before.ours, 'our module').toBe(c.xnnpack ? 0 : 1);
      expect(batchMatMulPaths.xnnpack - before.xnnpack, 'XNNPACK on the materialised operands').toBe(c.xnnpack ? 1 : 0);
      expect(batchMatMulPaths.split + batchMatMulPaths.original, 'no other path').toBe(before.split + before.original);
      expect(got.shape).toEqual(ref.shape);
      const d = maxAbsDiff(got.data, ref.data);
      expect(d.diff).toBeLessThanOrEqual(TOL * Math.max(1, d.scale));
    });
  }

  it('frees its temporaries (transposed and padded operands, the padded product)', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor(values(16 * 49 * 24, 23), [16, 49, 24]);
    const b = tf.tensor(values(16 * 49 * 24, 24), [16, 49, 24]);
    tf.matMul(a, b, false, true).dispose();
    const tensors = tf.memory().numTensors;
    const dataIds = (tf.backend() as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds();
    for (let i = 0; i < 3; i++) tf.matMul(a, b, false, true).dispose();
    tf.matMul(a, b, true, false).dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect((tf.backend() as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds()).toBe(dataIds);
    tf.dispose([a, b]);
  });
});
