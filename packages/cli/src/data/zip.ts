// Dataset zips read entry by entry. The central directory comes first (names, methods, declared sizes); an
// entry's declared size and compression ratio are checked before it is inflated, and inflating stops at its
// declared size: a 1 MiB zip holding a 1 GiB entry, or a ZIP64 entry claiming 3 GiB, is refused before any
// memory is spent on it, and an entry that lies about its size stops where the lie shows.
import { closeSync } from 'node:fs';
import { Inflate } from 'fflate';
import { readZipDirectory, zipEntryDataOffset, type ByteSource, type ZipDirectoryEntry } from '@edm/models';
import { CliError, errorMessage } from '../command/errors';
import { fileSource, openInput } from '../io/read-file';

/** Largest file read from a dataset (zip entry or folder file): far above any 100-megapixel PNG or JPEG. */
export const MAX_DATASET_FILE = 256 << 20;
/** Largest compression ratio of an entry over 1 MiB (PNG and JPEG barely compress; labels JSON about 20:1). */
export const MAX_ZIP_RATIO = 200;
/** Compressed bytes inflated at once (deflate's ratio is at most about 1032:1, so at most ~16 MiB out). */
const INFLATE_CHUNK = 16 << 10;

/** An open dataset zip: its entries by name, read one at a time. */
export interface DatasetZip {
  /** Entries that are files (not folders), by name. */
  entries: Map<string, ZipDirectoryEntry>;
  /** The entry's bytes, inflated; throws a CliError naming the zip and the entry (limits, damage). */
  read(name: string): Uint8Array;
  close(): void;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(n < 2 ** 20 ? 3 : 1)} MiB`;

/** Refuses an entry whose declared size or ratio is past the limits (before anything is inflated). */
export function checkZipEntry(path: string, e: ZipDirectoryEntry): void {
  const where = `${path}: ${e.name}`;
  if (e.flags & 1) throw new CliError(`${where}: the entry is encrypted`);
  if (e.method !== 0 && e.method !== 8) throw new CliError(`${where}: compression method ${e.method} is not supported (stored or deflate)`);
  if (e.size > MAX_DATASET_FILE) {
    throw new CliError(`${where}: declares ${mib(e.size)} uncompressed, more than the ${mib(MAX_DATASET_FILE)} limit for one image file: refusing`);
  }
  const ratio = e.size / Math.max(1, e.compressedSize);
  if (e.size > 1 << 20 && ratio > MAX_ZIP_RATIO) {
    throw new CliError(`${where}: compression ratio ${ratio.toFixed(0)}:1 (${mib(e.size)} from ${mib(e.compressedSize)}), ` +
      `more than ${MAX_ZIP_RATIO}:1: a zip bomb? refusing`);
  }
  if (e.method === 0 && e.compressedSize !== e.size) throw new CliError(`${where}: stored entry of ${e.compressedSize} bytes declares ${e.size}`);
}

/** Inflates (or copies) one entry, never past its declared size. */
function readEntry(source: ByteSource, path: string, e: ZipDirectoryEntry): Uint8Array {
  checkZipEntry(path, e);
  const where = `${path}: ${e.name}`;
  let offset: number;
  try {
    offset = zipEntryDataOffset(source, e, path);
  } catch (err) {
    throw new CliError(errorMessage(err));
  }
  if (e.method === 0) return source.read(offset, e.size);
  const out = new Uint8Array(e.size);
  let at = 0;
  const inflater = new Inflate((chunk) => {
    if (at + chunk.length > e.size) {
      throw new CliError(`${where}: inflates past its declared ${e.size} bytes: a zip bomb or a damaged zip; refusing`);
    }
    out.set(chunk, at);
    at += chunk.length;
  });
  try {
    for (let done = 0; done < e.compressedSize; done += INFLATE_CHUNK) {
      const n = Math.min(INFLATE_CHUNK, e.compressedSize - done);
      inflater.push(source.read(offset + done, n), done + n >= e.compressedSize);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${where}: damaged compressed data (${errorMessage(err)})`);
  }
  if (at !== e.size) throw new CliError(`${where}: inflates to ${at} bytes, not the declared ${e.size} (a damaged zip)`);
  return out;
}

/** Opens a dataset zip and reads its central directory (nothing is inflated yet). */
export function openDatasetZip(path: string): DatasetZip {
  const fd = openInput(path, 'dataset');
  try {
    const source = fileSource(fd, path);
    let directory: ZipDirectoryEntry[];
    try {
      directory = readZipDirectory(source, path);
    } catch (e) {
      throw new CliError(`${path}: not a readable zip file (${errorMessage(e)})`);
    }
    const entries = new Map(directory.filter((e) => !e.name.endsWith('/')).map((e) => [e.name, e]));
    return {
      entries,
      read: (name) => readEntry(source, path, entries.get(name)!),
      close: () => closeSync(fd),
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
