// One engine, one network: forward b1, forward b8 and a training step at b8 (EDM loss, backward, @edm/core's Adam),
// medians after a warm-up; prints one JSON line. Run by src/networks.ts in a fresh process per engine so that
// peak RSS is the engine's own.
import * as tf from '@tensorflow/tfjs-core';
import { Adam, EDMLoss, leanVariableGrads } from '@edm/core';
import { createNetwork } from '@edm/models';
import { useNodeBackend, replacedWasmKernel } from '@edm/backend-node';
import type { NodeEngine } from '@edm/backend-node';
import { SWIFTSHADER_ICD } from '@edm/backend-webgpu/node';
import { CONFIGS } from './configs';

const [engine, configName, runsArg] = process.argv.slice(2) as [NodeEngine, string, string];
const runs = Number(runsArg);
const config = CONFIGS[configName];
if (!config) throw new Error(`bench: unknown config '${configName}'`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Warm-up: at least one run and one second (V8 optimises the network's JavaScript only after several calls;
 * one run left forward b1 about 1.5x slow), at most ten runs. */
async function warmUp(fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < 10 && (i === 0 || performance.now() - t0 < 1000); i++) await fn();
}

async function time(fn: () => Promise<void>, warm = true): Promise<number> {
  if (warm) await warmUp(fn); // also shader compilation, allocation, Adam's moment variables
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

const report = await useNodeBackend({ backend: engine, strict: true, allowSoftwareAdapter: true,
  webgpu: { vulkanICD: SWIFTSHADER_ICD } });
const net = createNetwork(config.network, { seed: 0 });
const vars = [...net.parameters().values()];
const params = vars.reduce((a, v) => a + v.size, 0);

const res = net.imgResolution;
const forward = (batch: number) => async () => {
  const x = tf.randomNormal([batch, res, res, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = net.forward(x, 1.5);
  await y.data();
  tf.dispose([x, y]);
};

const loss = new EDMLoss();
// @edm/core's gradients and Adam, as `edm train` uses them (leanVariableGrads: tf.variableGrads's gradients,
// memory released as the backward pass goes; Adam: torch.optim.Adam's arithmetic).
const paramsByName = net.parameters();
const adam = new Adam(paramsByName);
const images = tf.randomUniform([8, res, res, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
const trainStep = async () => {
  const { value, grads } = leanVariableGrads(() => tf.mean(loss.call(net, images)) as tf.Scalar, vars);
  const byName: tf.NamedTensorMap = {};
  for (const [name, v] of paramsByName) byName[name] = grads[v.name]!;
  adam.apply(byName, 2e-4);
  await value.data();
  tf.dispose([value, ...Object.values(grads)]);
};

const progress = (what: string, ms: number) => console.error(`${engine} ${configName}: ${what} ${ms.toFixed(1)} ms`);
const forwardB1 = await time(forward(1));
progress('forward b1', forwardB1);
const forwardB8 = await time(forward(8));
progress('forward b8', forwardB8);
// A training step that fails (one that does not fit wasm's 4 GiB heap, say) is reported, keeping the forward
// figures; the engine's state after it is not trusted for anything more.
let trainB8: number | null = null;
let trainError: string | undefined;
let tensorGrowth = 0;
try {
  await warmUp(trainStep); // the first step also creates Adam's moments
  const tensorsBefore = tf.memory().numTensors;
  trainB8 = await time(trainStep, false);
  tensorGrowth = tf.memory().numTensors - tensorsBefore;
  progress('train step b8', trainB8);
} catch (e) {
  trainError = (e as Error).message;
  console.error(`${engine} ${configName}: train step b8 failed: ${trainError}`);
}

// wasm only: the Conv2DBackpropInput we register vs the tfjs kernel it replaces, on a 64->64 3x3 layer, b8 32x32.
let convInput: { ours: number; tfjs: number } | undefined;
if (engine === 'wasm' && trainB8 !== null && replacedWasmKernel('Conv2DBackpropInput')) {
  const dy = tf.randomNormal([8, 32, 32, 64], 0, 1, 'float32', 3);
  const filter = tf.randomNormal([3, 3, 64, 64], 0, 1, 'float32', 4);
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: [8, 32, 32, 64] };
  const ours = await time(async () => {
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as never) as tf.Tensor;
    await dx.data();
    dx.dispose();
  });
  const original = replacedWasmKernel('Conv2DBackpropInput')!;
  const tfjs = await time(async () => {
    const info = original.kernelFunc({ inputs: { dy, filter }, backend: tf.backend(), attrs: attrs as never }) as tf.TensorInfo;
    const dx = tf.engine().makeTensorFromTensorInfo(info);
    await dx.data();
    dx.dispose();
  });
  convInput = { ours, tfjs };
  tf.dispose([dy, filter]);
}

console.log(JSON.stringify({
  engine, backend: report.backend, threads: report.threads, threadKernels: report.threadKernels, adapter: report.adapter ? `${report.adapter.vendor} ${report.adapter.architecture}` : undefined,
  config: configName, params, runs, forwardB1, forwardB8, trainB8, trainError, tensorGrowth,
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), convInput,
}));
process.exit(0);
