// Benchmark (numbers printed, not a timed test): the paper's CIFAR-10 DDPM++ (EDMPrecond + SongUNet,
// model_channels 128, channel_mult [2,2,2], 4 blocks, attention at 16, 32x32, ~56M parameters):
//   forward D(x; sigma) at batch 1 and 8, and one training step at batch 8 (EDM loss, backward, Adam),
//   median of EDM_BENCH_REPEATS (default 5) after one warm-up, plus peak RSS.
// Backend: @edm/backend-node's choice (EDM_BACKEND=cpu|wasm|webgpu|... to force one), cpu if that package
// cannot load. EDM_BENCH_TRAIN=0 skips the training steps (slow on engines without a fast conv filter gradient);
// EDM_BENCH_TRAIN_BATCHES (default '2,8') sets their batch sizes.
//   npm run bench -w @edm/models
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { EDMLoss } from '@edm/core';
import { createNetwork } from '@edm/models';

async function selectBackend(): Promise<string> {
  try {
    const name = '@edm/backend-node';
    const mod = (await import(name)) as { useNodeBackend: (o?: object) => Promise<{ engine: string; backend: string }> };
    const report = await mod.useNodeBackend({ log: (line: string) => console.log(`  backend: ${line}`) });
    return `${report.engine} (tfjs backend '${report.backend}')`;
  } catch (e) {
    const wanted = process.env.EDM_BACKEND?.trim() || 'cpu';
    console.log(`  @edm/backend-node unavailable (${(e as Error).message.split('\n')[0]}); using tfjs backend '${wanted}'`);
    await tf.setBackend(wanted);
    await tf.ready();
    return wanted;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(label: string, repeats: number, run: () => Promise<void>): Promise<number | null> {
  try {
    return await timeOrThrow(label, repeats, run);
  } catch (e) {
    // For example the wasm engine's 4 GiB heap running out: report it and go on.
    console.log(`  ${label}: FAILED (${(e as Error).message.split('\n')[0]})`);
    return null;
  }
}

async function timeOrThrow(label: string, repeats: number, run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run(); // warm-up
  console.log(`  ${label}: warm-up ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await run();
    times.push((performance.now() - t) / 1000);
  }
  const m = median(times);
  console.log(`  ${label}: median ${m.toFixed(3)} s of ${repeats} [${times.map((t) => t.toFixed(2)).join(', ')}]`);
  return m;
}

const repeats = Number(process.env.EDM_BENCH_REPEATS ?? 5);
console.log('@edm/models bench: CIFAR-10 DDPM++ (EDMPrecond + SongUNet, 32x32)');
const backend = await selectBackend();
console.log(`  engine: ${backend}`);
const net = createNetwork({
  class_name: 'EDMPrecond',
  kwargs: {
    img_resolution: 32, img_channels: 3, label_dim: 0, model_type: 'SongUNet', embedding_type: 'positional',
    encoder_type: 'standard', decoder_type: 'standard', channel_mult_noise: 1, resample_filter: [1, 1],
    model_channels: 128, channel_mult: [2, 2, 2], dropout: 0.13,
  },
});
console.log(`  parameters: ${(net.parameterCount() / 1e6).toFixed(2)} M`);

const results: Record<string, number | null> = {};
for (const batch of [1, 8]) {
  const x = tf.randomNormal([batch, 32, 32, 3]) as tf.Tensor4D;
  const sigma = tf.fill([batch], 2.5);
  results[`forward_b${batch}`] = await time(`forward, batch ${batch}`, repeats, async () => {
    const d = net.forward(x, sigma);
    await d.data();
    d.dispose();
  });
  tf.dispose([x, sigma]);
}

if (process.env.EDM_BENCH_TRAIN !== '0') {
  // Batch 8 is the figure asked for; batch 2 first, because batch 8 can exhaust the wasm engine's 4 GiB heap
  // (an out-of-bounds abort there can leave the engine unusable).
  const batches = (process.env.EDM_BENCH_TRAIN_BATCHES ?? '2,8').split(',').map(Number);
  const loss = new EDMLoss();
  const vars = [...net.parameters().values()];
  for (const batch of batches) {
    const images = tf.randomUniform([batch, 32, 32, 3], -1, 1) as tf.Tensor4D;
    const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    results[`train_b${batch}`] = await time(`training step (loss, backward, Adam), batch ${batch}`, repeats, async () => {
      const value = optimizer.minimize(() => tf.mean(loss.call(net, images, { training: true })) as tf.Scalar, true, vars);
      await value!.data();
      value!.dispose();
    });
    images.dispose();
    optimizer.dispose();
  }
}
const rssMiB = process.resourceUsage().maxRSS / 1024;
console.log(`  peak RSS: ${rssMiB.toFixed(0)} MiB`);
console.log(`RESULT ${JSON.stringify({ engine: backend, ...results, peak_rss_mib: Math.round(rssMiB) })}`);
net.dispose();
