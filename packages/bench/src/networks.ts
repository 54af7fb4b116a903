// npm run bench -w @edm/bench: forward and training-step figures of the benchmark networks on every
// engine available here (cpu, wasm, wasm on N threads as 'wasm:N', WebGPU on SwiftShader), each engine in its
// own process, as a table next to the PyTorch reference ('wasm:2' runs our kernels on the threads,
// 'wasm:2:xnnpack' XNNPACK's: the threadKernels option). Options: --engines cpu,wasm,wasm:2,webgpu
// --configs tiny,small,cifar10  --runs 5  --timeout 900 (seconds per engine and network). Default: the tiny
// network on every engine, 'small' on wasm (1 thread and one per core).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SWIFTSHADER_ICD } from '@edm/backend-webgpu/node';
import { CONFIGS } from './configs';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const cores = Math.min(8, availableParallelism());
const engines = arg('engines', `cpu,wasm${cores > 1 ? `,wasm:${cores}` : ''}${existsSync(SWIFTSHADER_ICD) ? ',webgpu' : ''}`).split(',');
const configsGiven = process.argv.includes('--configs');
const configs = arg('configs', 'tiny,small').split(',');
// By default the slow engines (the cpu backend's training step, WebGPU on SwiftShader) run only the tiny
// network: on 'small' each takes more than 15 minutes here. Name --configs to run them anyway.
const runsByDefault = (engine: string, config: string) => configsGiven || config === 'tiny' || engine.startsWith('wasm');
const runs = arg('runs', '5');
const timeoutS = Number(arg('timeout', '900'));
const child = fileURLToPath(new URL('./engine.ts', import.meta.url));

interface Result {
  engine: string; adapter?: string; threads?: number; threadKernels?: string; config: string; params: number; runs: number; forwardB1: number; forwardB8: number;
  trainB8: number | null; trainError?: string; tensorGrowth: number; peakRssMB: number; convInput?: { ours: number; tfjs: number };
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
// Rows are printed as they come, so a slow engine that times out loses only its own row.
const print = (line: string): void => console.log(line);
for (const config of configs) {
  const c = CONFIGS[config];
  if (!c) throw new Error(`--configs: unknown config '${config}'; expected ${Object.keys(CONFIGS).join(', ')}`);
  const ref = c.reference;
  print(`\n${c.label}: medians of ${runs} runs after a warm-up` + (ref ? ` (PyTorch reference: forward b1 ${fmt(ref.forwardB1)}, ` +
    `b8 ${fmt(ref.forwardB8)}, train step b8 ${fmt(ref.trainB8)})` : ''));
  print('| engine | forward b1 | forward b8 | train step b8 | train vs PyTorch | peak RSS | tensor growth |');
  print('| --- | --- | --- | --- | --- | --- | --- |');
  for (const engine of engines.filter((e) => runsByDefault(e, config))) {
    let r: Result;
    try {
      const [name, threads, threadKernels] = engine.split(':');
      const out = execFileSync(process.execPath, ['--import', 'tsx', child, name!, config, runs], { encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutS * 1000, env: { ...process.env, EDM_WASM_THREADS: threads ?? '1',
          ...(threadKernels ? { EDM_WASM_THREAD_KERNELS: threadKernels } : {}) } });
      r = JSON.parse(out.trim().split('\n').at(-1)!) as Result;
    } catch (e) {
      const err = e as { stderr?: string; signal?: string };
      const why = err.signal === 'SIGTERM' ? `timed out after ${timeoutS} s (--timeout)` : err.stderr?.trim().split('\n').at(-1) ?? String(e);
      print(`| ${engine} | failed: ${why} | | | | | |`);
      continue;
    }
    const threadsUsed = r.threads ? `${r.threads} thread${r.threads > 1 ? `s${r.threadKernels ? `, ${r.threadKernels} kernels` : ''}` : ''}` : '';
    const name = r.adapter ? `${r.engine} (${r.adapter})` : threadsUsed ? `${r.engine} (${threadsUsed})` : r.engine;
    const train = r.trainB8 === null ? (r.trainError?.includes('heap is exhausted') ? 'does not fit (wasm heap exhausted)'
      : `failed: ${r.trainError}`) : fmt(r.trainB8);
    const vs = r.trainB8 === null || !ref ? 'n/a' : `${(r.trainB8 / ref.trainB8).toFixed(1)}x`;
    print(`| ${name} | ${fmt(r.forwardB1)} | ${fmt(r.forwardB8)} | ${train} | ${vs} | ${r.peakRssMB} MB | ` +
      `${r.trainB8 === null ? 'n/a' : r.tensorGrowth} |`);
    if (r.convInput) {
      print(`|   wasm Conv2DBackpropInput 64->64 3x3 b8 32x32: ours ${fmt(r.convInput.ours)}, tfjs ${fmt(r.convInput.tfjs)} ` +
        `(${(r.convInput.tfjs / r.convInput.ours).toFixed(1)}x) | | | | | | |`);
    }
  }
}
