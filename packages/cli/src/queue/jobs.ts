// What travels through the queue: one job per seed range of a request (`edm generate --queue` or `edm metrics
// --queue`), each naming the files it needs by path and SHA-256 (a worker whose file differs refuses the job),
// and what a worker hands back. Job data is JSON (BullMQ stores it so); sampler settings may be infinite
// (--s-max inf), which JSON cannot hold, so numbers that are not finite travel as {"number": "Infinity"}.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { SAMPLER_NAMES, type SamplerName } from '@edm/core';
import { CliError, errorMessage } from '../command/errors';
import { fsErrorMessage } from '../io/fs-errors';
import { shippedPath } from '../net/default-model';
import type { SamplerChoice } from '../sample/options';

/** The BullMQ queue every worker takes jobs from. */
export const QUEUE_NAME = 'edm';

/** A file a job needs, as the submitter saw it. */
export interface FileRef {
  /** Absolute path on the submitter (a shared file system: the same on every worker). */
  path: string;
  /** SHA-256 of its bytes, hex. */
  sha256: string;
  /** Set when the file is one the CLI ships (models/NAME): each worker uses its own copy (same hash). */
  shipped?: string;
}

/** How the images of a request are sampled: the same on every worker. */
export interface SampleSpec {
  net: FileRef;
  /** Autoguidance's guide network. */
  guide?: FileRef;
  /** The sampler, its settings (table keys, wire-encoded: toWire) and guidance weights, as samplerChoice made them. */
  sampler: { name: string; settings: Record<string, unknown>; cfg?: number; guidance?: number };
  /** Class of every image (generate's --class); absent: seed mod classes. */
  classIndex?: number;
  /** Largest sampling batch. */
  batch: number;
}

/** A seed range of `edm generate --queue`: PNGs into `outdir`. */
export interface GenerateJobData {
  kind: 'generate';
  request: string;
  seeds: number[];
  sample: SampleSpec;
  /** Absolute output folder (shared by every worker). */
  outdir: string;
  subdirs: boolean;
}

/** A seed range of `edm metrics --queue`: the samples' features, reduced to what the requested metrics need. */
export interface MetricsJobData {
  kind: 'metrics';
  request: string;
  seeds: number[];
  sample: SampleSpec;
  detector: {
    kind: 'mnist' | 'inception';
    file: FileRef;
    /** The detector's own weights hash (what reference statistics record). */
    hash: string;
    batch?: number;
  };
  /** moments: count, mean, M2 (FID); features: every row (KID, precision/recall); probs: class probabilities (accuracy). */
  want: { moments: boolean; features: boolean; probs: boolean };
}

export type JobData = GenerateJobData | MetricsJobData;

/** What a worker returns for a job (BullMQ's returnvalue; small: shard results go to `resultKey`). */
export interface JobResult {
  /** The worker, as host:pid. */
  worker: string;
  /** Images made. */
  images: number;
  seconds: number;
  /** Redis key of a metrics shard's result (safetensors bytes, src/queue/shard-result.ts). */
  resultKey?: string;
}

/** A fresh id for a request: time and randomness (job ids are `<request>-<index>-<generation>`). */
export function newRequestId(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Splits `seeds` (in order) into runs of at most `perJob`. */
export function splitSeeds(seeds: readonly number[], perJob: number): number[][] {
  if (!Number.isInteger(perJob) || perJob < 1) throw new Error(`splitSeeds: perJob must be a positive integer, got ${perJob}`);
  const out: number[][] = [];
  for (let i = 0; i < seeds.length; i += perJob) out.push(seeds.slice(i, i + perJob));
  return out;
}

/** Seeds in words: `0-7`, `3, 9, 12-15` (consecutive runs joined), for messages. */
export function seedsText(seeds: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seeds.length;) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j]! + 1) j++;
    parts.push(j > i ? `${seeds[i]}-${seeds[j]}` : String(seeds[i]));
    i = j + 1;
  }
  return parts.join(', ');
}

/** Option values for JSON: numbers that are not finite become {number: 'Infinity' | '-Infinity' | 'NaN'}. */
export function toWire(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'number' && !Number.isFinite(v) ? { number: String(v) } : v;
  }
  return out;
}

/** The inverse of toWire. */
export function fromWire(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const n = v && typeof v === 'object' && 'number' in v ? (v as { number: unknown }).number : undefined;
    out[k] = typeof n === 'string' && ['Infinity', '-Infinity', 'NaN'].includes(n) ? Number(n) : v;
  }
  return out;
}

