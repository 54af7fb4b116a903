// `edm worker`: takes jobs from the queue (BullMQ on Redis) until SIGTERM (the jobs in hand are finished) or
// SIGINT (they are handed back to the queue). A job is a seed range of one `edm generate --queue` request (PNGs
// written atomically into the request's shared folder) or of one `edm metrics --queue` request (the samples'
// features reduced to mergeable moments, stored in Redis for the submitter).
//
// Networks and detectors are loaded once and kept while jobs for them arrive; a job for another checkpoint
// loads it and lets the unused ones go. A job names each file by path and SHA-256: a worker whose file differs
// refuses the job (it fails that attempt; another worker may take it). A killed worker's job stays locked until
// its lock expires, then BullMQ's stalled-job check (run by the other workers) puts it back in the queue; its
// seeds are written again, with the same bytes, by whoever takes it.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { featureMoments, MnistJudge, type FeatureDetector } from '@edm/metrics';
import type { CommandContext } from '../command/define';
import { CliError, InterruptedError, UsageError, errorMessage } from '../command/errors';
import { writeFileAtomic } from '../io/atomic';
import { encodePng } from '../io/png';
import { seedImageName } from '../io/seeds';
import { setupBackend, type BackendName } from '../net/backend';
import { loadCheckpoint, type LoadedNetwork } from '../net/checkpoint';
import { loadDetector } from '../metrics/detector';
import { featuresOf, imagesOf } from '../metrics/score';
import { generateImages } from '../sample/generate-images';
import { checkSampling, sampledDenoiser } from '../sample/guided';
import {
  QUEUE_NAME, checkFileRef, checkJobData, localPath, samplerFromWire, seedsText, type FileRef, type GenerateJobData, type JobData, type JobResult,
  type MetricsJobData,
} from './jobs';
import { RedisLink, type QueueAddress } from './redis';
import { encodeShardResult } from './shard-result';

/** How long a shard result stays in Redis when no submitter collects it. */
export const RESULT_TTL_SECONDS = 7 * 24 * 3600;

/** The Redis key of a job's shard result. */
export const resultKey = (jobId: string) => `edm:result:${jobId}`;

/** Things a worker loads once and keeps while jobs use them. */
class Kept<T extends { dispose(): void }> {
  private readonly entries = new Map<string, { value: Promise<T>; users: number }>();

  /** The value for `key`, loading it when absent; unused others are let go once a new one is loaded. */
  async acquire(key: string, load: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    const fresh = !entry;
    if (!entry) {
      entry = { value: load(), users: 0 };
      this.entries.set(key, entry);
    }
    entry.users++; // before any await: a load finishing meanwhile must not let this one go
    try {
      const value = await entry.value;
      if (fresh) {
        for (const [k, e] of this.entries) {
          if (k !== key && e.users === 0) {
            this.entries.delete(k);
            void e.value.then((v) => v.dispose(), () => {});
          }
        }
      }
      return value;
    } catch (e) {
      entry.users--;
      if (this.entries.get(key) === entry) this.entries.delete(key); // the next job tries again
      throw e;
    }
  }

  release(key: string): void {
    const e = this.entries.get(key);
    if (e) e.users--;
  }

  async disposeAll(): Promise<void> {
    for (const e of this.entries.values()) (await e.value.catch(() => null))?.dispose();
    this.entries.clear();
  }
}

/** Options of {@link runWorker}. */
export interface WorkerSettings {
  address: QueueAddress;
  concurrency: number;
  /** Seconds a job stays locked without this worker's heartbeat (a killed worker's job is retaken after about this). */
  lockSeconds: number;
  backend?: BackendName;
}

