// Atomic file writes: the bytes go to a temporary name in the same folder, are flushed to disk, then renamed
// over the target. A reader (or a resumed run after a kill) sees the old file or the new one, never half of one.
// Temporary files and folders are removed on any error, and at exit (a second Ctrl-C exits at once).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsError } from './fs-errors';

/** Temporary files start with this prefix (a crash may leave one behind; it is never read). */
export const TEMP_PREFIX = '.edm-tmp-';

/** A temporary name for `path`, in its folder: `.edm-tmp-<pid>-<random>-<name>`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `${TEMP_PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 8)}-${basename(path)}`);
}

/** Temporary paths to remove if the process exits before they are renamed or removed. */
const pending = new Set<string>();
let exitHookInstalled = false;

/**
 * Removes `path` (a temporary file or folder) when the process exits, unless the returned function is called
 * first (after the rename, or after removing it).
 */
export function removeOnExit(path: string): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const p of pending) rmSync(p, { recursive: true, force: true });
    });
  }
  pending.add(path);
  return () => pending.delete(path);
}

/**
 * Writes `data` to `path` atomically (creating the folder), replacing any existing file. A file-system error
 * (disk full, read-only, ...) becomes a CliError naming `path`.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = tempPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const forget = removeOnExit(tmp);
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(tmp, 'w');
    try {
      let off = 0;
      while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fsError(e, path);
  } finally {
    forget();
  }
}
