// Multi-threaded wasm (opt-in, EDM_WASM_THREADS / the `threads` option): it really runs on 2 threads, gives
// the same bits as the single-threaded build, and its pooled workers let the process exit on its own.
// Each case is a child process, since the first wasm start fixes the build for the process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NodeBackendError } from '../src/index';
import { resolveWasmThreads } from '../src/select';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./child/wasm-run.mjs', import.meta.url));

async function runWith(threads: string): Promise<{ threads: number; conv: string; product: string; grad: string; norm: string; normGrad: string }> {
  // No process.exit in the child: a worker that kept it alive would hit the timeout (killed: the test fails).
  const { stdout } = await run(process.execPath, [child], { env: { ...process.env, EDM_WASM_THREADS: threads, EDM_BACKEND: '' },
    timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('wasm threads', () => {
  it('runs on 2 threads, bit-identical to 1 thread, and the process exits on its own', async () => {
    const one = await runWith('1');
    const two = await runWith('2');
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.conv).toBe(one.conv);
    expect(two.product).toBe(one.product);
    expect(two.grad).toBe(one.grad);
    // GroupNorm's SIMD passes on the threaded build's shared memory = on the plain memory (= cpu, wasm-kernels.test).
    expect(two.norm).toBe(one.norm);
    expect(two.normGrad).toBe(one.normGrad);
  }, 120_000);

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
