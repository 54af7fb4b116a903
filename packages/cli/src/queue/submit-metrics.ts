// `edm metrics --queue URL --net CKPT --seeds LIST`: the seeds split into jobs for `edm worker`s, each of which
// samples its seeds as edm generate does and runs the detector over them, handing back only what the requested
// metrics need: the features' mergeable moments for FID (count, mean, centred second moment; @edm/metrics
// mergeFeatureMoments), every feature row for KID and precision/recall, the judge's class probabilities for
// accuracy. The submitter merges the shards in seed order, so the metrics equal the single-machine values (FID
// to rounding: 1e-6 relative is the promise, tested).
import { mergeAllFeatureMoments, statsFromMoments, type FeatureDetector } from '@edm/metrics';
import type { CommandContext } from '../command/define';
import { CliError } from '../command/errors';
import type { DetectorSpec } from '../metrics/detector';
import type { MetricName, SampleFeatures } from '../metrics/score';
import { MNIST_JUDGE_FILE, shippedPath } from '../net/default-model';
import type { SamplerChoice } from '../sample/options';
import { fileRef, splitSeeds, type MetricsJobData } from './jobs';
import { RedisLink, type QueueAddress } from './redis';
import { decodeShardResult, type ShardResult } from './shard-result';
import { runQueued } from './submit';
import { DEFAULT_ATTEMPTS, failedShardsError, sampleSpec } from './submit-generate';

/**
 * Seeds per metrics job by default: a shard hands back its D x D moments, so shards are larger than generate's;
 * a multiple of the detectors' batches (Inception 8, the digit judge 256), so every shard runs the detector on
 * the batches one machine would and the features are the same bits.
 */
export const METRICS_JOB_SEEDS = 1024;

/** What edm metrics parsed, for the queued form. */
export interface QueuedMetrics {
  queue: QueueAddress;
  netPath: string;
  choice: SamplerChoice;
  seeds: number[];
  batch: number;
  jobSeeds?: number;
  attempts?: number;
  metrics: MetricName[];
  detectorSpec: DetectorSpec;
  detectorBatch?: number;
}

/** Concatenates the shards' rows of one part, in shard order. */
function concatRows(parts: (Float32Array | null)[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p!.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p!, at);
    at += p!.length;
  }
  return out;
}

/**
 * Runs the sampling and feature extraction of `edm metrics --net --seeds` on the queue's workers; returns what
 * scoreFeatures needs. `detector` is the submitter's (loaded for the reference): the workers must have its weights.
 */
export async function metricsQueued(o: QueuedMetrics, detector: FeatureDetector, ctx: CommandContext): Promise<SampleFeatures & { count: number }> {
  const { spec, labelDim } = await sampleSpec(o.netPath, o.choice, o.batch);
  const detectorFile = o.detectorSpec.kind === 'mnist' ? o.detectorSpec.file ?? shippedPath(MNIST_JUDGE_FILE) : o.detectorSpec.file;
  const want = {
    moments: o.metrics.includes('fid'),
    features: o.metrics.includes('kid') || o.metrics.includes('pr'),
    probs: o.metrics.includes('accuracy'),
  };
  const file = await fileRef(detectorFile);
  const perJob = o.jobSeeds ?? METRICS_JOB_SEEDS;
  const detectorBatch = o.detectorBatch ?? detector.batchSize;
  if (perJob % detectorBatch !== 0 && o.seeds.length > perJob) {
    ctx.log(`note: --job-seeds ${perJob} is not a multiple of the detector's batch ${detectorBatch}: the shards run the detector on ` +
      'other batches than one machine would, so the features agree to float32 rounding (FID to about 1e-7), not bit for bit');
  }
  const shards: MetricsJobData[] = splitSeeds(o.seeds, perJob).map((seeds) => ({
    kind: 'metrics', request: '', seeds, sample: spec,
    detector: { kind: o.detectorSpec.kind, file, hash: detector.hash, ...(o.detectorBatch !== undefined && { batch: o.detectorBatch }) },
    want,
  }));
  const d = detector.featureDim;
  const results: ShardResult[] = [];
  const link = new RedisLink(o.queue, ctx.log, 'submit');
  let outcome;
  try {
    outcome = await runQueued(link, shards, {
      attempts: o.attempts ?? DEFAULT_ATTEMPTS,
      label: 'metrics',
      collect: async (i, result, id) => {
        const bytes = result?.resultKey ? await link.client.getBuffer(result.resultKey) : null;
        if (!bytes) return false;
        results[i] = decodeShardResult(new Uint8Array(bytes), `job ${id}`, shards[i]!.seeds.length, d, want);
        await link.client.del(result.resultKey!);
        return true;
      },
    }, ctx);
  } finally {
    await link.close();
  }
  if (outcome.failed.length) throw failedShardsError(outcome.failed, o.seeds.length);
  if (results.length !== shards.length || results.some((r) => !r)) throw new CliError('internal: a shard result is missing after every job completed');
  ctx.log(`merged ${shards.length} shards from ${outcome.workers.size} worker(s) (${outcome.seconds.toFixed(1)} s)`);
  return {
    source: o.netPath,
    count: o.seeds.length,
    features: want.features ? concatRows(results.map((r) => r.features)) : null,
    ...(want.moments && { stats: statsFromMoments(mergeAllFeatureMoments(results.map((r) => r.moments!)), o.netPath) }),
    probs: want.probs ? concatRows(results.map((r) => r.probs)) : null,
    labels: labelDim > 0 ? Int32Array.from(o.seeds, (s) => s % labelDim) : null,
  };
}
