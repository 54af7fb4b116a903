// The MNIST evidence of docs/edm2.md: judges class-conditional MNIST checkpoints with the project's MNIST digit
// judge (@edm/metrics MnistJudge, 99.05% on mnist-heldout): N samples (seeds 0..N-1, class = seed mod 10, the
// edm sampler with 18 steps unless given), the share the judge reads as the intended class, and the Frechet
// distance of the judge's 128 penultimate features to those of the 2,000 mnist-heldout digits.
//
//   node --import tsx packages/cli/bench/edm2-mnist.ts eval --judge J --net CKPT [--guide CKPT --guidance W]
//        [--n 1000] [--label TEXT] [--out results.jsonl]        (appends one JSON line per evaluation)
//   node --import tsx packages/cli/bench/edm2-mnist.ts plot --in results.jsonl --out docs/edm2-mnist.png
//        --cost "EDM-DDPM++=SEC,EDM2=SEC"                    (seconds per kimg of each recipe, edm bench)
//
// `plot` draws the panels of docs/edm2.md from the result lines (their `group` and `x`: time-kimg (x = kimg,
// drawn against minutes = kimg x cost), phema (x = EMA std), autoguidance (x = weight)).
//
//   node --import tsx packages/cli/bench/edm2-mnist.ts training --stats RUN/stats.jsonl --in results.jsonl
//        --out docs/mnist-shipped-training.png [--floor FD] [--target 0.97]
//
// `training` draws the shipped model's run (docs/quality.md): the loss per tick from the run's stats.jsonl, and
// FD and class accuracy of its snapshots (group `train`, x = kimg, one series per label) and the guidance
// sweep of the final snapshot (group `guidance`, x = weight, one series per label; --floor: the real-vs-real FD
// at the sweep's count, drawn as the 2x target).
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { autoguidance, type Denoiser } from '@edm/core';
import { featureStats, frechetDistance, MnistJudge } from '@edm/metrics';
import { useNodeBackend } from '@edm/backend-node';
import { loadDataset } from '../src/data/source';
import { loadCheckpoint } from '../src/net/checkpoint';
import { generateImages } from '../src/sample/generate-images';
import { linearTicks, renderPanels, type Series } from '../../core/bench/plot';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) {
    if (fallback === undefined) throw new Error(`missing --${name}`);
    return fallback;
  }
  return process.argv[i + 1]!;
}

/** One evaluation. */
interface Result {
  label: string;
  group: string;
  x: number;
  net: string;
  guide?: string;
  guidance?: number;
  n: number;
  steps: number;
  accuracy: number;
  fd: number;
  seconds: number;
}

async function evaluate(): Promise<void> {
  await useNodeBackend({ backend: 'wasm' });
  const judge = await MnistJudge.load(new Uint8Array(readFileSync(arg('judge'))), 'judge');
  const held = loadDataset('mnist-heldout');
  const ref = await judge.judge(held.pixels);
  const refStats = featureStats(ref.features, 128, 'mnist-heldout');
  const n = Number(arg('n', '1000'));
  const steps = Number(arg('steps', '18'));
  const netPath = arg('net');
  const net = await loadCheckpoint(netPath);
  let sampled: Denoiser = net;
  const guidePath = process.argv.includes('--guide') ? arg('guide') : undefined;
  const guide = guidePath ? await loadCheckpoint(guidePath) : undefined;
  const guidance = guide ? Number(arg('guidance')) : undefined;
  if (guide) sampled = autoguidance(net, guide, { weight: guidance! });
  const t0 = performance.now();
  const seeds = Array.from({ length: n }, (_, i) => i);
  const images = await generateImages(sampled, seeds, { batch: 100, settings: { numSteps: steps } });
  const seconds = (performance.now() - t0) / 1000;
  const pixels = new Uint8Array(n * 784);
  images.forEach((im, i) => pixels.set(im.data, i * 784));
  const out = await judge.judge(pixels);
  let right = 0;
  for (let i = 0; i < n; i++) {
    const p = out.probs.subarray(i * 10, i * 10 + 10);
    let best = 0;
    for (let k = 1; k < 10; k++) if (p[k]! > p[best]!) best = k;
    if (best === i % 10) right++;
  }
  const fd = frechetDistance(featureStats(out.features, 128, 'samples'), refStats);
  const r: Result = {
    label: arg('label', netPath), group: arg('group', 'misc'), x: Number(arg('x', '0')), net: netPath,
    ...(guidePath && { guide: guidePath, guidance }), n, steps, accuracy: right / n, fd, seconds,
  };
  console.log(JSON.stringify(r));
  appendFileSync(arg('out', 'results.jsonl'), JSON.stringify(r) + '\n');
  net.dispose();
  guide?.dispose();
  judge.dispose();
}

const COLORS: Array<readonly [number, number, number]> = [[31, 119, 180], [214, 39, 40], [44, 160, 44], [148, 103, 189]];

/** One series per `name` of the rows of `group`: (x, metric) points in x order. */
function seriesOf(rows: Result[], group: string, name: (r: Result) => string, metric: (r: Result) => number): Series[] {
  const by = new Map<string, [number, number][]>();
  for (const r of rows.filter((x) => x.group === group)) {
    const key = name(r);
    by.set(key, [...(by.get(key) ?? []), [r.x, metric(r)]]);
  }
  return [...by].map(([k, pts], i) => ({ name: k, color: COLORS[i % COLORS.length]!, points: pts.sort((a, b) => a[0] - b[0]) }));
}

