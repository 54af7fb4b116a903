// npm run bench -w @edm/backend-node: forward and training-step figures of the issue-8 networks on every
// engine available here (cpu, wasm, WebGPU on SwiftShader), each engine in its own process, as a table
// next to the PyTorch reference. Options: --engines cpu,wasm,webgpu  --configs small,cifar10  --runs 5
// --timeout 900 (seconds per engine; the cpu backend's training step takes minutes).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SWIFTSHADER_ICD } from '@edm/backend-webgpu/node';
import { CONFIGS } from './configs';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const engines = arg('engines', `cpu,wasm${existsSync(SWIFTSHADER_ICD) ? ',webgpu' : ''}`).split(',');
const configs = arg('configs', 'small').split(',');
const runs = arg('runs', '5');
const timeoutS = Number(arg('timeout', '900'));
const child = fileURLToPath(new URL('./engine.ts', import.meta.url));

interface Result {
  engine: string; adapter?: string; config: string; params: number; runs: number; forwardB1: number; forwardB8: number;
  trainB8: number; tensorGrowth: number; peakRssMB: number; convInput?: { ours: number; tfjs: number };
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const rows: string[] = [];
for (const config of configs) {
  const c = CONFIGS[config];
  if (!c) throw new Error(`--configs: unknown config '${config}'; expected ${Object.keys(CONFIGS).join(', ')}`);
  rows.push(`\n${c.label}: medians of ${runs} runs after a warm-up (PyTorch reference: forward b1 ${fmt(c.reference.forwardB1)}, ` +
    `b8 ${fmt(c.reference.forwardB8)}, train step b8 ${fmt(c.reference.trainB8)})`);
  rows.push('| engine | forward b1 | forward b8 | train step b8 | train vs PyTorch | peak RSS | tensor growth |');
  rows.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const engine of engines) {
    let r: Result;
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', child, engine, config, runs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutS * 1000 });
      r = JSON.parse(out.trim().split('\n').at(-1)!) as Result;
    } catch (e) {
      const err = e as { stderr?: string; signal?: string };
      const why = err.signal === 'SIGTERM' ? `timed out after ${timeoutS} s (--timeout)` : err.stderr?.trim().split('\n').at(-1) ?? String(e);
      rows.push(`| ${engine} | failed: ${why} | | | | | |`);
      continue;
    }
    const name = r.adapter ? `${r.engine} (${r.adapter})` : r.engine;
    rows.push(`| ${name} | ${fmt(r.forwardB1)} | ${fmt(r.forwardB8)} | ${fmt(r.trainB8)} | ${(r.trainB8 / c.reference.trainB8).toFixed(1)}x | ` +
      `${r.peakRssMB} MB | ${r.tensorGrowth} |`);
    if (r.convInput) {
      rows.push(`|   wasm Conv2DBackpropInput 64->64 3x3 b8 32x32: ours ${fmt(r.convInput.ours)}, tfjs ${fmt(r.convInput.tfjs)} ` +
        `(${(r.convInput.tfjs / r.convInput.ours).toFixed(1)}x) | | | | | | |`);
    }
    console.error(`done: ${config} on ${engine}`);
  }
}
console.log(rows.join('\n'));