/** SHA-256 of a file, read in a stream (a large checkpoint does not stop the event loop), hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (e) {
    throw new CliError(fsErrorMessage(e, path));
  }
  return hash.digest('hex');
}

/** The FileRef of `path` (made absolute; a file the CLI ships is marked so workers use their own copy). */
export async function fileRef(path: string): Promise<FileRef> {
  const abs = resolve(path);
  const name = basename(abs);
  return { path: abs, sha256: await sha256File(abs), ...(abs === shippedPath(name) && { shipped: name }) };
}

/** Where this worker finds a job's file. */
export function localPath(ref: FileRef): string {
  return ref.shipped ? shippedPath(ref.shipped) : ref.path;
}

/**
 * Checks that this worker's copy of `ref` has the submitter's bytes; throws naming the file, both hashes and
 * `what` (e.g. '--net') otherwise. Returns the local path.
 */
export async function checkFileRef(ref: FileRef, what: string): Promise<string> {
  const path = localPath(ref);
  let sha: string;
  try {
    sha = await sha256File(path);
  } catch (e) {
    throw new CliError(`${what} ${path}: ${errorMessage(e)} on this worker (the submitter read it: the folder must be shared)`);
  }
  if (sha !== ref.sha256) {
    throw new CliError(`refused: ${what} ${path} on this worker has SHA-256 ${sha.slice(0, 16)}..., the submitter's has ` +
      `${ref.sha256.slice(0, 16)}...: the file differs (copy the same file to every machine, or use a shared folder)`);
  }
  return path;
}

/** Reads job data from Redis with the checks a worker needs before trusting it (throws naming the problem). */
export function checkJobData(data: unknown, id: string): JobData {
  const bad = (why: string) => new CliError(`job ${id}: ${why} (made by another edm version?)`);
  if (!data || typeof data !== 'object') throw bad('no job data');
  const d = data as {
    kind?: unknown; seeds?: unknown[]; sample?: Partial<SampleSpec>; outdir?: unknown; subdirs?: unknown;
    detector?: Partial<MetricsJobData['detector']>; want?: unknown;
  };
  if (d.kind !== 'generate' && d.kind !== 'metrics') throw bad(`unknown kind ${JSON.stringify(d.kind)}`);
  if (!Array.isArray(d.seeds) || d.seeds.length === 0 || !d.seeds.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 0 && s <= 0xffffffff)) {
    throw bad('seeds must be a non-empty list of integers 0 to 4294967295');
  }
  const s = d.sample;
  const isRef = (r: unknown): r is FileRef => !!r && typeof (r as FileRef).path === 'string' && typeof (r as FileRef).sha256 === 'string';
  if (!s || !isRef(s.net) || (s.guide !== undefined && !isRef(s.guide)) || typeof s.sampler?.name !== 'string' ||
    typeof s.sampler.settings !== 'object' || (s.guide !== undefined) !== (typeof s.sampler.guidance === 'number') ||
    typeof s.batch !== 'number' || !Number.isInteger(s.batch) || s.batch < 1 || s.batch > 4096) {
    throw bad('sample spec malformed');
  }
  if (d.kind === 'generate' && (typeof d.outdir !== 'string' || typeof d.subdirs !== 'boolean')) throw bad('outdir malformed');
  if (d.kind === 'metrics' && (!d.detector || !isRef(d.detector.file) || typeof d.detector.hash !== 'string' || !d.want)) {
    throw bad('detector malformed');
  }
  return data as JobData;
}

/** The sampler part of a SampleSpec for `choice` (the guide's file travels as a FileRef beside it). */
export function samplerToWire(choice: SamplerChoice): SampleSpec['sampler'] {
  return {
    name: choice.sampler, settings: toWire(choice.settings),
    ...(choice.cfg !== undefined && { cfg: choice.cfg }), ...(choice.guide && { guidance: choice.guide.weight }),
  };
}

/** The SamplerChoice a job asks for, with the guide at `guidePath` on this worker. */
export function samplerFromWire(sample: SampleSpec, guidePath: string | undefined): SamplerChoice {
  const { name, settings, cfg, guidance } = sample.sampler;
  if (!(SAMPLER_NAMES as readonly string[]).includes(name)) throw new CliError(`unknown sampler '${name}' (made by another edm version?)`);
  return {
    sampler: name as SamplerName, settings: fromWire(settings),
    ...(cfg !== undefined && { cfg }), ...(guidePath !== undefined && guidance !== undefined && { guide: { path: guidePath, weight: guidance } }),
  };
}