function plot(): void {
  const rows = readFileSync(arg('in'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Result);
  const series = (group: string, name: (r: Result) => string, metric: (r: Result) => number) => seriesOf(rows, group, name, metric);
  const fdOf = (r: Result) => r.fd;
  const errOf = (r: Result) => Math.max(1 - r.accuracy, 1e-3);
  const recipe = (r: Result) => r.label.split(' ')[0]!;
  // Training time: kimg x the recipe's measured seconds per kimg (--cost "EDM-DDPM++=47.1,EDM2=49.8").
  const cost = new Map(arg('cost', '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]).map(([k, v]) => [k, Number(v)]));
  for (const r of rows.filter((x) => x.group === 'time-kimg')) {
    const secPerKimg = cost.get(recipe(r));
    if (secPerKimg === undefined) throw new Error(`--cost has no seconds per kimg for ${recipe(r)}`);
    rows.push({ ...r, group: 'time', x: Math.round((r.x * secPerKimg) / 60 * 10) / 10 });
  }
  const ticks = (group: string) => [...new Set(rows.filter((r) => r.group === group).map((r) => r.x))].sort((a, b) => a - b);
  const minutes = ticks('time');
  const minuteTicks = [2, 5, 10, 15, 20, 30, 60].filter((t) => t >= Math.min(...minutes) * 0.8 && t <= Math.max(...minutes) * 1.2);
  /** The FD and 1 - accuracy series of a group, in distinct colours. */
  const both = (group: string): Series[] => [...series(group, () => 'FD', fdOf), ...series(group, () => '1 - accuracy', errOf)]
    .map((s, i) => ({ ...s, color: COLORS[i % COLORS.length]! }));
  const panels = [
    { title: 'FD to held-out digits vs training time', xLabel: 'minutes of training (measured cost)', yLabel: 'FD (judge features)', series: series('time', recipe, fdOf), xTicks: minuteTicks },
    { title: 'judge error vs training time', xLabel: 'minutes of training (measured cost)', yLabel: '1 - class accuracy', series: series('time', recipe, errOf), xTicks: minuteTicks },
    { title: 'post-hoc EMA sweep (EDM2, kimg 22)', xLabel: 'EMA length sigma_rel', yLabel: 'FD / 1 - accuracy', series: both('phema'), xTicks: ticks('phema') },
    { title: 'autoguidance weight (EDM2, guide: kimg 6)', xLabel: 'guidance weight w', yLabel: 'FD / 1 - accuracy', series: both('autoguidance'), xTicks: ticks('autoguidance') },
  ].filter((p) => p.series.length > 0);
  writeFileSync(arg('out'), renderPanels(panels, 2));
  console.log(`wrote ${arg('out')} (${panels.length} panels from ${rows.length} results)`);
}

function training(): void {
  const rows = readFileSync(arg('in'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Result);
  const ticks = readFileSync(arg('stats'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kimg: number; loss: number });
  const by = (group: string, metric: (r: Result) => number) => seriesOf(rows, group, (r) => r.label, metric);
  const maxKimg = Math.max(...ticks.map((t) => t.kimg));
  const kimgTicks = linearTicks(0, maxKimg, 6);
  // --floor: the real-vs-real FD at the guidance sweep's sample count; its panel shows the 2x target line.
  const floorFd = process.argv.includes('--floor') ? Number(arg('floor')) : undefined;
  const floor = floorFd === undefined ? undefined : { y: 2 * floorFd, label: `target: 2 x real-digit floor ${floorFd.toFixed(2)}` };
  const target = Number(arg('target', '0.97'));
  const weights = [...new Set(rows.filter((r) => r.group === 'guidance').map((r) => r.x))].sort((a, b) => a - b);
  const panels = [
    { title: 'training loss per tick (EDM2, uncertainty-weighted)', xLabel: 'kimg', yLabel: 'loss', xScale: 'linear' as const, yScale: 'linear' as const, xTicks: kimgTicks,
      series: [{ name: 'loss', color: COLORS[0]!, points: ticks.map((t) => [t.kimg, t.loss] as [number, number]) }] },
    { title: 'FD to held-out digits (judge features)', xLabel: 'kimg', yLabel: 'FD', xScale: 'linear' as const, xTicks: kimgTicks,
      series: by('train', (r) => r.fd) },
    { title: 'class accuracy (the judge reads the drawn class)', xLabel: 'kimg', yLabel: 'accuracy', xScale: 'linear' as const, yScale: 'linear' as const, xTicks: kimgTicks,
      series: by('train', (r) => r.accuracy), floor: { y: target, label: `target ${target}` } },
    { title: 'autoguidance weight (final snapshot): FD', xLabel: 'guidance weight w', yLabel: 'FD', xScale: 'linear' as const, xTicks: weights,
      series: by('guidance', (r) => r.fd), ...(floor && { floor }) },
    { title: 'autoguidance weight (final snapshot): accuracy', xLabel: 'guidance weight w', yLabel: 'accuracy', xScale: 'linear' as const,
      yScale: 'linear' as const, xTicks: weights, series: by('guidance', (r) => r.accuracy), floor: { y: target, label: `target ${target}` } },
  ].filter((p) => p.series.length > 0);
  writeFileSync(arg('out'), renderPanels(panels, 2));
  console.log(`wrote ${arg('out')} (${panels.length} panels, ${ticks.length} ticks, ${rows.length} results)`);
}

const command = process.argv[2];
if (command === 'eval') await evaluate();
else if (command === 'plot') plot();
else if (command === 'training') training();
else throw new Error('usage: edm2-mnist.ts eval ... | plot ... | training ...');
