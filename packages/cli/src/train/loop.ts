// The training loop (reference training/training_loop.py): per step, `batch / batchGpu` accumulated rounds
// of the loss gradient (sum of per-pixel losses / batch), Adam with the learning-rate ramp-up, the EMA update
// (EDM2 runs: Adam betas (0.9, 0.99), the decaying schedule, power-function EMAs, edm2-recipe.ts);
// every tick a stats line, every `snap` ticks an EMA snapshot + sample grid (and the training state), every
// `dump` ticks the training state. Ctrl-C saves the state and exits; a NaN/Inf loss stops with the last good
// state saved; a resumed run continues bit-exactly (randomness = f(seed, step): data, noise, augmentations and
// dropout masks).
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Adam, EDMAugmentPipe, EMA, PowerFunctionEMA } from '@edm/core';
import { createNetwork, saveNetwork } from '@edm/models';
import type { CommandContext } from '../command/define';
import { CliError, InterruptedError } from '../command/errors';
import { writeFileAtomic } from '../io/atomic';
import { makeGrid } from '../io/grid';
import { encodePng } from '../io/png';
import { Progress, formatDuration } from '../io/progress';
import { generateImages } from '../sample/generate-images';
import { imagesOf, metricsSummary, scoreImages, startMetrics } from '../metrics/score';
import type { Dataset } from '../data/dataset';
import { BatchSource } from './batches';
import type { TrainConfig } from './config';
import { EDM2_ADAM, PHEMA_METADATA, edm2StepLr, phemaSnapshotName, type PhemaSnapshotInfo } from './edm2-recipe';
import { drawEps, makeLoss } from './losses';
import { augmentRandom, dropoutSeed, stepRandom } from './random';
import { accumulate, lossAndGrads } from './step';
import { yieldToEventLoop } from '../util/yield';
import { removeStaleTemps } from './run-folder';
import { STATE_FILE, readState, saveState, type Counters, type StateTensors } from './state';
import { checkStateCounters } from './state-check';
import { appendStats, truncateStats, type TickStats } from './stats';

/** File name of the EMA snapshot at `nimg` images (reference naming). */
export function snapshotName(nimg: number): string {
  return `network-snapshot-${String(Math.floor(nimg / 1000)).padStart(6, '0')}.safetensors`;
}

/** File name of the sample grid at `nimg`. */
export function gridName(nimg: number): string {
  return `samples-${String(Math.floor(nimg / 1000)).padStart(6, '0')}.png`;
}

/** True when the JSON text `text` holds `value` (false when it is not JSON). */
function sameJson(text: string, value: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
  } catch {
    return false;
  }
}

