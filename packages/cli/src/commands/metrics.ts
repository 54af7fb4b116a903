// edm metrics: sample quality in a detector's features, in three forms (other tools call exactly these):
//   edm metrics ref --data DATASET --out ref.safetensors [--detector inception:FILE|mnist]
//   edm metrics --images DIR | --net CKPT --seeds LIST [sampler options] --ref ref.safetensors
//               [--metrics fid,kid,pr,accuracy] [--detector ...] [--json]
//   edm metrics features --detector inception:FILE|mnist --images DIR --out F.safetensors
// Reference statistics are made once per dataset and detector (like NVlabs' fid.py ref); samples are compared
// with them by the Frechet distance, KID and precision/recall of @edm/metrics. Nothing is written unless the
// whole run succeeds.
import { encodeSafetensors } from '@edm/models';
import { encodeReference, makeReference, trainMnistJudge, type ReferenceStats } from '@edm/metrics';
import { defineCommand, type CommandContext } from '../command/define';
import { CliError, InterruptedError, UsageError, errorMessage } from '../command/errors';
import { bool, custom, int, kebab, str } from '../command/options';
import { mnistSplit } from '../data/mnist';
import { loadDataset } from '../data/source';
import { writeFileAtomic } from '../io/atomic';
import { checkOutputFile } from '../io/output-check';
import { Progress } from '../io/progress';
import { parseRangeList } from '../io/seeds';
import { backendOption, setupBackend } from '../net/backend';
import { loadCheckpoint, type LoadedNetwork } from '../net/checkpoint';
import { generateImages } from '../sample/generate-images';
import { checkSampling, sampledDenoiser } from '../sample/guided';
import { samplerChoice, samplerOptions } from '../sample/options';
import { MNIST_DETECTOR_NAME, detectorHint, parseDetector, type DetectorSpec } from '../metrics/detector';
import {
  METRICS, detectorFor, featuresOf, parseMetrics, readImages, readReference, referenceFor, scoreFeatures, scoreImages, type Images,
  type MetricName, type Scores,
} from '../metrics/score';
import { checkSubmitOptions, submitOptions } from '../queue/submit-generate';
import { METRICS_JOB_SEEDS, metricsQueued } from '../queue/submit-metrics';

/** Samples of `netPath` for `seeds` (class seed mod classes), as generate makes them. */
async function sampleImages(netPath: string, seeds: number[], batch: number, parsed: Record<string, unknown>, ctx: CommandContext): Promise<Images> {
  const choice = samplerChoice(parsed);
  const net = await loadCheckpoint(netPath);
  let guide: LoadedNetwork | undefined;
  try {
    if (choice.guide) guide = await loadCheckpoint(choice.guide.path);
    checkSampling(netPath, net, guide, choice);
    const sampled = sampledDenoiser(net, guide, choice);
    const progress = new Progress({ total: seeds.length, label: 'generate', stream: ctx.progressStream, isTTY: ctx.isTTY, rate: (r) => `${r.toFixed(2)} img/s` });
    let done = 0;
    const images = await generateImages(sampled, seeds, {
      sampler: choice.sampler, settings: choice.settings, batch, signal: ctx.signal,
      onStep: (step, total) => { if (Number.isFinite(total)) progress.update((step / total) * seeds.length); },
      onBatch: (imgs) => {
        done += imgs.length;
        progress.update(done, {}, true);
        if (!ctx.isTTY) progress.line(`generated ${done}/${seeds.length} images`);
      },
    });
    progress.finish();
    const first = images[0]!;
    const size = first.data.length;
    const pixels = new Uint8Array(images.length * size);
    images.forEach((img, i) => pixels.set(img.data, i * size));
    const labels = net.labelDim > 0 ? Int32Array.from(seeds, (s) => s % net.labelDim) : null;
    return { pixels, shape: [images.length, first.height, first.width, first.channels], source: netPath, labels };
  } finally {
    net.dispose();
    guide?.dispose();
  }
}

/** Epochs of the shipped judge's training (`edm metrics train-judge` default). */
const JUDGE_EPOCHS = 24;

/**
 * Trains the MNIST digit judge on mnist-train, reporting its accuracy on mnist-heldout after each epoch, and
 * writes it to `out` (only when training finished).
 */
