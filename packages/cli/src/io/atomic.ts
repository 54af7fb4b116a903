// Atomic file writes: the bytes go to a temporary name in the same folder, are flushed to disk, then renamed
// over the target. A reader (or a resumed run after a kill) sees the old file or the new one, never half of one.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Temporary files start with this prefix (a crash may leave one behind; it is never read). */
export const TEMP_PREFIX = '.edm-tmp-';

/** Writes `data` to `path` atomically (creating the folder), replacing any existing file. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${TEMP_PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 8)}-${basename(path)}`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
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
    throw e;
  }
}
