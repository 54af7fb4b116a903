// Output paths checked before the work that produces them: `generate --outdir` naming a file, `--grid` under a
// file, a read-only or missing destination, a symlink loop. Each gives one message naming the option and the
// path before any sampling or conversion starts, instead of a raw EEXIST/ENOTDIR after it.
import { closeSync, lstatSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError } from '../command/errors';
import { TEMP_PREFIX } from './atomic';
import { errorCode, fsErrorMessage, fsErrorReason } from './fs-errors';

/** The nearest folder that exists at or above `path` (checking each part is a folder). */
function nearestFolder(path: string, what: string): string {
  let p = resolve(path);
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = errorCode(e);
      if (code !== 'ENOENT') throw new CliError(`${what}: ${fsErrorMessage(e, p)}`);
      const up = dirname(p);
      if (up === p) throw new CliError(`${what}: ${fsErrorMessage(e, p)}`);
      p = up;
      continue;
    }
    if (!st.isDirectory()) throw new CliError(`${what}: ${p} is a file, so nothing can be created under it`);
    return p;
  }
}

/** Creates and removes a probe file in `folder`: the one check of writability that holds for every user. */
function probeWritable(folder: string, what: string): void {
  const probe = join(folder, `${TEMP_PREFIX}${process.pid}-probe`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
  } catch (e) {
    if (errorCode(e) === 'EEXIST') return; // our own probe, left by a crash: the folder is writable
    throw new CliError(`${what}: cannot write in ${folder}: ${fsErrorReason(e)}`);
  }
}

/** Refuses a symbolic link that leads nowhere (dangling, or a loop) at `path`. */
function refuseBrokenLink(path: string, what: string): void {
  let link;
  try {
    link = lstatSync(path);
  } catch {
    return; // nothing there
  }
  if (!link.isSymbolicLink()) return;
  try {
    statSync(path);
  } catch (e) {
    throw new CliError(`${what}: ${path} is a symbolic link that leads nowhere: ${fsErrorReason(e)}`);
  }
}

/**
 * Checks that a file can be written at `path` (replacing a file there): not a folder, its folder exists or can
 * be created (no part of the path is a file) and is writable. `what` names the option (`--grid`).
 */
export function checkOutputFile(path: string, what: string): void {
  refuseBrokenLink(path, what);
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${what}: ${path} is a folder; expected a file name`);
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
  probeWritable(nearestFolder(dirname(path), what), what);
}

/** Checks that files can be written in the folder `path` (existing or created): not a file, writable. */
export function checkOutputFolder(path: string, what: string): void {
  refuseBrokenLink(path, what);
  try {
    if (!statSync(path).isDirectory()) throw new CliError(`${what}: ${path} is a file; expected a folder`);
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
  probeWritable(nearestFolder(path, what), what);
}
