// stats.jsonl: one JSON line per tick (kimg, loss mean/std over the tick, sec/kimg, images/s, learning rate,
// memory). On resume, lines after the resumed position are dropped first, so the file reads as one
// uninterrupted run.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic';
import { appendFileSync } from 'node:fs';

/** One tick's line. */
export interface TickStats {
  tick: number;
  /** Images seen at the end of the tick, in thousands. */
  kimg: number;
  /** Optimizer steps taken at the end of the tick. */
  step: number;
  /** Mean and standard deviation over the tick's steps of the batch-mean per-pixel loss. */
  loss: number;
  loss_std: number;
  /** Learning rate of the last step. */
  lr: number;
  sec_per_kimg: number;
  images_per_sec: number;
  /** Resident memory of the process and tensor memory of the engine, MiB. */
  rss_mib: number;
  tensor_mib: number;
  /** Live tensors of the engine (flat from tick to tick when nothing leaks). */
  tensors: number;
  timestamp: number;
}

/** Reads stats.jsonl lines (for tests and resume). */
export function readStats(path: string): TickStats[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as TickStats);
}

/** Keeps only lines with step <= `step` (rewritten atomically). */
export function truncateStats(path: string, step: number): void {
  const kept = readStats(path).filter((s) => s.step <= step);
  writeFileAtomic(path, kept.map((s) => JSON.stringify(s) + '\n').join(''));
}

/** Appends one line. */
export function appendStats(path: string, s: TickStats): void {
  appendFileSync(path, JSON.stringify(s) + '\n');
}