/** Runs (or resumes) training in `runDir`. */
export async function trainLoop(cfg: TrainConfig, ds: Dataset, runDir: string, ctx: CommandContext, resume: boolean): Promise<void> {
  const net = createNetwork(cfg.network, { seed: cfg.seed });
  const emaNet = createNetwork(cfg.network, { seed: cfg.seed });
  const params = net.parameters();
  const edm2 = cfg.edm2;
  // EDM runs keep one EMA (half-life); EDM2 runs one power-function EMA per std.
  const ema = edm2 ? null : new EMA(params, { halfLifeImages: cfg.emaHalflifeKimg * 1000, rampUpRatio: cfg.emaRampupRatio });
  const phema = edm2 ? new PowerFunctionEMA(params, edm2.emaStds) : null;
  const emaSets = ema ? [{ std: null, weights: ema.weights }]
    : phema!.stds.map((std, i) => ({ std, weights: phema!.emas[i]! }));
  const adam = new Adam(params, edm2 ? EDM2_ADAM : undefined);
  const { loss, drawRnd } = makeLoss(cfg.precond, edm2);
  const batches = new BatchSource(ds, cfg.seed, cfg.xflip, cfg.cond);
  const augment = cfg.augment ?? 0; // config.json files written before --augment existed: off
  const augmentPipe = augment > 0 ? new EDMAugmentPipe({ p: augment }) : null;
  const statePath = join(runDir, STATE_FILE);
  const statsPath = join(runDir, 'stats.jsonl');
  const networkJson = JSON.stringify(cfg.network);
  // The state's `ema/` group: the EMA's weights, or every power-function EMA's as `ema/<std>/<name>`.
  const emaState = ema ? ema.weights : new Map(emaSets.flatMap(({ std, weights }) =>
    [...weights].map(([name, v]) => [`${std!.toFixed(3)}/${name}`, v] as const)));
  const tensors: StateTensors = { net: params, ema: emaState, adamM: adam.m, adamV: adam.v };
  const nameOfVar = new Map<string, string>();
  for (const [name, v] of params) nameOfVar.set(v.name, name);
  const vars = [...params.values()];
  const paramCount = [...params.values()].reduce((a, v) => a + v.size, 0);

  let c: Counters = {
    step: 0, nimg: 0, tick: 0, tickStartNimg: 0, tickLossSum: 0, tickLossSqSum: 0, tickSteps: 0, adamStep: 0, seed: cfg.seed,
  };
  if (resume) {
    const st = readState(statePath);
    if (st.networkJson && !sameJson(st.networkJson, cfg.network)) {
      throw new CliError(`${statePath}: its network config differs from ${join(runDir, 'config.json')}`);
    }
    c = checkStateCounters(st.counters, cfg, statePath);
    st.assign(tensors);
    adam.step = c.adamStep;
    truncateStats(statsPath, c.step, (m) => ctx.log(`warning: ${m}`));
    const stale = removeStaleTemps(runDir);
    if (stale.length) ctx.log(`removed ${stale.length} temporary file(s) a stopped run left in ${runDir}`);
    ctx.log(`resuming from ${statePath} at kimg ${(c.nimg / 1000).toFixed(3)} (step ${c.step})`);
  } else {
    truncateStats(statsPath, -1, (m) => ctx.log(`warning: ${m}`));
  }
  ctx.log(`network: ${cfg.network.class_name} ${String(cfg.network.kwargs.model_type ?? '')}, ${paramCount} parameters; ` +
    `data: ${ds.source}, ${ds.count} images ${ds.width}x${ds.height}x${ds.channels}${cfg.cond ? `, ${ds.labelDim} classes` : ''}`);

  const save = async (why: string) => {
    await saveState(statePath, tensors, { ...c, adamStep: adam.step }, networkJson);
    ctx.log(`saved training state (${why}) at kimg ${(c.nimg / 1000).toFixed(3)}, step ${c.step}: ${statePath}`);
  };

  // --metrics: the detector and the reference are made once; each snapshot's samples are judged against them.
  const judging = cfg.metrics ? await startMetrics(cfg.metrics, ctx) : null;

  const snapshot = async (): Promise<Record<string, unknown> | undefined> => {
    // One file per EMA (EDM2: per std, with the edm.phema metadata edm phema reads); the grid of the first.
    const files: string[] = [];
    for (const { std, weights } of [...emaSets].reverse()) {
      for (const [name, v] of emaNet.parameters()) v.assign(weights.get(name)!);
      const info: PhemaSnapshotInfo | null = std === null ? null : { std, nimg: c.nimg, run: edm2!.runId };
      const file = join(runDir, std === null ? snapshotName(c.nimg) : phemaSnapshotName(c.nimg, std));
      writeFileAtomic(file, saveNetwork(emaNet, info ? { metadata: { [PHEMA_METADATA]: JSON.stringify(info) } } : {}));
      files.unshift(file);
    }
    const file = files.join(', ');
    let grid = '';
    if (cfg.snapGrid > 0) {
      const seeds = Array.from({ length: cfg.snapGrid }, (_, i) => i);
      const images = await generateImages(emaNet, seeds, { batch: Math.min(cfg.snapGrid, 64) });
      const cols = cfg.cond && ds.labelDim > 0 && ds.labelDim <= 16 ? Math.min(ds.labelDim, cfg.snapGrid) : undefined;
      grid = join(runDir, gridName(c.nimg));
      writeFileAtomic(grid, encodePng(makeGrid(images, cols)));
    }
    ctx.log(`snapshot ${file}${grid ? ` and ${grid}` : ''}`);
    if (!judging) return undefined;
    const m = cfg.metrics!;
    const seeds = Array.from({ length: m.seeds }, (_, i) => i);
    const images = await generateImages(emaNet, seeds, { batch: 64, signal: ctx.signal });
    const judged = imagesOf(images, emaNet.labelDim > 0 ? Int32Array.from(seeds, (s) => s % emaNet.labelDim) : null, 'samples');
    const { values } = await scoreImages(judging.detector, judged, judging.ref, m.names, undefined, ctx, true);
    ctx.log(`metrics at kimg ${(c.nimg / 1000).toFixed(0)} (${m.seeds} samples vs ${m.ref}): ${metricsSummary(values)}`);
    return values;
  };

  const [h, w, ch] = [ds.height, ds.width, ds.channels];
  const rounds = cfg.batch / cfg.batchGpu;
  const progress = new Progress({
    total: cfg.totalNimg / 1000, start: c.nimg / 1000, label: 'train', stream: ctx.progressStream, isTTY: ctx.isTTY,
    format: (v) => v.toFixed(1),
  });
  let tickT0 = performance.now();
  let tickNimg0 = c.nimg;
  let lr = 0;
  const t0 = performance.now();
  for (;;) {
    // One optimizer step: accumulate gradients over the rounds.
    const g = stepRandom(cfg.seed, c.step);
    const augmentHook = augmentPipe?.hook(augmentRandom(cfg.seed, c.step));
    let lossSum = 0;
    let gradSum: tf.NamedTensorMap | null = null;
    for (let r = 0; r < rounds; r++) {
      const first = c.nimg + r * cfg.batchGpu;
      const { images, labels } = batches.batch(first, cfg.batchGpu, g);
      const rnd = drawRnd(g, cfg.batchGpu);
      const eps = drawEps(g, [cfg.batchGpu, h, w, ch]);
      try {
        const { value, grads } = await lossAndGrads(net, loss, vars,
          { images, labels, rnd, eps, seed: dropoutSeed(cfg.seed, c.step, r), augmentPipe: augmentHook }, cfg.batch);
        lossSum += value;
        gradSum = accumulate(gradSum, grads);
      } finally {
        images.dispose();
        labels?.dispose();
        rnd.dispose();
        eps.dispose();
      }
    }
    const byName: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(gradSum!)) byName[nameOfVar.get(k) ?? k] = t;
    const stepLoss = lossSum / (h * w * ch); // mean per-pixel loss of the batch
    if (!Number.isFinite(stepLoss)) {
      for (const t of Object.values(byName)) t.dispose();
      progress.finish();
      await save('before the non-finite step');
      throw new CliError(
        `loss is ${stepLoss} at step ${c.step} (kimg ${(c.nimg / 1000).toFixed(3)}): training stopped. ` +
        `The last good state is ${statePath}; try a lower --lr, then --resume ${runDir}.`,
      );
    }
    lr = edm2 ? edm2StepLr(edm2, cfg.lr, cfg.lrRampupKimg, c.nimg, cfg.batch)
      : cfg.lr * Math.min(c.nimg / Math.max(cfg.lrRampupKimg * 1000, 1e-8), 1);
    adam.apply(byName, lr);
    for (const t of Object.values(byName)) t.dispose();
    if (ema) ema.update(params, cfg.batch, c.nimg);
    else phema!.update(params, c.nimg + cfg.batch, cfg.batch);
    c.nimg += cfg.batch;
    c.step++;
    c.tickLossSum += stepLoss;
    c.tickLossSqSum += stepLoss * stepLoss;
    c.tickSteps++;
    const done = c.nimg >= cfg.totalNimg;
    const elapsed = (performance.now() - t0) / 1000;
    progress.update(c.nimg / 1000, { loss: stepLoss.toFixed(4), 'img/s': ((c.nimg - tickNimg0) / ((performance.now() - tickT0) / 1000)).toFixed(1) });

    const tickEnd = done || c.tick === 0 || c.nimg >= c.tickStartNimg + cfg.tickKimg * 1000;
    if (tickEnd) {
      const sec = (performance.now() - tickT0) / 1000;
      const n = c.tickSteps;
      const mean = c.tickLossSum / n;
      const std = Math.sqrt(Math.max(0, c.tickLossSqSum / n - mean * mean));
      const stats: TickStats = {
        tick: c.tick, kimg: c.nimg / 1000, step: c.step, loss: mean, loss_std: std, lr,
        sec_per_kimg: sec / ((c.nimg - tickNimg0) / 1000), images_per_sec: (c.nimg - tickNimg0) / sec,
        rss_mib: process.memoryUsage().rss / 2 ** 20, tensor_mib: tf.memory().numBytes / 2 ** 20, tensors: tf.memory().numTensors, timestamp: Date.now() / 1000,
      };
      const snap = done || c.tick % cfg.snapTicks === 0;
      // The snapshot (and its metrics, which go into this tick's line) comes before the line is written.
      if (snap) {
        const metrics = await snapshot();
        if (metrics) stats.metrics = metrics;
      }
      appendStats(statsPath, stats);
      progress.line(
        `tick ${String(c.tick).padEnd(5)} kimg ${stats.kimg.toFixed(3).padEnd(9)} loss ${mean.toFixed(4)} ` +
        `sec/kimg ${stats.sec_per_kimg.toFixed(2)} img/s ${stats.images_per_sec.toFixed(1)} lr ${lr.toExponential(2)} ` +
        `rss ${stats.rss_mib.toFixed(0)} MiB time ${formatDuration(elapsed)}`,
      );
      const dump = snap || c.tick % cfg.dumpTicks === 0;
      c.tick++;
      c.tickStartNimg = c.nimg;
      c.tickLossSum = 0;
      c.tickLossSqSum = 0;
      c.tickSteps = 0;
      if (dump) await save(done ? 'end of training' : 'periodic');
      tickT0 = performance.now();
      tickNimg0 = c.nimg;
    }
    if (done) break;
    await yieldToEventLoop();
    if (ctx.signal.aborted) {
      progress.finish();
      await save('interrupted');
      throw new InterruptedError(`interrupted at kimg ${(c.nimg / 1000).toFixed(3)}; continue with: edm train --resume ${runDir}`);
    }
  }
  progress.finish();
  ctx.out(`training done: ${(c.nimg / 1000).toFixed(3)} kimg in ${formatDuration((performance.now() - t0) / 1000)}; ` +
    `final snapshot ${join(runDir, edm2 ? phemaSnapshotName(c.nimg, edm2.emaStds[0]!) : snapshotName(c.nimg))}`);
  judging?.detector.dispose();
  adam.dispose();
  ema?.dispose();
  phema?.dispose();
  net.dispose();
  emaNet.dispose();
}
