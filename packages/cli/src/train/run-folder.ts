// A training run folder held by one process at a time: an exclusive lock file (`run.lock`: the owner's pid,
// host, start time and command), so a second `edm train` into the same folder, or a second `--resume` of it,
// is refused naming the first instead of interleaving stats and mixing files. A lock whose process is gone
// (killed, machine restarted) is stale and taken over. Also: the temporary files a killed run left there,
// removed once a resume holds the lock, and new run folders created without a race on their number.
// (Separate functions: EDM2 training and `edm metrics` use run folders too.)
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../command/errors';
import { TEMP_PREFIX, tempPathFor } from '../io/atomic';
import { errorCode, fsError } from '../io/fs-errors';

/** The lock file's name in a run folder. */
export const LOCK_FILE = 'run.lock';

/** What a lock file records. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
  /** The command line (`edm train ...`). */
  command: string;
}

/** A held lock. */
export interface RunLock {
  readonly path: string;
  /** Removes the lock file (if it is still ours). Also done at exit. */
  release(): void;
}

/** True if process `pid` runs on this machine (a process of another user counts). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return Number.isSafeInteger(o.pid) && typeof o.host === 'string' ? o : undefined;
  } catch {
    return undefined; // gone meanwhile, or not ours to read: treated as stale below
  }
}

/** Why `owner`'s lock is stale (its process is gone), or undefined when it may be live. */
function staleness(owner: LockOwner | undefined): string | undefined {
  if (!owner) return 'an unreadable lock file';
  if (owner.host !== hostname()) return undefined; // another machine's process cannot be checked
  if (owner.pid === process.pid) return undefined; // ours (taken twice in one process)
  return alive(owner.pid) ? undefined : `the lock of pid ${owner.pid}, which is no longer running`;
}

/**
 * Takes the exclusive lock of `runDir` (which must exist) for this process, or throws a CliError naming the
 * process that holds it. A stale lock is taken over; `warn` says so.
 */
export function acquireRunLock(runDir: string, warn: (message: string) => void = () => {}): RunLock {
  const path = join(runDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: ['edm', ...process.argv.slice(2)].join(' ') };
  const text = JSON.stringify(me) + '\n';
  // The lock appears whole: written under a temporary name, then hard-linked to its name (fails if it exists).
  const tmp = tempPathFor(path);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if (errorCode(e) !== 'EEXIST' || attempt >= 3) throw e;
      }
      const owner = readOwner(path);
      const why = staleness(owner);
      if (!why) {
        const o = owner!;
        throw new CliError(`${runDir} is in use by another run: ${o.command} (pid ${o.pid} on ${o.host}, since ${o.started}); ` +
          `wait for it to end or stop it${o.host === hostname() ? '' : ' (it runs on another machine: this one cannot check it)'}; ` +
          `if it is gone, delete ${path}`);
      }
      // Move the stale lock aside and make sure it is the one we judged (another process may have replaced it).
      const aside = tempPathFor(path);
      try {
        renameSync(path, aside);
      } catch (e) {
        if (errorCode(e) === 'ENOENT') continue; // someone else removed it: try again
        throw e;
      }
      const moved = readOwner(aside);
      if (owner && moved && (moved.pid !== owner.pid || moved.started !== owner.started)) {
        try {
          linkSync(aside, path); // a live lock taken meanwhile: put it back
        } finally {
          rmSync(aside, { force: true });
        }
        continue;
      }
      rmSync(aside, { force: true });
      warn(`${path}: took over ${why}${owner ? ` (${owner.command}, since ${owner.started})` : ''}`);
    }
  } catch (e) {
    throw fsError(e, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    const owner = readOwner(path);
    if (owner?.pid === me.pid && owner.started === me.started) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { path, release };
}

/**
 * Removes the temporary files (`.edm-tmp-*`) that another process left in `runDir` (a killed run's
 * half-written snapshot or state). Call it while holding the lock: no other process writes there then.
 * Returns their names.
 */
export function removeStaleTemps(runDir: string): string[] {
  const mine = `${TEMP_PREFIX}${process.pid}-`;
  const stale = readdirSync(runDir).filter((f) => f.startsWith(TEMP_PREFIX) && !f.startsWith(mine));
  for (const f of stale) rmSync(join(runDir, f), { recursive: true, force: true });
  return stale;
}

/**
 * Creates a new run folder `<outdir>/NNNNN-<desc>` with the next free number; two runs started together get
 * different numbers (the folder is created with mkdir, which fails for the second).
 */
export function createRunDir(outdir: string, desc: string): string {
  try {
    mkdirSync(outdir, { recursive: true });
  } catch (e) {
    throw fsError(e, outdir);
  }
  for (;;) {
    const dir = nextRunDir(outdir, desc);
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if (errorCode(e) !== 'EEXIST') throw fsError(e, dir);
    }
  }
}

/** The folder name `createRunDir` would use now (for --dry-run). */
export function nextRunDir(outdir: string, desc: string): string {
  let ids: number[] = [];
  try {
    ids = readdirSync(outdir).map((d) => /^(\d+)-/.exec(d)).filter((m) => m).map((m) => Number(m![1]));
  } catch {
    // no outdir yet
  }
  return join(outdir, `${String(Math.max(-1, ...ids) + 1).padStart(5, '0')}-${desc}`);
}
