// edm train: trains a diffusion model with the EDM recipe (the reference's train.py, kebab-case options),
// into a run folder with config.json, stats.jsonl, EMA snapshots, sample grids and the training state.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AUGMENT_DIM } from '@edm/core';
import { mnistSplit } from '../data/mnist';
import { loadDataset } from '../data/source';
import { defineCommand } from '../command/define';
import { CliError, UsageError } from '../command/errors';
import { bool, choice, custom, float, int, intList, parseIntList, str } from '../command/options';
import { writeFileAtomic } from '../io/atomic';
import { fsError } from '../io/fs-errors';
import { backendOption, setupBackend } from '../net/backend';
import { parseDetector } from '../metrics/detector';
import { METRICS, parseMetrics, type MetricName } from '../metrics/score';
import { validateConfig, type TrainConfig, type TrainMetrics } from '../train/config';
import { trainLoop } from '../train/loop';
import { EDM2_DEFAULTS, checkEmaStds, newRunId } from '../train/edm2-recipe';
import { ARCHS, PRECONDS, networkConfig } from '../train/network-config';
import { EDM2_TRAIN_DEFAULTS, PRESETS, PRESET_NAMES, TRAIN_DEFAULTS, type PresetValues } from '../train/presets';
import { acquireRunLock, createRunDir, nextRunDir } from '../train/run-folder';
import { STATE_FILE, readState } from '../train/state';
import { checkStateCounters } from '../train/state-check';

/** `--attn 16,8` or `--attn none`. */
function parseAttn(raw: string, flag: string): number[] {
  if (raw.trim().toLowerCase() === 'none') return [];
  return parseIntList(raw, flag, 1, 4096);
}

/** `--ema-stds 0.05,0.1`: sigma_rel of each power-function EMA. */
function parseStds(raw: string, flag: string): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  const values = parts.map((p) => (/^\d*\.?\d+(e-?\d+)?$/i.test(p) ? Number(p) : Number.NaN));
  if (parts.some((p) => p === '') || values.some((v) => !Number.isFinite(v))) {
    throw new UsageError(`${flag}: expected a comma-separated list of numbers, got '${raw}'`);
  }
  checkEmaStds(values, flag);
  return values;
}

/** Samples per `--metrics` measurement by default. */
const METRICS_SEEDS = 1000;

/**
 * The `--metrics*` options resolved against the data (and, on resume, the run's previous choice): the reference
 * defaults to mnist-heldout for built-in MNIST data, the detector to the MNIST judge for 28x28x1 images.
 */
function trainMetrics(
  o: { metrics?: MetricName[]; metricsSeeds?: number; metricsRef?: string; metricsDetector?: string },
  data: string, cond: boolean, before?: TrainMetrics, ds?: { width: number; height: number; channels: number },
): TrainMetrics {
  const names = o.metrics ?? before?.names;
  if (!names) throw new UsageError('--metrics-seeds, --metrics-ref and --metrics-detector need --metrics LIST (e.g. fid,accuracy)');
  const ref = o.metricsRef ?? before?.ref ?? (mnistSplit(data) ? 'mnist-heldout' : undefined);
  if (!ref) throw new UsageError(`--metrics needs --metrics-ref: reference statistics of your data ('edm metrics ref --data ${data} --out ref.safetensors')`);
  const mnistLike = ds ? ds.width === 28 && ds.height === 28 && ds.channels === 1 : mnistSplit(data) !== undefined;
  const detector = o.metricsDetector ?? before?.detector ?? (mnistLike ? 'mnist' : undefined);
  if (!detector) throw new UsageError('--metrics needs --metrics-detector inception:FILE for images other than 28x28 digits (pt_inception-2015-12-05-6726825d.pth, docs/quality.md)');
  if (names.includes('accuracy')) {
    if (!cond) throw new UsageError('--metrics accuracy: class accuracy needs a class-conditional run (--cond)');
    if (parseDetector(detector).kind !== 'mnist') throw new UsageError('--metrics accuracy is read by the MNIST digit judge: --metrics-detector mnist');
  }
  if (mnistSplit(data) === 'mnist' && ref === 'mnist-heldout') {
    throw new UsageError("--metrics against mnist-heldout while training on 'mnist' (all 10,000 digits, the held-out ones too): train on mnist-train");
  }
  return { names, seeds: o.metricsSeeds ?? before?.seeds ?? METRICS_SEEDS, ref, detector };
}