/** Runs the worker until SIGTERM (exit 0 once the jobs in hand are done) or SIGINT (jobs handed back; exit 130). */
export async function runWorker(settings: WorkerSettings, ctx: CommandContext): Promise<number> {
  const engine = await setupBackend(settings.backend, ctx);
  const me = `${hostname()}:${process.pid}`;
  const link = new RedisLink(settings.address, ctx.log, 'worker');
  const nets = new Kept<LoadedNetwork>();
  const detectors = new Kept<FeatureDetector>();
  const inHand = new Map<string, AbortController>();
  let interrupted = false;

  /** Loads (or finds) the network `ref`, after checking its bytes are the submitter's. */
  const network = (ref: FileRef, what: string): { key: string; value: Promise<LoadedNetwork> } => {
    const key = `${ref.sha256} ${ref.shipped ?? ref.path}`;
    return {
      key,
      value: nets.acquire(key, async () => {
        const path = await checkFileRef(ref, what);
        const net = await loadCheckpoint(path);
        ctx.log(`loaded ${what} ${path} (SHA-256 ${ref.sha256.slice(0, 12)}); kept while jobs for it arrive`);
        return net;
      }),
    };
  };

  /** Samples the job's seeds; `onBatch` receives each batch. */
  const sample = async (data: JobData, signal: AbortSignal, onBatch: Parameters<typeof generateImages>[2]['onBatch']) => {
    const netHandle = network(data.sample.net, '--net');
    const guideHandle = data.sample.guide ? network(data.sample.guide, '--guide') : undefined;
    try {
      const net = await netHandle.value;
      const guide = await guideHandle?.value;
      const choice = samplerFromWire(data.sample, data.sample.guide && localPath(data.sample.guide));
      const classIndex = data.kind === 'generate' ? data.sample.classIndex : undefined;
      checkSampling(data.sample.net.path, net, guide, choice, classIndex);
      const images = await generateImages(sampledDenoiser(net, guide, choice), data.seeds, {
        sampler: choice.sampler, settings: choice.settings, classIndex, batch: data.sample.batch, signal, onBatch,
      });
      return { images, labelDim: net.labelDim };
    } finally {
      nets.release(netHandle.key);
      if (guideHandle) nets.release(guideHandle.key);
    }
  };

  const runGenerate = async (job: Job, data: GenerateJobData, signal: AbortSignal): Promise<number> => {
    let done = 0;
    await sample(data, signal, (imgs, seeds) => {
      imgs.forEach((img, i) => writeFileAtomic(join(data.outdir, seedImageName(seeds[i]!, data.subdirs)), encodePng(img)));
      done += imgs.length;
      // Progress is for the submitter's bar only: it must not hold the job while Redis is away.
      job.updateProgress(done).catch(() => {});
    });
    return done;
  };

  const runMetrics = async (job: Job, data: MetricsJobData, signal: AbortSignal, jobCtx: CommandContext): Promise<number> => {
    const spec = data.detector;
    const key = `${spec.hash} ${spec.file.shipped ?? spec.file.path}`;
    const detectorValue = detectors.acquire(key, async () => {
      const path = await checkFileRef(spec.file, '--detector');
      const d = await loadDetector(spec.kind === 'mnist' ? { kind: 'mnist', file: path } : { kind: 'inception', file: path });
      ctx.log(`loaded detector ${d.name} from ${path}; kept while jobs for it arrive`);
      return d;
    });
    try {
      const detector = await detectorValue;
      if (detector.hash !== spec.hash) {
        throw new CliError(`refused: the detector ${spec.file.path} on this worker has weights ${detector.hash.slice(0, 12)}, the submitter's ${spec.hash.slice(0, 12)}`);
      }
      let done = 0;
      const { images, labelDim } = await sample(data, signal, (imgs) => {
        done += imgs.length;
        job.updateProgress(done).catch(() => {});
      });
      const labels = labelDim > 0 ? Int32Array.from(data.seeds, (s) => s % labelDim) : null;
      const judged = imagesOf(images, labels, `job ${job.id}`);
      const features = await featuresOf(detector, judged, spec.batch, jobCtx, true);
      const count = data.seeds.length;
      const probs = data.want.probs
        ? detector instanceof MnistJudge ? (await detector.judge(judged.pixels)).probs : null : null;
      if (data.want.probs && !probs) throw new UsageError('--metrics accuracy needs the MNIST digit judge (--detector mnist)');
      const bytes = encodeShardResult({
        count,
        moments: data.want.moments ? featureMoments(features, detector.featureDim, `job ${job.id}`) : null,
        features: data.want.features ? features : null,
        probs,
      }, detector.featureDim);
      await link.client.set(resultKey(job.id!), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', RESULT_TTL_SECONDS);
      return count;
    } finally {
      detectors.release(key);
    }
  };

  const processor = async (job: Job, token?: string): Promise<JobResult> => {
    const t0 = performance.now();
    const controller = new AbortController();
    inHand.set(job.id!, controller);
    let data: JobData;
    try {
      data = checkJobData(job.data, job.id!);
    } catch (e) {
      inHand.delete(job.id!);
      throw new UnrecoverableError(`${me}: ${errorMessage(e)}`);
    }
    ctx.log(`took job ${job.id} (${data.kind}, seeds ${seedsText(data.seeds)}, attempt ${job.attemptsStarted})`);
    const jobCtx: CommandContext = { ...ctx, signal: controller.signal };
    try {
      const images = data.kind === 'generate' ? await runGenerate(job, data, controller.signal) : await runMetrics(job, data, controller.signal, jobCtx);
      const seconds = (performance.now() - t0) / 1000;
      ctx.log(`finished job ${job.id}: ${images} images in ${seconds.toFixed(1)} s (${(images / seconds).toFixed(2)} img/s)`);
      return { worker: me, images, seconds, ...(data.kind === 'metrics' && { resultKey: resultKey(job.id!) }) };
    } catch (e) {
      if (interrupted && controller.signal.aborted) {
        // Ctrl-C: the job goes back to the queue at once (not after its lock expires), unharmed.
        await job.moveToWait(token);
        ctx.log(`handed job ${job.id} back to the queue`);
        throw new WaitingError();
      }
      const msg = `${me}: ${errorMessage(e)}`;
      ctx.log(`job ${job.id} failed: ${errorMessage(e)}`);
      // A bad command line will not get better on another attempt; a missing or different file might (another worker).
      throw e instanceof UsageError ? new UnrecoverableError(msg) : new Error(msg);
    } finally {
      inHand.delete(job.id!);
    }
  };

  const lockMs = settings.lockSeconds * 1000;
  const worker = new Worker(QUEUE_NAME, processor, {
    connection: link.connection('jobs'),
    concurrency: settings.concurrency,
    lockDuration: lockMs,
    stalledInterval: Math.max(1000, lockMs / 2),
    // A job whose worker dies a third time is reported rather than retried for ever.
    maxStalledCount: 2,
    name: me,
    autorun: false,
  });
  const lostJobs = new Set<string>();
  worker.on('error', (e) => {
    link.health.error(e);
    const msg = errorMessage(e);
    const lost = /(?:Missing (?:key|lock) for job|could not renew lock for job) (\S+?)\.?(?:\s|$)/i.exec(msg);
    if (lost) {
      // Said once per job (BullMQ reports each of its later steps on that job too).
      if (!lostJobs.has(lost[1]!)) {
        lostJobs.add(lost[1]!);
        ctx.log(`job ${lost[1]} left Redis while this worker held it (Redis restarted, or its lock expired); the submitter queues it again`);
      }
    } else if (!link.health.down && !/ECONNREFUSED|ECONNRESET|Connection is closed/i.test(msg)) {
      ctx.log(`queue: ${msg}`);
    }
  });
  ctx.log(`worker ${me} (${engine}): taking jobs from ${settings.address.display} (queue '${QUEUE_NAME}', ` +
    `${settings.concurrency} at a time, lock ${settings.lockSeconds} s); SIGTERM finishes the jobs in hand, Ctrl-C hands them back`);
  const running = worker.run();

  const stopped = new Promise<string>((resolveStop) => {
    const onAbort = () => resolveStop(errorMessage(ctx.signal.reason));
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  const reason = await Promise.race([stopped, running.then(() => 'the worker stopped')]);
  interrupted = !/SIGTERM/.test(reason);
  if (interrupted) {
    ctx.log(`${reason}: handing ${inHand.size} job(s) in hand back to the queue`);
    for (const c of inHand.values()) c.abort(new Error(reason));
  } else {
    ctx.log(`${reason}: finishing ${inHand.size} job(s) in hand, then exiting`);
  }
  await worker.close();
  await running.catch(() => {});
  await nets.disposeAll();
  await detectors.disposeAll();
  await link.close();
  if (interrupted) throw new InterruptedError('interrupted');
  ctx.log('stopped');
  return 0;
}
