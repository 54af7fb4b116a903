// The submitting side of a queued request: its jobs go into the BullMQ queue, then the submitter watches them
// until each is done or has failed for good, with one progress bar for the whole request.
//
// The submitter is the request's memory, Redis only carries it: a job Redis no longer knows (Redis restarted
// without its data) is queued again, and a completed job whose result is gone is too. Jobs failing are
// retried by BullMQ (`attempts`, exponential backoff); one that fails every attempt is reported with its seeds
// and the last reason, and the others still run to the end, so one run names every failing seed.
import { Queue, type Job } from 'bullmq';
import type { CommandContext } from '../command/define';
import { InterruptedError } from '../command/errors';
import { Progress } from '../io/progress';
import { QUEUE_NAME, newRequestId, seedsText, type JobData, type JobResult } from './jobs';
import type { RedisLink } from './redis';

/** A job that failed every attempt. */
export interface FailedShard {
  seeds: number[];
  reason: string;
}

/** Options of {@link runQueued}. */
export interface QueuedOptions {
  /** Tries per job (1: no retry). */
  attempts: number;
  /** Progress bar label ('generate', 'metrics'). */
  label: string;
  /**
   * Takes a completed job's result (index into the shards). Returns false when the result is gone (its Redis
   * key expired or Redis restarted): the job is queued again.
   */
  collect?: (index: number, result: JobResult, jobId: string) => Promise<boolean>;
  /** Seconds between looks at the jobs. Default 0.5. */
  pollSeconds?: number;
}

/** What became of a request. */
export interface QueuedOutcome {
  failed: FailedShard[];
  /** Workers (host:pid) that completed jobs. */
  workers: Set<string>;
  seconds: number;
  jobs: number;
}

/** Waits `ms`, or less when `signal` aborts. */
const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const done = () => {
    clearTimeout(t);
    signal.removeEventListener('abort', done);
    resolve();
  };
  const t = setTimeout(done, ms);
  signal.addEventListener('abort', done, { once: true });
});

/**
 * Queues one job per shard (`shards[i]` is its data, `request` filled in here), watches them to the end and
 * returns what failed. Ctrl-C removes the jobs not yet taken and throws InterruptedError.
 */
export async function runQueued(link: RedisLink, shards: JobData[], opts: QueuedOptions, ctx: CommandContext): Promise<QueuedOutcome> {
  const request = newRequestId();
  const t0 = performance.now();
  const total = shards.reduce((a, s) => a + s.seeds.length, 0);
  const queue = new Queue(QUEUE_NAME, {
    connection: link.connection('submit'),
    defaultJobOptions: {
      attempts: opts.attempts,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  queue.on('error', (e) => link.health.error(e));
  /** Job id of each shard: <request>-<index>-<generation> (a new generation when queued again). */
  const generation = shards.map(() => 0);
  const jobId = (i: number) => `${request}-${i}-${generation[i]}`;
  const pending = new Set(shards.map((_, i) => i));
  const partial = new Map<number, number>();
  const reported = new Map<number, number>(); // attempts whose failure was already printed
  const failed: FailedShard[] = [];
  const workers = new Set<string>();
  let doneImages = 0;
  const add = async (indices: number[]) => {
    for (let k = 0; k < indices.length; k += 500) {
      await queue.addBulk(indices.slice(k, k + 500).map((i) => ({
        name: shards[i]!.kind, data: { ...shards[i]!, request }, opts: { jobId: jobId(i) },
      })));
    }
  };
  const progress = new Progress({
    total, label: opts.label, stream: ctx.progressStream, isTTY: ctx.isTTY, format: (v) => v.toFixed(0), rate: (r) => `${r.toFixed(2)} img/s`,
  });
  try {
    await add([...pending]);
    const connected = await queue.getWorkersCount();
    ctx.log(`queued ${shards.length} jobs (${total} seeds) as request ${request} on ${link.address.display}; ` +
      (connected > 0 ? `${connected} worker(s) connected` : "no worker is connected yet: start 'edm worker --queue URL' where the files are"));
    let lastLine = 0;
    while (pending.size > 0) {
      if (ctx.signal.aborted) break;
      const indices = [...pending];
      const states = await Promise.all(indices.map((i) => queue.getJobState(jobId(i))));
      for (const [k, i] of indices.entries()) {
        const state = states[k]!;
        const id = jobId(i);
        const seeds = shards[i]!.seeds;
        if (state === 'unknown') {
          ctx.log(`job ${id} (seeds ${seedsText(seeds)}) is no longer in Redis (restarted without its data?): queued again`);
          generation[i]!++;
          partial.delete(i);
          await add([i]);
          continue;
        }
        if (state !== 'completed' && state !== 'failed' && state !== 'active' && state !== 'delayed') continue;
        const job: Job | undefined = await queue.getJob(id);
        if (!job) continue; // gone between the two looks: the next look queues it again
        if (state === 'completed') {
          const result = job.returnvalue as JobResult;
          if (opts.collect && !(await opts.collect(i, result, id))) {
            ctx.log(`job ${id} (seeds ${seedsText(seeds)}) finished but its result is gone from Redis: queued again`);
            generation[i]!++;
            await add([i]);
            continue;
          }
          pending.delete(i);
          partial.delete(i);
          doneImages += seeds.length;
          if (result?.worker) workers.add(result.worker);
          await job.remove().catch(() => {});
        } else if (state === 'failed') {
          pending.delete(i);
          partial.delete(i);
          const reason = job.failedReason || 'no reason recorded';
          failed.push({ seeds, reason });
          ctx.log(`job ${id} (seeds ${seedsText(seeds)}) failed after ${job.attemptsMade} attempt(s): ${reason}`);
        } else if (state === 'delayed') {
          // Waiting to be tried again after a failed attempt: say why, once per attempt.
          if (job.failedReason && reported.get(i) !== job.attemptsMade) {
            reported.set(i, job.attemptsMade);
            ctx.log(`job ${id} (seeds ${seedsText(seeds)}): attempt ${job.attemptsMade} of ${opts.attempts} failed: ${job.failedReason}; trying again`);
          }
        } else if (typeof job.progress === 'number') {
          partial.set(i, Math.min(job.progress, seeds.length));
        }
      }
      const inFlight = [...partial.values()].reduce((a, b) => a + b, 0);
      progress.update(doneImages + inFlight, { jobs: `${shards.length - pending.size}/${shards.length}` }, true);
      if (!ctx.isTTY && (performance.now() - lastLine > 5000 || pending.size === 0)) {
        lastLine = performance.now();
        progress.line(`${opts.label}: ${doneImages}/${total} images done (${shards.length - pending.size}/${shards.length} jobs)`);
      }
      if (pending.size > 0) await sleep((opts.pollSeconds ?? 0.5) * 1000, ctx.signal);
    }
    progress.finish();
    if (ctx.signal.aborted) {
      let removed = 0;
      for (const i of pending) {
        try {
          const job = await queue.getJob(jobId(i));
          if (job && (await job.getState()) !== 'active') {
            await job.remove();
            removed++;
          }
        } catch { /* taken meanwhile: it finishes on its worker */ }
      }
      throw new InterruptedError(`interrupted: ${removed} job(s) not yet taken were removed from the queue; ` +
        `${pending.size - removed} in progress finish on their workers`);
    }
    return { failed, workers, seconds: (performance.now() - t0) / 1000, jobs: shards.length };
  } finally {
    progress.finish();
    await queue.close().catch(() => {});
  }
}
