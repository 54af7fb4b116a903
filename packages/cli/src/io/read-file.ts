// Reading input files: one message naming the path for a missing file, a folder, a symlink loop or an
// unreadable file; and files over 2 GiB (which readFileSync refuses with "File size is greater than 2 GiB",
// naming no file) read in parts of 1 GiB.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { constants } from 'node:buffer';
import type { ByteSource } from '@edm/models';
import { CliError } from '../command/errors';
import { errorCode, fsErrorReason } from './fs-errors';

/** Bytes read per call (Node reads at most 2 GiB - 1 at once). */
const PART = 1 << 30;

/**
 * The size of the input file `path`, or a CliError: `<what> 'path' not found` (missing, or a symbolic link to
 * nothing), `is a folder`, `is empty`, or the file-system reason (a symlink loop, permission denied).
 */
export function inputFileSize(path: string, what: string): number {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new CliError(`${what} '${path}' is a folder; expected a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (errorCode(e) === 'ENOENT') throw new CliError(`${what} '${path}' not found`);
    throw new CliError(`${what} '${path}': ${fsErrorReason(e)}`);
  }
  if (size === 0) throw new CliError(`${what} '${path}' is empty`);
  return size;
}

/**
 * Reads `length` bytes at `position` of an open file into `out` at `offset`, in reads of at most `part` bytes,
 * or throws naming `path`.
 */
export function readAt(fd: number, path: string, out: Uint8Array, offset: number, length: number, position: number, part = PART): void {
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = readSync(fd, out, offset + done, Math.min(part, length - done), position + done);
    } catch (e) {
      throw new CliError(`${path}: ${fsErrorReason(e)}`);
    }
    if (n === 0) throw new CliError(`${path}: the file ended at byte ${position + done} while reading (did it change meanwhile?)`);
    done += n;
  }
}

/** Reads a whole open file into one array, in parts of `part` bytes; a file too large for one array is refused by name. */
export function readOpenFile(fd: number, path: string, part = PART): Uint8Array {
  const size = fstatSync(fd).size;
  if (size > constants.MAX_LENGTH) {
    throw new CliError(`${path}: ${(size / 2 ** 30).toFixed(2)} GiB, more than one array can hold in this Node (${(constants.MAX_LENGTH / 2 ** 30).toFixed(0)} GiB)`);
  }
  const out = new Uint8Array(size);
  readAt(fd, path, out, 0, size, 0, part);
  return out;
}

/** Opens `path` for reading, or a CliError naming it and the reason. */
export function openInput(path: string, what: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    if (errorCode(e) === 'ENOENT') throw new CliError(`${what} '${path}' not found`);
    throw new CliError(`${what} '${path}': ${fsErrorReason(e)}`);
  }
}

/** Reads the whole input file `path` (checked by {@link inputFileSize}), in parts. */
export function readInputFile(path: string, what: string): Uint8Array {
  inputFileSize(path, what);
  const fd = openInput(path, what);
  try {
    return readOpenFile(fd, path);
  } finally {
    closeSync(fd);
  }
}

/** A ByteSource over an open file (for the converter and the zip reader): each read a positioned read. */
export function fileSource(fd: number, path: string): ByteSource {
  const byteLength = fstatSync(fd).size;
  return {
    byteLength,
    read(offset, length) {
      const out = new Uint8Array(length);
      readAt(fd, path, out, 0, length, offset);
      return out;
    },
  };
}
