// Benchmark (numbers printed, not a timed test): the FID Inception-v3's images/s and the metrics' time.
//   - features of 32 x 32 RGB images (resized to 299 x 299 like any input) at batch 1 and 8: median of
//     EDM_BENCH_REPEATS (default 3) after one warm-up;
//   - the Frechet distance of two 2048-wide sets (covariances, then the distance), KID (100 subsets of 1000)
//     and precision/recall of 2,000 vs 2,000.
// EDM_BENCH_METRICS=0 skips the metrics' part.
// Weights: EDM_FID_WEIGHTS (pt_inception-2015-12-05-6726825d.pth), else the shared stand-in fixture (same
// architecture, same speed). Backend: @edm/backend-node's choice (EDM_BACKEND, EDM_WASM_THREADS to force).
//   npm run bench -w @edm/metrics
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '@edm/backend-node';
import { Xoshiro128 } from '@edm/core';
import { FidInception, featureStats, frechetDistance, kernelInceptionDistance, precisionRecall } from '@edm/metrics';

const weightsPath = process.env.EDM_FID_WEIGHTS
  ?? fileURLToPath(new URL('../../../../shared/fixtures/fid/fid-inception-standin.pth', import.meta.url));
const repeats = Number(process.env.EDM_BENCH_REPEATS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function seconds(run: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await run();
  return (performance.now() - t) / 1000;
}

const report = await useNodeBackend({});
console.log(`@edm/metrics bench: engine ${report.engine}${report.threads ? `, ${report.threads} thread(s)` : ''}`);

if (existsSync(weightsPath)) {
  const load = performance.now();
  const net = await FidInception.load(new Uint8Array(readFileSync(weightsPath)), weightsPath);
  console.log(`  load weights (${weightsPath.split('/').pop()}): ${((performance.now() - load) / 1000).toFixed(2)} s`);
  for (const batch of [1, 8]) {
    const x = tf.randomUniform([batch, 32, 32, 3]) as tf.Tensor4D;
    const run = async () => {
      const f = net.features(x);
      await f.data();
      f.dispose();
    };
    const warm = await seconds(run);
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) times.push(await seconds(run));
    const m = median(times);
    console.log(`  inception features, batch ${batch}: ${(batch / m).toFixed(2)} images/s (median ${m.toFixed(2)} s of ${repeats} ` +
      `[${times.map((t) => t.toFixed(2)).join(', ')}], warm-up ${warm.toFixed(2)} s)`);
    x.dispose();
  }
  net.dispose();
} else {
  console.log(`  inception: SKIPPED: no weights at ${weightsPath} (set EDM_FID_WEIGHTS)`);
}

if (process.env.EDM_BENCH_METRICS === '0') process.exit(0);
const rng = new Xoshiro128(1);
const d = 2048;
const set = (n: number, shift: number) => Float32Array.from({ length: n * d }, (_, i) => Math.max(0, rng.normal() + shift + (i % d) / d));
const a = set(2500, 0);
const b = set(2500, 0.1);
let sa!: ReturnType<typeof featureStats>;
let sb!: ReturnType<typeof featureStats>;
console.log(`  covariances of 2 x 2,500 x ${d}: ${(await seconds(async () => { sa = featureStats(a, d); sb = featureStats(b, d); })).toFixed(2)} s`);
let fd = 0;
console.log(`  Frechet distance (D = ${d}): ${(await seconds(async () => { fd = frechetDistance(sa, sb); })).toFixed(2)} s (${fd.toFixed(3)})`);
console.log(`  KID (100 subsets of 1,000): ${(await seconds(() => kernelInceptionDistance(a, b, d))).toFixed(2)} s`);
console.log(`  precision/recall (2,000 vs 2,000): ${(await seconds(() => precisionRecall(a.subarray(0, 2000 * d), b.subarray(0, 2000 * d), d))).toFixed(2)} s`);
