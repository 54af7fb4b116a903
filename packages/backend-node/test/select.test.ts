// Engine selection for real on this machine (no tfjs-node, no GPU): named engines that are not installed are
// reported with their reason; wasm and cpu, forced, are the ones in use; the automatic order lands on wasm.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeBackendError, useNodeBackend } from '../src/index';

afterEach(() => {
  delete process.env.EDM_BACKEND;
});

describe('useNodeBackend', () => {
  it('reports tfjs-node as not installed and falls back down the order', async () => {
    const lines: string[] = [];
    const report = await useNodeBackend({ backend: 'tfjs-node', log: (l) => lines.push(l) });
    expect(report.source).toBe('option');
    expect(report.skipped[0]).toEqual({ name: 'tensorflow', code: 'not-installed',
      reason: expect.stringMatching(/^@tensorflow\/tfjs-node is not installed \(npm install @tensorflow\/tfjs-node\)$/) });
    // No GPU here: Dawn finds no adapter, or only a software one (lavapipe), which is refused by default.
    expect(report.skipped[1]?.name).toBe('webgpu');
    expect(['no-adapter', 'software-adapter']).toContain(report.skipped[1]?.code);
    expect(report.engine).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(lines[0]).toMatch(/skipped tensorflow: @tensorflow\/tfjs-node is not installed/);
    expect(lines.at(-1)).toMatch(/using wasm/);
  });

  it('strict: a named engine that is not installed throws with the reason', async () => {
    const err = await useNodeBackend({ backend: 'tensorflow-gpu', strict: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeBackendError);
    expect((err as Error).message).toMatch(/'tensorflow-gpu' cannot start: @tensorflow\/tfjs-node-gpu is not installed.*CUDA 11\.2 and cuDNN 8\.1/);
    expect((err as NodeBackendError).skipped).toHaveLength(1);
  });

  it('forces cpu and wasm by option, and by EDM_BACKEND', async () => {
    const cpu = await useNodeBackend({ backend: 'cpu' });
    expect([cpu.engine, cpu.backend, tf.getBackend(), cpu.skipped.length]).toEqual(['cpu', 'cpu', 'cpu', 0]);
    const wasm = await useNodeBackend({ backend: 'wasm' });
    expect([wasm.engine, wasm.backend, tf.getBackend(), wasm.skipped.length]).toEqual(['wasm', 'wasm', 'wasm', 0]);
    process.env.EDM_BACKEND = 'cpu';
    const env = await useNodeBackend();
    expect([env.engine, env.source, tf.getBackend()]).toEqual(['cpu', 'env', 'cpu']);
    // The option wins over the environment.
    const opt = await useNodeBackend({ backend: 'wasm' });
    expect([opt.engine, opt.source]).toEqual(['wasm', 'option']);
  });

  it('rejects an unknown engine name, naming the valid ones', async () => {
    process.env.EDM_BACKEND = 'cuda';
    await expect(useNodeBackend()).rejects.toThrow(/EDM_BACKEND: unknown engine 'cuda'; expected one of tensorflow-gpu, .*wasm, cpu/);
  });

  it('automatic order: tensorflow-gpu, tensorflow, webgpu skipped with reasons; wasm chosen', async () => {
    const report = await useNodeBackend();
    expect(report.source).toBe('auto');
    expect(report.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu']);
    expect(report.skipped.slice(0, 2).map((s) => s.code)).toEqual(['not-installed', 'not-installed']);
    expect(report.engine).toBe('wasm');
  });

  it('trains on wasm: conv2d gradients (our kernels) equal the cpu backend', async () => {
    const grads = async (engine: 'cpu' | 'wasm') => {
      await useNodeBackend({ backend: engine });
      const x = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 3 }, (_, i) => Math.sin(i)), [2, 6, 6, 3]);
      const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)), [3, 3, 3, 4]);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')));
      const [dx, dw] = tf.grads(f)([x, w]);
      const out = [Array.from(await dx!.data()), Array.from(await dw!.data())];
      tf.dispose([x, w, dx!, dw!]);
      return out;
    };
    const [cpuDx, cpuDw] = await grads('cpu');
    const [wasmDx, wasmDw] = await grads('wasm');
    const rel = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) / Math.max(...b.map(Math.abs));
    expect(rel(wasmDx!, cpuDx!)).toBeLessThan(1e-6);
    expect(rel(wasmDw!, cpuDw!)).toBeLessThan(1e-6);
  });
});
