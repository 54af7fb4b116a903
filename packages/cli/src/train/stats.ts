// stats.jsonl: one JSON line per tick (kimg, loss mean/std over the tick, sec/kimg, images/s, learning rate,
// memory). On resume, lines after the resumed position are dropped first, so the file reads as one
// uninterrupted run. A line is appended whole or not at all (a failed append is cut back), and a torn line
// (a disk-full or killed write from before) is detected on resume, dropped with a warning naming the file,
// and cannot block the resume.
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic';
import { fsError } from '../io/fs-errors';

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
  /** At snapshots of a run with --metrics: the sample-quality figures (as `edm metrics --json` names them). */
  metrics?: Record<string, unknown>;
}

/** The lines of stats.jsonl that parse, and the ones that do not (1-based line numbers). */
export function readStatsLines(path: string): { stats: TickStats[]; bad: { line: number; text: string }[] } {
  if (!existsSync(path)) return { stats: [], bad: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw fsError(e, path);
  }
  const stats: TickStats[] = [];
  const bad: { line: number; text: string }[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const s = JSON.parse(line) as TickStats;
      if (s === null || typeof s !== 'object' || typeof s.step !== 'number') throw new Error('not a stats line');
      stats.push(s);
    } catch {
      bad.push({ line: i + 1, text: line });
    }
  });
  return { stats, bad };
}

/** Reads stats.jsonl lines (for tests and resume); lines that do not parse are left out. */
export function readStats(path: string): TickStats[] {
  return readStatsLines(path).stats;
}

/**
 * Keeps only lines with step <= `step` (rewritten atomically). Lines that do not parse (a torn last line
 * after a disk-full or killed write) are dropped; `warn` receives one message naming the file and the lines.
 */
export function truncateStats(path: string, step: number, warn: (message: string) => void = () => {}): void {
  const { stats, bad } = readStatsLines(path);
  if (bad.length) {
    const first = bad[0]!;
    const shown = first.text.length > 60 ? `${first.text.slice(0, 60)}...` : first.text;
    warn(`${path}: ${bad.length === 1 ? `line ${first.line} is` : `${bad.length} lines (from line ${first.line}) are`} ` +
      `not complete JSON (a write cut short by a full disk or a kill?): dropped ('${shown}')`);
  }
  writeFileAtomic(path, stats.filter((s) => s.step <= step).map((s) => JSON.stringify(s) + '\n').join(''));
}

/** Appends one line, whole or not at all: if the write fails (disk full), the file is cut back to before it. */
export function appendStats(path: string, s: TickStats): void {
  const line = Buffer.from(JSON.stringify(s) + '\n', 'utf8');
  let fd: number | undefined;
  let size = 0;
  try {
    fd = openSync(path, 'a');
    size = fstatSync(fd).size;
    let off = 0;
    while (off < line.length) off += writeSync(fd, line, off, line.length - off);
  } catch (e) {
    if (fd !== undefined) {
      try {
        ftruncateSync(fd, size);
      } catch {
        // the torn line stays; truncateStats drops it on resume
      }
    }
    throw fsError(e, path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
