// edm bench: training images/s and sampling time per image, for the mnist preset's network (and the
// mnist-edm2 preset's EDM2 network with its recipe) and the paper's CIFAR-10 DDPM++ network, on the chosen
// engine. Median of the timed training steps after a warm-up (V8 optimises the step's JavaScript and WebAssembly in
// the background over its first steps: the mnist step on wasm went 368 -> about 170 ms over its first 8), so the
// figure is the steady state a training run spends its time in.
import * as tf from '@tensorflow/tfjs-core';
import { Adam, NOISE_LEVEL_OPTIONS, StackedRandomGenerator, edmSampler } from '@edm/core';
import { createNetwork } from '@edm/models';
import { defineCommand } from '../command/define';
import { UsageError } from '../command/errors';
import { float, int, str } from '../command/options';
import { backendOption, setupBackend } from '../net/backend';
import { EDM2_ADAM, EDM2_DEFAULTS, type EDM2Recipe } from '../train/edm2-recipe';
import { drawEps, makeLoss } from '../train/losses';
import type { NetworkConfig } from '@edm/models';
import { networkConfig } from '../train/network-config';
import { PRESETS } from '../train/presets';
import { stepRandom } from '../train/random';
import { lossAndGrads } from '../train/step';

/** Bench configurations: the network and default batch sizes. */
const CONFIGS: Record<string, { network: NetworkConfig; trainBatch: number; sampleBatch: number; wasmTrainBatch?: number; edm2?: EDM2Recipe }> = {
  mnist: {
    network: networkConfig({
      arch: 'ddpmpp', precond: 'edm', resolution: 28, channels: 1, labelDim: 10, cbase: PRESETS.mnist.cbase,
      cres: PRESETS.mnist.cres, blocks: PRESETS.mnist.blocks, attn: PRESETS.mnist.attn, dropout: 0,
    }),
    trainBatch: PRESETS.mnist.batch,
    sampleBatch: 64,
  },
  'mnist-edm2': {
    network: networkConfig({
      arch: 'edm2', precond: 'edm', resolution: 28, channels: 1, labelDim: 10, cbase: PRESETS['mnist-edm2'].cbase,
      cres: PRESETS['mnist-edm2'].cres, blocks: PRESETS['mnist-edm2'].blocks, attn: PRESETS['mnist-edm2'].attn, dropout: 0,
    }),
    trainBatch: PRESETS['mnist-edm2'].batch,
    sampleBatch: 64,
    edm2: { ...EDM2_DEFAULTS, emaStds: [...EDM2_DEFAULTS.emaStds], decay: PRESETS['mnist-edm2'].decay, runId: 'bench' },
  },
  cifar10: {
    network: networkConfig({ arch: 'ddpmpp', precond: 'edm', resolution: 32, channels: 3, labelDim: 0, dropout: 0.13 }),
    trainBatch: 8,
    // A batch-8 training step needs more than the 4 GiB a wasm heap can hold (docs/performance.md).
    wasmTrainBatch: 2,
    sampleBatch: 8,
  },
};

