// Multi-threaded wasm (opt-in, EDM_WASM_THREADS / the `threads` option): our kernels really run on 2 threads
// and give the same bits as the single-threaded build; with threadKernels 'xnnpack' XNNPACK's threads give the
// same values; the pooled workers let the process exit on its own.
// Each case is a child process, since the first wasm start fixes the build for the process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NodeBackendError } from '../src/index';
import { resolveWasmThreadKernels, resolveWasmThreads } from '../src/select';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./child/wasm-run.mjs', import.meta.url));

interface ChildResult {
  threads: number;
  threadKernels?: string;
  stats: { threads: number; splitCalls: number; workerRows: number };
  conv: string;
  winograd: string;
  winogradGrad: string;
  product: string;
  grad: string;
  attention: string;
  norm: string;
  normGrad: string;
  normSilu: string;
  normSiluGrad: string;
  normSplits: number;
  samples: { conv: number[]; winograd: number[]; grad: number[]; attention: number[] };
}

/** Equal within 1e-5 of the values' scale (float32 rounding of a different summation order). */
function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  expected.forEach((v, i) => expect(Math.abs(actual[i]! - v)).toBeLessThanOrEqual(1e-5 * scale));
}

async function runWith(threads: string, threadKernels = ''): Promise<ChildResult> {
  // No process.exit in the child: a worker that kept it alive would hit the timeout (killed: the test fails).
  const { stdout } = await run(process.execPath, [child], { env: { ...process.env, EDM_WASM_THREADS: threads,
    EDM_WASM_THREAD_KERNELS: threadKernels, EDM_BACKEND: '' }, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('wasm threads', () => {
  it('runs our kernels on 2 threads, bit-identical to 1 thread, and the process exits on its own', async () => {
    const one = await runWith('1');
    const two = await runWith('2');
    expect(one.threads).toBe(1);
    expect(one.stats.splitCalls).toBe(0);
    expect(two.threads).toBe(2);
    expect(two.threadKernels).toBe('edm');
    // The worker took rows of our convolutions, filter gradients and products.
    expect(two.stats.threads).toBe(2);
    expect(two.stats.splitCalls).toBeGreaterThanOrEqual(5);
    expect(two.stats.workerRows).toBeGreaterThan(0);
    expect(two.conv).toBe(one.conv);
    expect(two.winograd).toBe(one.winograd);
    expect(two.winogradGrad).toBe(one.winogradGrad);
    expect(two.product).toBe(one.product);
    expect(two.grad).toBe(one.grad);
    // Shallow products (depth 32 here) take XNNPACK on one thread and our module on threads: the same values up to
    // float32 rounding.
    expectClose(two.samples.attention, one.samples.attention);
    // GroupNorm's SIMD passes on the threaded build's shared memory = on the plain memory (= cpu, wasm-kernels.test).
    expect(two.norm).toBe(one.norm);
    expect(two.normGrad).toBe(one.normGrad);
    // GroupNorm + SiLU's passes split over the threads by image: bit-identical to one thread.
    expect(two.normSplits).toBeGreaterThanOrEqual(5);
    expect(one.normSplits).toBe(0);
    expect(two.normSilu).toBe(one.normSilu);
    expect(two.normSiluGrad).toBe(one.normSiluGrad);
  }, 120_000);

  it("gives the threads to XNNPACK with threadKernels 'xnnpack' (float32 rounding apart, the same values)", async () => {
    const one = await runWith('1');
    const two = await runWith('2', 'xnnpack');
    expect(two.threads).toBe(2);
    expect(two.threadKernels).toBe('xnnpack');
    expect(two.stats.splitCalls).toBe(0);
    // (XNNPACK's direct convolution against our Winograd one on 1 thread: float32 rounding apart too.)
    for (const key of ['conv', 'winograd', 'grad', 'attention'] as const) expectClose(two.samples[key], one.samples[key]);
    // GroupNorm is ours on every build.
    expect(two.norm).toBe(one.norm);
  }, 120_000);

  it('parses the thread kernels and rejects bad values by name', () => {
    expect(resolveWasmThreadKernels(undefined)).toBe('edm');
    expect(resolveWasmThreadKernels('xnnpack')).toBe('xnnpack');
    expect(() => resolveWasmThreadKernels('fast' as never)).toThrow(/useNodeBackend option threadKernels: expected one of 'edm', 'xnnpack', got 'fast'/);
    process.env.EDM_WASM_THREAD_KERNELS = 'XNN';
    try {
      expect(() => resolveWasmThreadKernels(undefined)).toThrow(/EDM_WASM_THREAD_KERNELS: expected one of 'edm', 'xnnpack', got 'XNN'/);
    } finally {
      delete process.env.EDM_WASM_THREAD_KERNELS;
    }
  });

  it('parses the thread count and rejects bad values by name', () => {
    expect(resolveWasmThreads(undefined)).toBeGreaterThanOrEqual(1);
    expect(resolveWasmThreads(3)).toBe(3);
    expect(resolveWasmThreads('auto')).toBeGreaterThanOrEqual(1);
    expect(() => resolveWasmThreads(0)).toThrow(NodeBackendError);
    expect(() => resolveWasmThreads(9)).toThrow(/useNodeBackend option threads: expected 'auto' or an integer from 1 to 8, got '9'/);
    process.env.EDM_WASM_THREADS = 'many';
    try {
      expect(() => resolveWasmThreads(undefined)).toThrow(/EDM_WASM_THREADS: expected 'auto' or an integer from 1 to 8, got 'many'/);
    } finally {
      delete process.env.EDM_WASM_THREADS;
    }
  });
});