async function trainJudge(out: string, epochs: number, seed: number, ctx: CommandContext): Promise<void> {
  const train = loadDataset('mnist-train');
  const heldout = loadDataset('mnist-heldout');
  ctx.log(`training the MNIST judge on mnist-train (${train.count} digits), ${epochs} epochs, seed ${seed}; accuracy on mnist-heldout (${heldout.count}, never trained on)`);
  const t0 = performance.now();
  let last = NaN;
  const judge = await trainMnistJudge({ pixels: train.pixels, labels: train.labels! }, {
    epochs, seed, heldout: { pixels: heldout.pixels, labels: heldout.labels! },
    onEpoch: (e) => {
      last = e.heldoutAccuracy!;
      ctx.log(`epoch ${e.epoch}/${epochs}  loss ${e.loss.toFixed(4)}  train ${(100 * e.trainAccuracy).toFixed(2)}%  ` +
        `held-out ${(100 * last).toFixed(2)}%  ${e.seconds.toFixed(1)} s`);
      if (ctx.signal.aborted) throw new InterruptedError('interrupted: no judge written');
    },
  });
  try {
    writeFileAtomic(out, await judge.save({
      'edm.judge.trained': `edm metrics train-judge --epochs ${epochs} --seed ${seed}`,
      'edm.judge.heldout_accuracy': last.toFixed(4),
    }));
  } finally {
    judge.dispose();
  }
  ctx.out(`wrote ${out}: MNIST judge, ${(100 * last).toFixed(2)}% on mnist-heldout (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}



export default defineCommand({
  name: 'metrics',
  summary: 'Sample quality: FID, KID, precision/recall, digit accuracy against reference statistics; references, feature files, the MNIST judge.',
  description: `Forms:
  edm metrics ref --data DATASET --out ref.safetensors [--detector inception:FILE|mnist]
  edm metrics --images DIR | --net CKPT --seeds LIST [sampler options] --ref ref.safetensors|mnist-heldout
              [--metrics fid,kid,pr,accuracy] [--detector ...] [--floor DATASET|none] [--json]
  edm metrics features --detector inception:FILE|mnist --images DIR --out F.safetensors
  edm metrics train-judge --out mnist-judge.safetensors [--epochs 24] [--seed 0]
Examples:
  edm metrics --net packages/cli/models/mnist-cond.safetensors --seeds 0-999 --ref mnist-heldout --metrics fid,kid,accuracy
  edm metrics ref --data mnist-heldout --out heldout-inception.safetensors --detector inception:pt_inception-2015-12-05-6726825d.pth
  edm metrics --images out --ref heldout-inception.safetensors --detector inception:pt_inception-2015-12-05-6726825d.pth --metrics fid,kid,pr
  edm metrics --net run/network-snapshot-000200.safetensors --seeds 0-999 --steps 18 --ref heldout-inception.safetensors \\
              --detector inception:pt_inception-2015-12-05-6726825d.pth --json
--detector inception:FILE is the FID Inception-v3 of pytorch-fid; download pt_inception-2015-12-05-6726825d.pth yourself
from pytorch-fid's GitHub releases (docs/quality.md). A reference records its detector's name and weights hash and is
only compared with features of the same detector. Images are PNG/JPEG files of one size (any folder depth, sorted
by file name) or a dataset folder/zip made by 'edm dataset'; with --net the samples are made as 'edm generate' makes
them (class = seed mod classes). fid is the Frechet distance in the detector's features (FID with the Inception),
kid the unbiased MMD^2 with a cubic kernel (100 subsets of 1000; mean and std), pr improved precision and recall
(k = 3), accuracy the fraction of digits the MNIST judge reads as their class (per class, and its mean confidence).
--detector mnist is the project's digit judge (shipped; 'train-judge' retrains it on mnist-train, measured on the
2,000 mnist-heldout digits it never sees). With an mnist-heldout reference the same metrics are also printed for
as many real mnist-train digits (the floor: what real digits score). Nothing is written unless the whole run succeeds.`,
  positionals: [{ name: 'action', help: "'ref' (reference statistics of a dataset), 'features' (a feature file) or 'train-judge' (the MNIST judge); omitted: compute metrics", optional: true }],
  options: {
    images: str({ help: 'Images to judge: a folder of PNG/JPEG (sorted by file name) or a dataset folder/zip', metavar: 'DIR' }),
    net: str({ help: 'Or a checkpoint to sample (with --seeds and the sampler options)', metavar: 'CKPT' }),
    seeds: custom('LIST', (raw, flag) => parseRangeList(raw, flag), { help: 'Seeds of the samples, e.g. 0-9999 (with --net)', range: 'at most 1000000 seeds, each 0 to 4294967295' }),
    batch: int({ help: 'Sampling batch (with --net)', min: 1, max: 4096, default: 64 }),
    ...samplerOptions,
    ref: str({ help: "Reference statistics made by 'edm metrics ref', or a built-in dataset (mnist-heldout) made into one here", metavar: 'FILE' }),
    metrics: custom('LIST', parseMetrics, { help: `Metrics: ${METRICS.join(', ')} (pr: precision and recall)`, default: ['fid'] as MetricName[], showDefault: 'fid' }),
    detector: custom('SPEC', parseDetector, { help: 'Feature network: inception:FILE (pt_inception-2015-12-05-6726825d.pth) or mnist', showDefault: "ref: mnist; metrics: the reference's" }),
    detectorBatch: int({ help: 'Images per detector pass', min: 1, max: 4096, showDefault: "the detector's (inception 8)" }),
    json: bool({ help: 'Print the metrics as JSON instead of a table', default: false }),
    data: str({ help: "Dataset for 'ref': mnist, mnist-train, mnist-heldout, or a folder/zip made by 'edm dataset'", metavar: 'DATASET' }),
    out: str({ help: "Output file of 'ref', 'features' and 'train-judge' (.safetensors)", metavar: 'FILE' }),
    floor: str({ help: 'Also judge as many real images of this dataset (the real-vs-real floor); none: skip', metavar: 'DATASET', showDefault: 'mnist-train with an mnist-heldout reference' }),
    epochs: int({ help: "Passes over mnist-train for 'train-judge'", min: 1, max: 1000, showDefault: String(JUDGE_EPOCHS) }),
    seed: int({ help: "Seed of 'train-judge' (weights, order, shifts, dropout)", min: 0, max: 0xffffffff, showDefault: '0' }),
    ...submitOptions(String(METRICS_JOB_SEEDS)),
    backend: backendOption(),
  },
  async run({ options, positionals }, ctx) {
    const action = positionals.action;
    if (action !== undefined && action !== 'ref' && action !== 'features' && action !== 'train-judge') {
      throw new UsageError(`unknown action '${action}': expected 'ref', 'features', 'train-judge', or none (compute metrics with --images or --net)`);
    }
    const samplerGiven = Object.keys(samplerOptions).filter((k) => (options as Record<string, unknown>)[k] !== undefined);
    const refuse = (names: [string, unknown][], form: string) => {
      const given = names.find(([, v]) => v !== undefined);
      if (given) throw new UsageError(`${given[0]} is not an option of ${form}`);
    };

    if (action === 'train-judge') {
      const given = (Object.keys(options) as (keyof typeof options)[])
        .filter((k) => !['out', 'epochs', 'seed', 'backend', 'batch', 'metrics', 'json'].includes(k) && options[k] !== undefined);
      if (given.length) throw new UsageError(`--${kebab(given[0]!)} is not an option of 'edm metrics train-judge' (--out, --epochs, --seed, --backend)`);
      if (!options.out) throw new UsageError("'edm metrics train-judge' needs --out FILE.safetensors");
      checkOutputFile(options.out, '--out');
      await setupBackend(options.backend, ctx);
      await trainJudge(options.out, options.epochs ?? JUDGE_EPOCHS, options.seed ?? 0, ctx);
      return;
    }
    refuse([['--epochs', options.epochs], ['--seed', options.seed]], "'edm metrics' other than 'train-judge' (they train the judge)");
    checkSubmitOptions(options);
    if (action === 'ref' || action === 'features') {
      const form = `'edm metrics ${action}'`;
      refuse([['--net', options.net], ['--seeds', options.seeds], ['--ref', options.ref], ['--floor', options.floor], ['--queue', options.queue], ...samplerGiven.map((k): [string, unknown] => [`--${kebab(k)}`, true])], form);
      if (action === 'ref') {
        refuse([['--images', options.images]], `${form} (it reads --data)`);
        if (!options.data) throw new UsageError(`${form} needs --data DATASET (mnist, mnist-train, mnist-heldout, or a folder/zip)`);
      } else {
        refuse([['--data', options.data]], `${form} (it reads --images)`);
        if (!options.images) throw new UsageError(`${form} needs --images DIR`);
        if (!options.detector) throw new UsageError(`${form} needs --detector inception:FILE or --detector mnist`);
      }
      if (!options.out) throw new UsageError(`${form} needs --out FILE.safetensors`);
      checkOutputFile(options.out, '--out');
      const spec: DetectorSpec = options.detector ?? { kind: 'mnist' };
      const images = readImages(action === 'ref' ? options.data! : options.images!);
      await setupBackend(options.backend, ctx);
      const detector = await detectorFor(spec);
      try {
        const t0 = performance.now();
        const features = await featuresOf(detector, images, options.detectorBatch, ctx);
        const n = images.shape[0];
        const d = detector.featureDim;
        const sec = ((performance.now() - t0) / 1000).toFixed(1);
        if (action === 'ref') {
          let ref: ReferenceStats;
          try {
            ref = makeReference(detector, features, { dataset: images.source });
          } catch (e) {
            throw new CliError(`${images.source}: ${errorMessage(e)}`);
          }
          writeFileAtomic(options.out, encodeReference(ref));
          ctx.out(`wrote ${options.out}: reference statistics of ${images.source} (${n} images, ${d} features of ${detector.name}, weights ${detector.hash.slice(0, 12)}; ${sec} s)`);
        } else {
          const bytes = new Uint8Array(features.buffer, features.byteOffset, features.byteLength);
          writeFileAtomic(options.out, encodeSafetensors(new Map([['features', { dtype: 'F32', shape: [n, d], data: bytes }]]), {
            detector: detector.name, 'detector.hash': detector.hash, images: images.source,
          }));
          ctx.out(`wrote ${options.out}: features [${n}, ${d}] of ${images.source} by ${detector.name} (${sec} s)`);
        }
      } finally {
        detector.dispose();
      }
      return;
    }

    // Compute metrics.
    refuse([['--data', options.data], ['--out', options.out]], "'edm metrics' (they belong to 'edm metrics ref', 'features' and 'train-judge')");
    if ((options.images === undefined) === (options.net === undefined)) {
      throw new UsageError(options.images ? 'give --images DIR or --net CKPT, not both' : 'nothing to judge: give --images DIR or --net CKPT --seeds LIST');
    }
    if (options.net !== undefined && options.seeds === undefined) throw new UsageError('--net needs --seeds LIST (e.g. 0-9999): the samples to make');
    if (options.queue && options.images) throw new UsageError('--queue shards sampling over the workers: give --net CKPT --seeds LIST, not --images');
    if (options.net === undefined) {
      refuse([['--seeds', options.seeds], ...samplerGiven.map((k): [string, unknown] => [`--${kebab(k)}`, true])], "'edm metrics --images' (sampling options need --net)");
    }
    if (!options.ref) throw new UsageError("'edm metrics' needs --ref FILE (reference statistics made by 'edm metrics ref') or a built-in dataset (mnist-heldout)");
    const metrics = options.metrics;
    // A built-in dataset as --ref: its reference is made here, with the detector given (default the MNIST judge).
    const builtinRef = mnistSplit(options.ref);
    const refHeader = builtinRef ? undefined : readReference(options.ref);
    let spec = options.detector;
    if (!spec) {
      if (!refHeader || refHeader.detector === MNIST_DETECTOR_NAME) spec = { kind: 'mnist' };
      else throw new UsageError(`${options.ref} was made with ${refHeader.detector}: give ${detectorHint(refHeader.detector)}`);
    }
    if (metrics.includes('accuracy') && spec.kind !== 'mnist') {
      throw new UsageError('--metrics accuracy: class accuracy is read by the MNIST digit judge: use --detector mnist (the default with an MNIST reference)');
    }
    const images = options.images ? readImages(options.images) : undefined;
    const count = images ? images.shape[0] : options.seeds!.length;
    const refCount = refHeader ? refHeader.features.length / refHeader.stats.dim : loadDataset(options.ref).count;
    const needs = (n: number, what: string) => {
      if (count < n) throw new CliError(`${what} needs at least ${n} images, ${images ? images.source : '--seeds'} gives ${count}`);
      if (refCount < n) throw new CliError(`${what} needs at least ${n} reference images, ${options.ref} holds the features of ${refCount}`);
    };
    if (metrics.includes('fid')) needs(2, 'fid: the Frechet distance');
    if (metrics.includes('kid')) needs(2, 'kid');
    if (metrics.includes('pr')) needs(4, 'pr (k = 3 nearest neighbours)');
    if (metrics.includes('accuracy') && images && !images.labels) {
      throw new UsageError(`--metrics accuracy: ${images.source} has no class labels (a dataset.json with labels, as 'edm dataset' writes)`);
    }
    await setupBackend(options.backend, ctx);
    const detector = await detectorFor(spec);
    try {
      const ref = await referenceFor(options.ref, detector, options.detectorBatch, ctx);
      // With --queue the workers sample and hand back what the metrics need of their features (src/queue/submit-metrics.ts).
      const queued = options.queue ? await metricsQueued({
        queue: options.queue, netPath: options.net!, choice: samplerChoice(options), seeds: options.seeds!, batch: options.batch,
        jobSeeds: options.jobSeeds, attempts: options.attempts, metrics, detectorSpec: spec, detectorBatch: options.detectorBatch,
      }, detector, ctx) : undefined;
      const sampled = images ?? (queued ? undefined : await sampleImages(options.net!, options.seeds!, options.batch, options as Record<string, unknown>, ctx));
      const judged = { count: sampled ? sampled.shape[0] : queued!.count, source: sampled ? sampled.source : queued!.source };
      // The floor: the same metrics for as many real images of another dataset (real vs real).
      const floorName = options.floor ?? (ref.dataset === 'mnist-heldout' ? 'mnist-train' : undefined);
      const columns: [string, { source: string }, () => Promise<Scores>][] = [['samples', judged, () => (queued
        ? scoreFeatures(detector, queued, ref, metrics, ctx) : scoreImages(detector, sampled!, ref, metrics, options.detectorBatch, ctx))]];
      if (floorName && floorName !== 'none') {
        const floor = readImages(floorName, judged.count);
        if (floor.shape[0] < judged.count) throw new CliError(`--floor ${floorName}: ${floor.shape[0]} images, fewer than the ${judged.count} judged`);
        columns.push([`floor (${floorName})`, floor, () => scoreImages(detector, floor, ref, metrics, options.detectorBatch, ctx)]);
      }
      const result: Record<string, unknown> = {
        detector: detector.name, detector_hash: detector.hash, images: judged.count, source: judged.source,
        ref: options.ref, ref_dataset: ref.dataset, ref_images: ref.stats.count,
      };
      const table = new Map<string, string[]>();
      for (const [c, [, imgs, score]] of columns.entries()) {
        const scores = await score();
        if (c > 0) result.floor = { source: imgs.source, ...scores.values };
        else Object.assign(result, scores.values);
        for (const [k, v] of scores.rows) table.set(k, [...(table.get(k) ?? []), v]);
      }
      if (options.json) {
        ctx.out(JSON.stringify(result));
        return;
      }
      ctx.out(`${judged.count} images (${judged.source}) vs ${options.ref} (${ref.dataset || 'reference'}, ${ref.stats.count} images), detector ${detector.name}`);
      // A header names the columns when the floor is beside the samples.
      const rows: [string, string[]][] = [...(columns.length > 1 ? [['', columns.map(([name]) => name)] as [string, string[]]] : []), ...table];
      const w = Math.max(...rows.map(([k]) => k.length));
      const cw = Math.max(...rows.map(([, v]) => v[0]!.length));
      for (const [k, v] of rows) ctx.out(`${k.padEnd(w)}  ${v.map((x, i) => (i < v.length - 1 ? x.padEnd(cw) : x)).join('  ')}`.trimEnd());
    } finally {
      detector.dispose();
    }
  },
});