/** One-hot labels 0, 1, ..., labelDim - 1, 0, ... for n images (null when unconditional). */
function oneHotLabels(n: number, labelDim: number): tf.Tensor2D | null {
  if (labelDim === 0) return null;
  const idx = Array.from({ length: n }, (_, i) => i % labelDim);
  return tf.tidy(() => tf.oneHot(tf.tensor1d(idx, 'int32'), labelDim).toFloat() as tf.Tensor2D);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export default defineCommand({
  name: 'bench',
  summary: 'Benchmark training images/s and sampling time per image (mnist preset, CIFAR-10 DDPM++).',
  options: {
    configs: str({ help: 'Comma-separated configs: mnist, mnist-edm2, cifar10', default: 'mnist,cifar10' }),
    batch: int({ help: 'Training batch (default: the mnist preset\'s 16; 8 for cifar10, 2 on wasm)', min: 1, max: 4096 }),
    sampleBatch: int({ help: 'Sampling batch (default: 64 mnist, 8 cifar10)', min: 1, max: 4096 }),
    sampleSteps: int({ help: 'Sampler steps N (Heun: 2N-1 network evaluations)', min: 1, max: NOISE_LEVEL_OPTIONS.numSteps.max, default: NOISE_LEVEL_OPTIONS.numSteps.default }),
    iters: int({ help: 'Timed training steps (the median is printed)', min: 1, max: 1000, default: 10 }),
    warmup: float({ help: 'Seconds of untimed training steps before the timed ones (at least one step)', min: 0, max: 3600, default: 5 }),
    backend: backendOption(),
  },
  async run({ options }, ctx) {
    const names = options.configs.split(',').map((s) => s.trim());
    for (const n of names) if (!(n in CONFIGS)) throw new UsageError(`--configs: unknown config '${n}'; expected: ${Object.keys(CONFIGS).join(', ')}`);
    const engine = await setupBackend(options.backend, ctx);
    for (const name of names) {
      const conf = CONFIGS[name]!;
      const net = createNetwork(conf.network);
      const params = net.parameters();
      const vars = [...params.values()];
      const count = vars.reduce((a, v) => a + v.size, 0);
      const k = conf.network.kwargs;
      const res = k.img_resolution as number;
      const ch = k.img_channels as number;
      const labelDim = k.label_dim as number;
      const adam = new Adam(params, conf.edm2 ? EDM2_ADAM : undefined);
      const { loss, drawRnd } = makeLoss('edm', conf.edm2);
      const b = options.batch ?? (engine === 'wasm' && conf.wasmTrainBatch ? conf.wasmTrainBatch : conf.trainBatch);
      const times: number[] = [];
      const warmupEnd = performance.now() + 1000 * options.warmup;
      let warm = 0;
      for (let it = 0; times.length < options.iters; it++) {
        const g = stepRandom(1, it);
        const images = tf.tidy(() => tf.clipByValue(tf.randomNormal([b, res, res, ch]), -1, 1) as tf.Tensor4D);
        const labels = oneHotLabels(b, labelDim);
        const rnd = drawRnd(g, b);
        const eps = drawEps(g, [b, res, res, ch]);
        const t0 = performance.now();
        const { grads } = await lossAndGrads(net, loss, vars, { images, labels, rnd, eps }, b);
        const byName: tf.NamedTensorMap = {};
        for (const [pn, v] of params) byName[pn] = grads[v.name]!;
        adam.apply(byName, 1e-4);
        await vars[0]!.data();
        if (warm > 0 && t0 >= warmupEnd) times.push((performance.now() - t0) / 1000);
        else warm++;
        for (const t of [images, labels, rnd, eps, ...Object.values(grads)]) t?.dispose();
      }
      const trainSec = median(times);
      const sb = options.sampleBatch ?? conf.sampleBatch;
      const seeds = Array.from({ length: sb }, (_, i) => i);
      const rng = new StackedRandomGenerator(seeds);
      const latents = rng.randn([sb, res, res, ch]) as tf.Tensor4D;
      const classLabels = oneHotLabels(sb, labelDim);
      const t0 = performance.now();
      const out = await edmSampler(net, latents, { numSteps: options.sampleSteps, classLabels, randnLike: rng.randnLike });
      await out.data();
      const sampleSec = (performance.now() - t0) / 1000;
      for (const t of [latents, classLabels, out]) t?.dispose();
      adam.dispose();
      net.dispose();
      ctx.out(
        `${name.padEnd(8)} engine ${engine}  params ${(count / 1e6).toFixed(2)} M  ${res}x${res}x${ch}  ` +
        `train: batch ${b}, ${trainSec.toFixed(3)} s/step (median of ${times.length} after ${warm} warm-up), ${(b / trainSec).toFixed(1)} img/s  ` +
        `sample: ${options.sampleSteps} steps (${2 * options.sampleSteps - 1} NFE), batch ${sb}, ${((sampleSec / sb) * 1000).toFixed(0)} ms/image`,
      );
    }
  },
});
