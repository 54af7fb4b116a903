// Kernels and GPU dispatches per forward pass and per training step (counted, so deterministic on a shared
// machine), with the step's wall and CPU time: the per-op overhead view of the small networks. The mnist preset's
// DDPM++ and a wider MNIST network (what the preset's users train next), and the DDPM++ benchmark networks.
//   npm run counts -w @edm/bench -- [--engine wasm|webgpu] [--configs mnist,mnist32,tiny,small,cifar10]
//     [--threads 2] [--runs 5] [--no-train]
// webgpu runs on the machine's adapter; without a GPU on SwiftShader (software: slow, counts only).
// Kernels: the outermost kernel calls (a kernel that runs others inside counts once). Dispatches: compute
// passes WebGPU records (tfjs's recordAndSubmit), kernels run on the CPU side not included.
import * as tf from '@tensorflow/tfjs-core';
import { createNetwork } from '@edm/models';
import { useNodeBackend, type NodeEngine } from '@edm/backend-node';
import { SWIFTSHADER_ICD } from '@edm/backend-webgpu/node';
import { imageShape, labelsOf, NETWORKS, trainingStep } from './counts-networks';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const engine = arg('engine', 'wasm') as NodeEngine;
process.env.EDM_WASM_THREADS ??= arg('threads', '2');
await useNodeBackend({ backend: engine, strict: true, allowSoftwareAdapter: true, webgpu: { vulkanICD: SWIFTSHADER_ICD } });
const runs = Number(arg('runs', '5'));
const train = !process.argv.includes('--no-train');

// Counters: outermost kernel calls of the active backend, and WebGPU's recorded dispatches.
let counting = false;
let depth = 0;
const kernels = new Map<string, number>();
for (const config of tf.getKernelsForBackend(tf.getBackend())) {
  const f = config.kernelFunc;
  (config as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
    if (counting && depth === 0) kernels.set(config.kernelName, (kernels.get(config.kernelName) ?? 0) + 1);
    depth++;
    try {
      return f(args);
    } finally {
      depth--;
    }
  };
}
let dispatches = 0;
const gpu = tf.backend() as unknown as { recordAndSubmit?: (...a: unknown[]) => unknown };
if (typeof gpu.recordAndSubmit === 'function') {
  const record = gpu.recordAndSubmit.bind(gpu);
  gpu.recordAndSubmit = (...a: unknown[]) => {
    if (counting) dispatches++;
    return record(...a);
  };
}

async function counted(fn: () => Promise<void>): Promise<{ kernels: number; dispatches: number; top: string }> {
  kernels.clear();
  dispatches = 0;
  counting = true;
  try {
    await fn();
  } finally {
    counting = false;
  }
  const total = [...kernels.values()].reduce((a, b) => a + b, 0);
  const top = [...kernels].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([n, c]) => `${n} ${c}`).join(', ');
  return { kernels: total, dispatches, top };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

for (const name of arg('configs', 'mnist,mnist32').split(',')) {
  const c = NETWORKS[name];
  if (!c) throw new Error(`--configs: unknown config '${name}'; expected ${Object.keys(NETWORKS).join(', ')}`);
  const net = createNetwork(c.network, { seed: 0 });
  const { res, ch, labelDim } = imageShape(c.network);
  const forward = async () => {
    const x = tf.randomNormal([1, res, res, ch], 0, 1, 'float32', 1) as tf.Tensor4D;
    const labels = labelsOf(labelDim, 1);
    const y = net.forward(x, 1.5, labels);
    await y.data();
    tf.dispose(labels ? [x, labels, y] : [x, y]);
  };
  await forward();
  const fwd = await counted(forward);
  console.log(`\n${c.label} on ${engine}`);
  console.log(`  forward b1: ${fwd.kernels} kernels, ${fwd.dispatches} dispatches (${fwd.top})`);
  if (!train) {
    net.dispose();
    continue;
  }
  const b = c.batch;
  const { step, dispose } = trainingStep(net, c.network, b);
  await step(); // Adam's moments
  const st = await counted(step);
  console.log(`  training step b${b}: ${st.kernels} kernels, ${st.dispatches} dispatches (${st.top})`);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await step();
    wall.push(performance.now() - t0);
    const u = process.cpuUsage(c0);
    cpu.push((u.user + u.system) / 1000);
  }
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
  console.log(`  training step b${b}: wall ${median(wall).toFixed(0)} ms (${(b / median(wall) * 1000).toFixed(1)} img/s), ` +
    `process CPU ${median(cpu).toFixed(0)} ms; medians of ${runs}; load average ${load}`);
  dispose();
  net.dispose();
}
process.exit(0);
