// Sample quality for `edm metrics` and `edm train --metrics`: images (files, a dataset, samples of a network) run
// through a detector, then the Frechet distance, KID, precision/recall and class accuracy against reference
// statistics (a file, or a built-in dataset made into one in memory).
import {
  MnistJudge, classAccuracy, computeFeatures, decodeReference, featureStats, frechetDistance, imagesInMemory,
  kernelInceptionDistance, makeReference, precisionRecall, type FeatureDetector, type FeatureStats, type ReferenceStats,
} from '@edm/metrics';
import type { CommandContext } from '../command/define';
import { CliError, InterruptedError, UsageError, errorMessage } from '../command/errors';
import { mnistSplit } from '../data/mnist';
import { loadDataset } from '../data/source';
import { Progress } from '../io/progress';
import { readInputFile } from '../io/read-file';
import type { Image8 } from '../io/image';
import { loadDetector, parseDetector, type DetectorSpec } from './detector';

/** The metrics --metrics names. */
export const METRICS = ['fid', 'kid', 'pr', 'accuracy'] as const;
export type MetricName = (typeof METRICS)[number];

/** Parses `fid,kid,...` (each once). */
export function parseMetrics(raw: string, flag: string): MetricName[] {
  const names = raw.split(',').map((s) => s.trim().toLowerCase());
  const bad = names.find((n) => !(METRICS as readonly string[]).includes(n));
  if (bad !== undefined) throw new UsageError(`${flag}: unknown metric '${bad}'; expected a comma-separated list of ${METRICS.join(', ')}`);
  return [...new Set(names)] as MetricName[];
}

/** Images to judge, 8-bit NHWC in memory, where they came from, and their classes when known. */
export interface Images {
  pixels: Uint8Array;
  shape: [number, number, number, number];
  source: string;
  labels: Int32Array | null;
}

/** Runs `detector` over the images with a progress bar; Ctrl-C stops between batches. */
export async function featuresOf(
  detector: FeatureDetector, images: Images, batch: number | undefined, ctx: CommandContext, quiet = false,
): Promise<Float32Array> {
  const total = images.shape[0];
  const progress = quiet ? null : new Progress({
    total, label: 'features', stream: ctx.progressStream, isTTY: ctx.isTTY, rate: (r) => `${r.toFixed(2)} img/s`,
  });
  let nextLine = 0;
  try {
    const features = await computeFeatures(detector, imagesInMemory(images.pixels, images.shape), {
      ...(batch !== undefined && { batchSize: batch }),
      onProgress: (done) => {
        if (ctx.signal.aborted) throw new InterruptedError('interrupted: nothing written');
        progress?.update(done, {}, true);
        if (progress && !ctx.isTTY && (done >= nextLine || done === total)) {
          progress.line(`features: ${done}/${total} images`);
          nextLine = done + Math.max(1, Math.ceil(total / 10));
        }
      },
    });
    progress?.finish();
    return features;
  } catch (e) {
    progress?.finish();
    if (e instanceof CliError) throw e;
    throw new CliError(`${images.source}: ${errorMessage(e)}`);
  }
}

/** A dataset or image folder, at most its first `max` images (mixed sizes or channels: an error naming the file). */
export function readImages(path: string, max?: number): Images {
  const ds = loadDataset(path, max);
  return { pixels: ds.pixels, shape: [ds.count, ds.height, ds.width, ds.channels], source: path, labels: ds.labels };
}

/** Loads the detector, turning library errors into CliErrors. */
export async function detectorFor(spec: DetectorSpec): Promise<FeatureDetector> {
  try {
    return await loadDetector(spec);
  } catch (e) {
    if (e instanceof CliError || e instanceof UsageError) throw e;
    throw new CliError(errorMessage(e));
  }
}

/** Reference statistics from a file, refused when made by another detector than `detector` (naming both). */
export function readReference(path: string, detector?: FeatureDetector): ReferenceStats {
  const bytes = readInputFile(path, '--ref');
  try {
    return decodeReference(bytes, path, detector);
  } catch (e) {
    throw new CliError(errorMessage(e));
  }
}

/** Metric values (for JSON) and table rows. */
export interface Scores {
  values: Record<string, unknown>;
  rows: [string, string][];
}

/**
 * What metrics are computed from: a sample set's features, or only their statistics, and the digit judge's
 * class probabilities (the features of shards made apart arrive so: src/queue/submit-metrics.ts).
 */
export interface SampleFeatures {
  /** What the samples were, for messages. */
  source: string;
  /** Every sample's features [N, D], in order (KID, precision/recall; FID when `stats` is absent). */
  features: Float32Array | null;
  /** Their mean and covariance (FID), when computed elsewhere. */
  stats?: FeatureStats;
  /** The digit judge's class probabilities [N, classes] (accuracy). */
  probs: Float32Array | null;
  labels: Int32Array | null;
}