/** Why --fp16 is refused (train.py's mixed precision). */
const FP16_REFUSED = '--fp16 is not supported: TensorFlow.js has no float16 compute on any engine (cpu, wasm, ' +
  'webgl, webgpu and tfjs-node all run the network in float32), so mixed precision would only be simulated. ' +
  'Leave out --fp16; training runs in float32.';

/**
 * Options that may change when resuming (everything else comes from the run's config.json). Changing --lr
 * (e.g. after a NaN stop) makes the run differ from an uninterrupted one from that point on.
 */
const RESUMABLE = new Set(['resume', 'duration', 'backend', 'tick', 'snap', 'dump', 'snapGrid', 'lr', 'metrics', 'metricsSeeds', 'metricsRef', 'metricsDetector']);

export default defineCommand({
  name: 'train',
  summary: 'Train a diffusion model (EDM recipe) on a dataset or MNIST; snapshots, sample grids, exact resume.',
  description: `Examples:
  edm train --preset mnist --data mnist --outdir runs                 (the shipped model's recipe)
  edm dataset --source photos/ --dest photos.zip --resolution 32x32 && edm train --data photos.zip --outdir runs
  edm train --resume runs/00000-mnist-cond-ddpmpp-edm-batch64         (after Ctrl-C or a crash)
  edm train --preset mnist-edm2 --data mnist --outdir runs            (EDM2: its network, loss, lr schedule, post-hoc EMA)
The run folder holds config.json, stats.jsonl (one line per tick), network-snapshot-NNNNNN.safetensors (EMA
weights; kimg in the name), samples-NNNNNN.png and training-state.safetensors (for --resume).
Defaults are the reference train.py's, overridden by --preset where given. --augment P is the paper's
non-leaking augment pipe (flips, scaling, rotation, anisotropy, translation; the net gets 9 augment labels);
--xflip mirrors images (dataset x-flips) without augment labels. --fp16 is refused: tfjs computes in float32.
--arch edm2 trains NVlabs/edm2's network with its recipe (train_edm2.py): Adam betas (0.9, 0.99), --lr as ref_lr
decaying after --decay steps, EDM2Loss (--p-mean, --p-std), no dropout by default, and power-function EMAs
(--ema-stds) whose snapshots network-snapshot-NNNNNN-S.SSS.safetensors feed 'edm phema'.`,
  options: {
    data: str({ help: "Dataset: 'mnist' (built in) or a folder/zip made by 'edm dataset'", metavar: 'PATH' }),
    outdir: str({ help: 'Where run folders are created', metavar: 'DIR', default: 'training-runs' }),
    nosubdir: bool({ help: 'Use --outdir itself as the run folder', default: false }),
    desc: str({ help: 'Extra text for the run folder name' }),
    preset: choice(PRESET_NAMES, { help: 'Settings for known data (mnist: small conditional net, ~40 min on a CPU; mnist-edm2: the same with EDM2)' }),
    maxImages: int({ help: 'Train on the first N images only', min: 1, max: 1e9 }),
    cond: bool({ help: 'Train class-conditional (needs labels)', showDefault: 'false' }),
    arch: choice(ARCHS, { help: 'Network architecture', showDefault: 'ddpmpp' }),
    precond: choice(PRECONDS, { help: 'Preconditioning and loss', showDefault: 'edm' }),
    duration: float({ help: 'Training duration, Mimg', min: 0, max: 100000, exclusiveMin: true, showDefault: '200' }),
    batch: int({ help: 'Total batch size', min: 1, max: 4096, showDefault: '512' }),
    batchGpu: int({ help: 'Limit batch size per pass (gradient accumulation)', min: 1, max: 4096, showDefault: '--batch', relation: { option: 'batch', op: '<=' } }),
    cbase: int({ help: 'Channel multiplier model_channels', min: 1, max: 1024, showDefault: 'arch default' }),
    cres: intList({ help: 'Channels per resolution channel_mult', min: 1, max: 16, showDefault: 'arch default' }),
    blocks: int({ help: 'Residual blocks per resolution num_blocks', min: 1, max: 32, showDefault: 'arch default' }),
    attn: custom('LIST|none', parseAttn, { help: 'Resolutions with self-attention attn_resolutions', range: 'each 1 to 4096', showDefault: 'arch default' }),
    lr: float({ help: 'Learning rate', min: 0, max: 1000, exclusiveMin: true, showDefault: '0.001' }),
    lrRampup: float({ help: 'Learning rate ramp-up, kimg', min: 0, max: 1e6, showDefault: '10000' }),
    ema: float({ help: 'EMA half-life, Mimg', min: 0, max: 100000, showDefault: '0.5' }),
    emaRampup: float({ help: 'EMA ramp-up ratio (half-life <= images seen x ratio)', min: 0, max: 100, default: 0.05 }),
    dropout: float({ help: 'Dropout probability', min: 0, max: 1, showDefault: '0.13 (edm2: 0)' }),
    decay: float({ help: 'EDM2: learning-rate decay t_ref, optimizer steps (lr / sqrt(max(step / decay, 1)); 0 = none)', min: 0, max: 1e9, showDefault: String(EDM2_DEFAULTS.decay) }),
    pMean: float({ help: 'EDM2: mean of ln(sigma) in training (P_mean)', min: -10, max: 10, showDefault: String(EDM2_DEFAULTS.PMean) }),
    pStd: float({ help: 'EDM2: standard deviation of ln(sigma) in training (P_std)', min: 0, exclusiveMin: true, max: 10, showDefault: String(EDM2_DEFAULTS.PStd) }),
    emaStds: custom('LIST', parseStds, { help: 'EDM2: sigma_rel of each power-function EMA (snapshots for edm phema)', range: 'each in (0, 0.289)', showDefault: EDM2_DEFAULTS.emaStds.join(',') }),
    xflip: bool({ help: 'Enable dataset x-flips', showDefault: 'false' }),
    augment: float({ help: 'Augment probability of the non-leaking augment pipe (0 = off)', min: 0, max: 1, showDefault: '0.12 (mnist preset: 0)' }),
    fp16: bool({ help: 'Mixed precision (refused: no float16 compute in tfjs)', default: false }),
    tick: float({ help: 'How often to print progress, kimg', min: 0, max: 1e6, exclusiveMin: true, showDefault: '50' }),
    snap: int({ help: 'How often to save snapshots + sample grids, ticks', min: 1, max: 1e6, showDefault: '50' }),
    dump: int({ help: 'How often to dump the training state, ticks', min: 1, max: 1e6, showDefault: '500' }),
    snapGrid: int({ help: 'Images in each snapshot sample grid (0 = none)', min: 0, max: 1024, showDefault: '64' }),
    seed: int({ help: 'Random seed', min: 0, max: 0xffffffff, showDefault: 'random' }),
    metrics: custom('LIST', parseMetrics, { help: `Sample quality at each snapshot, into stats.jsonl: ${METRICS.join(', ')} (as edm metrics)`, showDefault: 'none' }),
    metricsSeeds: int({ help: 'Samples per --metrics measurement (seeds 0..N-1, class = seed mod classes)', min: 2, max: 100000, showDefault: String(METRICS_SEEDS) }),
    metricsRef: str({ help: "--metrics reference: a file made by 'edm metrics ref', or mnist-heldout", metavar: 'REF', showDefault: 'mnist-heldout for the built-in MNIST data' }),
    metricsDetector: custom('SPEC', (raw, flag) => { parseDetector(raw, flag); return raw; }, { help: '--metrics detector: mnist, mnist:FILE or inception:FILE', showDefault: 'mnist for 28x28x1 images' }),
    resume: str({ help: 'Resume a run: its folder (or its training-state.safetensors)', metavar: 'PATH' }),
    dryRun: bool({ help: 'Print the resolved config and exit', default: false }),
    backend: backendOption(),
  },
  async run({ options: o }, ctx) {
    if (o.fp16) throw new UsageError(FP16_REFUSED);
    if (o.resume) {
      const given = Object.entries(o).filter(([k, v]) => v !== undefined && !RESUMABLE.has(k) &&
        !['outdir', 'nosubdir', 'dryRun', 'emaRampup', 'fp16'].includes(k));
      if (given.length) {
        throw new UsageError(`with --resume the run's config.json is used; these options cannot change: ` +
          given.map(([k]) => `--${k.replace(/[A-Z]/g, (x) => '-' + x.toLowerCase())}`).join(', '));
      }
      const runDir = existsSync(o.resume) && statSync(o.resume).isFile() ? dirname(o.resume) : o.resume;
      const cfgPath = join(runDir, 'config.json');
      if (!existsSync(join(runDir, STATE_FILE))) throw new CliError(`--resume ${o.resume}: no ${STATE_FILE} in ${runDir}`);
      if (!existsSync(cfgPath)) throw new CliError(`--resume ${o.resume}: no config.json in ${runDir}`);
      let cfg: TrainConfig;
      try {
        cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as TrainConfig;
      } catch (e) {
        throw new CliError(`${cfgPath}: not valid JSON (${(e as Error).message})`);
      }
      if (o.duration !== undefined) cfg.totalNimg = Math.round(o.duration * 1e6);
      if (o.tick !== undefined) cfg.tickKimg = o.tick;
      if (o.snap !== undefined) cfg.snapTicks = o.snap;
      if (o.dump !== undefined) cfg.dumpTicks = o.dump;
      if (o.snapGrid !== undefined) cfg.snapGrid = o.snapGrid;
      if (o.lr !== undefined) cfg.lr = o.lr;
      if (o.metrics !== undefined || o.metricsSeeds !== undefined || o.metricsRef !== undefined || o.metricsDetector !== undefined) {
        cfg.metrics = trainMetrics(o, cfg.data, cfg.cond, cfg.metrics);
      }
      validateConfig(cfg);
      if (o.dryRun) {
        ctx.out(JSON.stringify(cfg, null, 2));
        return;
      }
      // One process per run folder: a second --resume (or a new run there) is refused while this one runs.
      const lock = acquireRunLock(runDir, (m) => ctx.log(`warning: ${m}`));
      try {
        // A damaged or edited state is refused before anything starts (the loop checks its tensors too).
        checkStateCounters(readState(join(runDir, STATE_FILE)).counters, cfg, join(runDir, STATE_FILE));
        writeFileAtomic(cfgPath, JSON.stringify(cfg, null, 2) + '\n');
        await setupBackend(o.backend, ctx);
        const ds = loadDataset(cfg.data, cfg.maxImages);
        await trainLoop(cfg, ds, runDir, ctx, true);
      } finally {
        lock.release();
      }
      return;
    }

    if (!o.data) throw new UsageError("missing --data: 'mnist' or a dataset folder/zip made by 'edm dataset'");
    const preset: PresetValues = o.preset ? PRESETS[o.preset] : {};
    const pick = <K extends keyof PresetValues>(k: K, given: PresetValues[K] | undefined) =>
      given ?? preset[k] ?? (TRAIN_DEFAULTS as PresetValues)[k];
    const ds = loadDataset(o.data, o.maxImages);
    if (ds.width !== ds.height) throw new CliError(`${o.data}: images are ${ds.width}x${ds.height}; training needs square images (edm dataset --resolution)`);
    const cond = pick('cond', o.cond)!;
    if (cond && !ds.labels) throw new UsageError(`--cond needs class labels, but ${o.data} has none (no labels in dataset.json)`);
    const arch = pick('arch', o.arch)!;
    const edm2 = arch === 'edm2';
    // EDM2's defaults (train_edm2.py) where they differ from train.py's.
    const pick2 = <K extends keyof PresetValues>(k: K, given: PresetValues[K] | undefined) =>
      given ?? preset[k] ?? (edm2 ? EDM2_TRAIN_DEFAULTS[k] : undefined) ?? (TRAIN_DEFAULTS as PresetValues)[k];
    if (edm2 && o.ema !== undefined) {
      throw new UsageError('--ema (a half-life) is the EDM EMA; --arch edm2 keeps power-function EMAs instead: --ema-stds, then edm phema');
    }
    if (!edm2) {
      const only = (['decay', 'pMean', 'pStd', 'emaStds'] as const).filter((k) => o[k] !== undefined);
      if (only.length) throw new UsageError(`${only.map((k) => `--${k.replace(/[A-Z]/g, (x) => '-' + x.toLowerCase())}`).join(', ')} ${only.length > 1 ? 'apply' : 'applies'} to --arch edm2 only`);
    }
    const precond = pick('precond', o.precond)!;
    const batch = pick('batch', o.batch)!;
    const ema = pick('ema', o.ema)!;
    const augment = pick2('augment', o.augment)!;
    const cfg: TrainConfig = {
      data: o.data,
      maxImages: o.maxImages,
      cond,
      arch,
      precond,
      network: networkConfig({
        arch, precond, resolution: ds.width, channels: ds.channels, labelDim: cond ? ds.labelDim : 0,
        cbase: pick('cbase', o.cbase), cres: pick('cres', o.cres), blocks: pick('blocks', o.blocks),
        attn: pick('attn', o.attn), dropout: pick2('dropout', o.dropout)!, augmentDim: augment > 0 && !edm2 ? AUGMENT_DIM : 0,
      }),
      totalNimg: Math.round(pick('duration', o.duration)! * 1e6),
      batch,
      batchGpu: pick('batchGpu', o.batchGpu) ?? batch,
      lr: pick2('lr', o.lr)!,
      lrRampupKimg: pick('lrRampup', o.lrRampup)!,
      emaHalflifeKimg: ema * 1000,
      emaRampupRatio: o.emaRampup,
      xflip: pick('xflip', o.xflip)!,
      augment,
      tickKimg: pick('tick', o.tick)!,
      snapTicks: pick('snap', o.snap)!,
      dumpTicks: pick('dump', o.dump)!,
      snapGrid: pick('snapGrid', o.snapGrid)!,
      seed: o.seed ?? Math.floor(Math.random() * 0x100000000) >>> 0,
      preset: o.preset,
      ...((o.metrics || o.metricsSeeds !== undefined || o.metricsRef !== undefined || o.metricsDetector !== undefined) &&
        { metrics: trainMetrics(o, o.data, cond, undefined, ds) }),
      ...(edm2 && {
        edm2: {
          decay: pick2('decay', o.decay)!, PMean: pick2('pMean', o.pMean)!, PStd: pick2('pStd', o.pStd)!,
          emaStds: [...pick2('emaStds', o.emaStds)!], runId: newRunId(),
        },
      }),
    };
    validateConfig(cfg);
    const dataName = mnistSplit(o.data) ?? basename(o.data).replace(/\.zip$/i, '');
    const desc = `${dataName}-${cond ? 'cond' : 'uncond'}-${arch}-${precond}-batch${batch}${o.desc ? `-${o.desc}` : ''}`;
    if (o.dryRun) {
      ctx.out(JSON.stringify({ runDir: o.nosubdir ? o.outdir : nextRunDir(o.outdir, desc), ...cfg }, null, 2));
      return;
    }
    let runDir = o.outdir;
    if (o.nosubdir) {
      try {
        mkdirSync(runDir, { recursive: true });
      } catch (e) {
        throw fsError(e, runDir);
      }
    } else {
      runDir = createRunDir(o.outdir, desc);
    }
    // One process per run folder: a second run there (or a --resume of it) is refused while this one runs.
    const lock = acquireRunLock(runDir, (m) => ctx.log(`warning: ${m}`));
    try {
      if (existsSync(join(runDir, STATE_FILE))) {
        throw new CliError(`${runDir} already holds a training run; use --resume ${runDir} to continue it, or another --outdir`);
      }
      writeFileAtomic(join(runDir, 'config.json'), JSON.stringify(cfg, null, 2) + '\n');
      ctx.log(`run folder: ${runDir}`);
      await setupBackend(o.backend, ctx);
      await trainLoop(cfg, ds, runDir, ctx, false);
    } finally {
      lock.release();
    }
  },
});
