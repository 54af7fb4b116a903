// `edm generate --queue URL`: the seeds split into jobs for `edm worker`s, which write one PNG per seed into the
// shared --outdir; the submitter waits for all of them with one progress bar, checks that every seed's PNG is
// there, labels the folder (dataset.json, as edm generate does for a conditional network) and draws --grid from
// the files. The bytes are edm generate's: seed s gives the same image in any batch (per-seed noise).
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandContext } from '../command/define';
import { CliError, UsageError } from '../command/errors';
import { int } from '../command/options';
import { mergeFolderLabels } from '../data/layout';
import { writeFileAtomic } from '../io/atomic';
import { makeGrid } from '../io/grid';
import { decodePng, encodePng } from '../io/png';
import { seedImageName } from '../io/seeds';
import { readCheckpointHeader } from '../net/checkpoint';
import { checkSampling } from '../sample/guided';
import type { SamplerChoice } from '../sample/options';
import { fileRef, samplerToWire, seedsText, splitSeeds, type GenerateJobData, type SampleSpec } from './jobs';
import { queueOption, RedisLink, type QueueAddress } from './redis';
import { runQueued, type FailedShard } from './submit';

/** The options of a queued request, for the tables of edm generate and edm metrics. */
export function submitOptions(jobSeedsDefault: string) {
  return {
    queue: queueOption("Shard the request over the 'edm worker's of this queue (BullMQ on Redis)"),
    jobSeeds: int({ help: 'Seeds per job (with --queue)', min: 1, max: 100000, showDefault: jobSeedsDefault }),
    attempts: int({ help: 'Tries per job before it is reported as failed (with --queue)', min: 1, max: 100, showDefault: '3' }),
  };
}

/** Tries per job by default. */
export const DEFAULT_ATTEMPTS = 3;

/** Refuses --job-seeds and --attempts without --queue. */
export function checkSubmitOptions(o: { queue?: QueueAddress; jobSeeds?: number; attempts?: number }): void {
  if (o.queue) return;
  if (o.jobSeeds !== undefined) throw new UsageError('--job-seeds needs --queue URL');
  if (o.attempts !== undefined) throw new UsageError('--attempts needs --queue URL');
}

/** The SampleSpec of a request, after checking the choices against the checkpoints' headers. */
export async function sampleSpec(netPath: string, choice: SamplerChoice, batch: number, classIndex?: number): Promise<{ spec: SampleSpec; labelDim: number }> {
  const net = readCheckpointHeader(netPath).images;
  const guide = choice.guide ? readCheckpointHeader(choice.guide.path).images : undefined;
  checkSampling(netPath, net, guide, choice, classIndex);
  const spec: SampleSpec = {
    net: await fileRef(netPath),
    ...(choice.guide && { guide: await fileRef(choice.guide.path) }),
    sampler: samplerToWire(choice),
    ...(classIndex !== undefined && { classIndex }),
    batch,
  };
  return { spec, labelDim: net.labelDim };
}

/** The error for shards that failed every attempt: each one's seeds and reason. */
export function failedShardsError(failed: readonly FailedShard[], total: number): CliError {
  const n = failed.reduce((a, f) => a + f.seeds.length, 0);
  const lines = failed.map((f) => `  seeds ${seedsText(f.seeds)}: ${f.reason}`);
  return new CliError(`${n} of ${total} seeds failed (their jobs failed every attempt):\n${lines.join('\n')}`);
}

/** What edm generate parsed, for the queued form. */
export interface QueuedGenerate {
  queue: QueueAddress;
  netPath: string;
  choice: SamplerChoice;
  seeds: number[];
  outdir?: string;
  subdirs: boolean;
  grid?: string;
  classIndex?: number;
  batch: number;
  jobSeeds?: number;
  attempts?: number;
}

/** Runs `edm generate --queue`; every check edm generate makes before sampling has been made. */
export async function generateQueued(o: QueuedGenerate, ctx: CommandContext): Promise<void> {
  if (!o.outdir) throw new UsageError('--queue needs --outdir DIR: a folder every worker can write (a shared or network file system)');
  const outdir = resolve(o.outdir);
  const { spec, labelDim } = await sampleSpec(o.netPath, o.choice, o.batch, o.classIndex);
  const shards: GenerateJobData[] = splitSeeds(o.seeds, o.jobSeeds ?? o.batch).map((seeds) => ({
    kind: 'generate', request: '', seeds, sample: spec, outdir, subdirs: o.subdirs,
  }));
  const link = new RedisLink(o.queue, ctx.log, 'submit');
  let outcome;
  try {
    outcome = await runQueued(link, shards, { attempts: o.attempts ?? DEFAULT_ATTEMPTS, label: 'generate' }, ctx);
  } finally {
    await link.close();
  }
  if (outcome.failed.length) throw failedShardsError(outcome.failed, o.seeds.length);
  // Every seed's PNG must be in the folder the submitter sees (a worker may have written to another mount).
  const missing = o.seeds.filter((s) => {
    try {
      return !statSync(join(outdir, seedImageName(s, o.subdirs))).isFile();
    } catch {
      return true;
    }
  });
  if (missing.length) {
    throw new CliError(`the workers reported ${missing.length} seed(s) done whose PNG is not in ${outdir} here: seeds ${seedsText(missing)} ` +
      '(is --outdir the same shared folder on every machine?)');
  }
  if (labelDim > 0) mergeFolderLabels(outdir, new Map(o.seeds.map((s) => [seedImageName(s, o.subdirs), o.classIndex ?? s % labelDim])));
  if (o.grid) {
    const images = o.seeds.map((s) => {
      const path = join(outdir, seedImageName(s, o.subdirs));
      return decodePng(new Uint8Array(readFileSync(path)), path);
    });
    writeFileAtomic(o.grid, encodePng(makeGrid(images)));
  }
  const n = o.seeds.length;
  ctx.out(`wrote ${n} PNGs in ${o.outdir}${o.grid ? ` and grid ${o.grid}` : ''} (${n} images by ${outcome.workers.size} worker(s) in ` +
    `${outcome.jobs} jobs, ${outcome.seconds.toFixed(1)} s, ${(n / outcome.seconds).toFixed(2)} img/s)`);
}