/** The requested metrics of `images` against `ref`: values (for JSON) and table rows. */
export async function scoreImages(
  detector: FeatureDetector, images: Images, ref: ReferenceStats, metrics: MetricName[], batch: number | undefined, ctx: CommandContext,
  quiet = false,
): Promise<Scores> {
  const features = await featuresOf(detector, images, batch, ctx, quiet);
  const probs = metrics.includes('accuracy') && detector instanceof MnistJudge && images.labels
    ? (await detector.judge(images.pixels)).probs : null;
  return scoreFeatures(detector, { source: images.source, features, probs, labels: images.labels }, ref, metrics, ctx);
}

/** The requested metrics of samples' features (or statistics) against `ref`. */
export async function scoreFeatures(
  detector: FeatureDetector, samples: SampleFeatures, ref: ReferenceStats, metrics: MetricName[], ctx: CommandContext,
): Promise<Scores> {
  const d = detector.featureDim;
  const values: Record<string, unknown> = {};
  const rows: [string, string][] = [];
  const features = (what: string): Float32Array => {
    if (!samples.features) throw new CliError(`${what} needs every sample's features; ${samples.source} has only their statistics`);
    return samples.features;
  };
  try {
    if (metrics.includes('fid')) {
      const fid = frechetDistance(samples.stats ?? featureStats(features('fid'), d, samples.source), ref.stats, { onWarning: (w) => ctx.log(w) });
      values.fid = fid;
      rows.push(['fid', fmt(fid)]);
    }
    if (metrics.includes('kid')) {
      const kid = await kernelInceptionDistance(features('kid'), ref.features, d);
      Object.assign(values, { kid: kid.mean, kid_std: kid.std, kid_subsets: kid.values.length, kid_subset_size: kid.subsetSize });
      rows.push(['kid', `${fmt(kid.mean)} (std ${fmt(kid.std)}, ${kid.values.length}x${kid.subsetSize})`]);
    }
    if (metrics.includes('pr')) {
      const pr = await precisionRecall(ref.features, features('pr'), d);
      Object.assign(values, pr);
      rows.push(['precision', pr.precision.toFixed(4)], ['recall', pr.recall.toFixed(4)]);
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(errorMessage(e));
  }
  if (metrics.includes('accuracy')) {
    if (!(detector instanceof MnistJudge)) throw new CliError('--metrics accuracy needs the MNIST digit judge (--detector mnist)');
    if (!samples.labels) throw new CliError(`--metrics accuracy: ${samples.source} has no class labels`);
    if (!samples.probs) throw new CliError(`--metrics accuracy: no class probabilities for ${samples.source}`);
    const acc = classAccuracy({ probs: samples.probs }, samples.labels);
    Object.assign(values, { accuracy: acc.accuracy, accuracy_per_class: acc.perClass, confidence: acc.confidence });
    rows.push(['accuracy', `${(100 * acc.accuracy).toFixed(1)}%`],
      ['  per class', acc.perClass.map((a) => (100 * a).toFixed(0)).join(' ')], ['confidence', acc.confidence.toFixed(3)]);
  }
  return { values, rows };
}

/** A metric value for a table. */
export const fmt = (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3));

/**
 * The reference `ref` names: a reference file (refused when made by another detector than `detector`), or a
 * built-in dataset (mnist-heldout, ...) whose reference is made here with `detector`.
 */
export async function referenceFor(ref: string, detector: FeatureDetector, batch: number | undefined, ctx: CommandContext): Promise<ReferenceStats> {
  const builtin = mnistSplit(ref);
  if (!builtin) return readReference(ref, detector);
  return makeReference(detector, await featuresOf(detector, readImages(builtin), batch, ctx), { dataset: builtin });
}

/** Images (all of one size, as generateImages makes them) with their classes, as metrics read them. */
export function imagesOf(images: readonly Image8[], labels: Int32Array | null, source: string): Images {
  const first = images[0]!;
  const size = first.data.length;
  const pixels = new Uint8Array(images.length * size);
  images.forEach((img, i) => pixels.set(img.data, i * size));
  return { pixels, shape: [images.length, first.height, first.width, first.channels], source, labels };
}

/** The detector and reference of `edm train --metrics`, made once per run. */
export async function startMetrics(m: { ref: string; detector: string }, ctx: CommandContext): Promise<{ detector: FeatureDetector; ref: ReferenceStats }> {
  const detector = await detectorFor(parseDetector(m.detector, '--metrics-detector'));
  try {
    return { detector, ref: await referenceFor(m.ref, detector, undefined, ctx) };
  } catch (e) {
    detector.dispose();
    throw e;
  }
}

/** One line of metric values (fid, kid, precision/recall, accuracy). */
export function metricsSummary(v: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof v.fid === 'number') parts.push(`fid ${fmt(v.fid)}`);
  if (typeof v.kid === 'number') parts.push(`kid ${fmt(v.kid)}`);
  if (typeof v.precision === 'number') parts.push(`precision ${(v.precision as number).toFixed(3)} recall ${(v.recall as number).toFixed(3)}`);
  if (typeof v.accuracy === 'number') parts.push(`accuracy ${(100 * v.accuracy).toFixed(1)}%`);
  return parts.join(', ');
}
