// Where a training step's time goes, per kernel: wall time of each outermost kernel call (a kernel that runs others
// inside counts once, its inner kernels in its time), summed by kernel name and by name + input shapes, and the step
// time outside every kernel (tfjs's engine, tape, tidy and our JavaScript between ops).
//   npm run profile -w @edm/bench -- [--configs mnist] [--threads 2] [--runs 10] [--warmup 10] [--top 30]
import * as tf from '@tensorflow/tfjs-core';
import { createNetwork } from '@edm/models';
import { useNodeBackend } from '@edm/backend-node';
import { NETWORKS, trainingStep } from './counts-networks';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

process.env.EDM_WASM_THREADS ??= arg('threads', '2');
await useNodeBackend({ backend: 'wasm', strict: true });
const runs = Number(arg('runs', '10'));
// V8 optimises the step's JavaScript and wasm in the background over its first 5-10 steps (368 -> about 170 ms on one
// thread): timed before that, a step is the start-up's, not the steady state a training run spends its time in.
const warmup = Number(arg('warmup', '10'));
const top = Number(arg('top', '30'));

let profiling = false;
let depth = 0;
const byName = new Map<string, { n: number; ms: number }>();
const byShape = new Map<string, { n: number; ms: number }>();
const add = (m: Map<string, { n: number; ms: number }>, k: string, ms: number) => {
  const e = m.get(k) ?? { n: 0, ms: 0 };
  e.n++;
  e.ms += ms;
  m.set(k, e);
};
for (const config of tf.getKernelsForBackend(tf.getBackend())) {
  const f = config.kernelFunc;
  (config as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
    if (!profiling || depth > 0) return f(args);
    depth++;
    const t0 = performance.now();
    try {
      return f(args);
    } finally {
      const ms = performance.now() - t0;
      depth--;
      add(byName, config.kernelName, ms);
      const shapes = Object.values(args.inputs).map((t) => (t ? `[${(t as tf.TensorInfo).shape.join(',')}]` : '-')).join(' ');
      add(byShape, `${config.kernelName} ${shapes}`, ms);
    }
  };
}

for (const name of arg('configs', 'mnist').split(',')) {
  const c = NETWORKS[name];
  if (!c) throw new Error(`--configs: unknown config '${name}'; expected ${Object.keys(NETWORKS).join(', ')}`);
  const net = createNetwork(c.network, { seed: 0 });
  const b = c.batch;
  const { step, dispose } = trainingStep(net, c.network, b);
  for (let i = 0; i < warmup; i++) await step();
  // Without the per-kernel timers first (their own cost is left out of these figures), then with them.
  const plain: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await step();
    plain.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(c0);
  const walls: number[] = [];
  profiling = true;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await step();
    walls.push(performance.now() - t0);
  }
  profiling = false;
  const total = walls.reduce((a, w) => a + w, 0) / runs;
  const inKernels = [...byName.values()].reduce((a, e) => a + e.ms, 0) / runs;
  const calls = [...byName.values()].reduce((a, e) => a + e.n, 0) / runs;
  const sorted = [...plain].sort((x, y) => x - y);
  console.log(`\n${c.label}, training step b${b}, ${process.env.EDM_WASM_THREADS} thread(s), ${runs} steps untimed per kernel: ` +
    `median ${sorted[runs >> 1]!.toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms, process CPU ${((cpu.user + cpu.system) / 1000 / runs).toFixed(1)} ms ` +
    `per step; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
  console.log(`  timed per kernel, mean of ${runs} (min ${Math.min(...walls).toFixed(1)} ms):`);
  console.log(`  step ${total.toFixed(1)} ms: in ${calls} kernel calls ${inKernels.toFixed(1)} ms, outside kernels ${(total - inKernels).toFixed(1)} ms ` +
    `(${((total - inKernels) / calls * 1000).toFixed(1)} us per call)`);
  const table = (m: Map<string, { n: number; ms: number }>, rows: number) => {
    for (const [key, e] of [...m].sort((a, b) => b[1].ms - a[1].ms).slice(0, rows)) {
      console.log(`  ${(e.ms / runs).toFixed(2).padStart(7)} ms ${(100 * e.ms / runs / total).toFixed(1).padStart(5)}%  ${String(e.n / runs).padStart(4)}x  ${key}`);
    }
  };
  console.log('  by kernel:');
  table(byName, top);
  console.log('  by kernel and input shapes:');
  table(byShape, top);
  byName.clear();
  byShape.clear();
  dispose();
  net.dispose();
}
process.exit(0);
