// The entries of a zip archive, read from its central directory over a ByteSource, without copying them.
// torch.save's zip format (PyTorch >= 1.6; `archive/data.pkl` + `archive/data/<key>`) stores every record
// uncompressed, so an entry is a byte range of the file and a 95 MB checkpoint is never copied; compressed
// entries are refused with the entry's name (a torch file re-zipped by another tool). ZIP64 records are
// followed (files or offsets past 4 GiB). Layout: PKWARE APPNOTE.TXT sections 4.3.7 (local header),
// 4.3.12 (central directory header), 4.3.14-16 (ZIP64 end records) and 4.5.3 (ZIP64 extra field).
// Browser-safe.

import type { ByteRange, ByteSource } from './byte-source';
import { PickleError } from './errors';

/** One stored entry: its name and the byte range of its data in the source. */
export interface ZipEntry {
  /** Name as recorded in the archive, e.g. `archive/data.pkl`. */
  name: string;
  /** The entry's data (uncompressed). */
  data: ByteRange;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;

/** True when the source starts like a zip archive (a local file header). */
export function isZipArchive(source: ByteSource): boolean {
  if (source.byteLength < 4) return false;
  const h = source.read(0, 4);
  return h[0] === 0x50 && h[1] === 0x4b && h[2] === 0x03 && h[3] === 0x04;
}

/** One entry of a zip archive's central directory, as recorded (nothing read or inflated yet). */
export interface ZipDirectoryEntry {
  /** Name as recorded in the archive, e.g. `archive/data.pkl`. */
  name: string;
  /** Compression method: 0 stored, 8 deflate, ... */
  method: number;
  /** General-purpose flags (bit 0: encrypted). */
  flags: number;
  /** Bytes the entry takes in the archive, and its declared uncompressed length. */
  compressedSize: number;
  size: number;
  /** Offset of its local header. */
  localOffset: number;
}

/** Largest central directory read (about 7 million entries with 50-character names). */
export const MAX_ZIP_DIRECTORY = 512 << 20;

/**
 * The archive's central directory, in order: names, methods and declared sizes, so a caller can refuse
 * an entry (by its size or compression ratio) before reading or inflating anything. Throws an Error naming
 * `label` for a missing or damaged end record, a directory outside the file or past
 * {@link MAX_ZIP_DIRECTORY}.
 */
export function readZipDirectory(source: ByteSource, label: string): ZipDirectoryEntry[] {
  const fail = (msg: string): never => {
    throw new Error(`${label}: zip archive: ${msg}`);
  };
  const size = source.byteLength;
  // The end record sits in the last 22 bytes plus a comment of at most 65535 bytes.
  const tailStart = Math.max(0, size - 22 - MAX16);
  const tail = source.read(tailStart, size - tailStart).slice();
  const tv = new DataView(tail.buffer);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) fail('no end of central directory record (truncated file?)');
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (count === MAX16 || cdSize === MAX32 || cdOffset === MAX32) {
    const loc = eocd - 20;
    if (loc < 0 || tv.getUint32(loc, true) !== ZIP64_LOCATOR) fail('ZIP64 end record locator missing');
    const at = Number(tv.getBigUint64(loc + 8, true));
    if (at + 56 > size) fail(`ZIP64 end record at offset ${at} lies beyond the file (${size} bytes)`);
    const rec = source.read(at, 56).slice();
    const rv = new DataView(rec.buffer);
    if (rv.getUint32(0, true) !== ZIP64_EOCD) fail(`no ZIP64 end record at offset ${at}`);
    count = Number(rv.getBigUint64(32, true));
    cdSize = Number(rv.getBigUint64(40, true));
    cdOffset = Number(rv.getBigUint64(48, true));
  }
  if (cdOffset + cdSize > size) fail(`central directory [${cdOffset}, ${cdOffset + cdSize}) lies beyond the file (${size} bytes; truncated?)`);
  if (cdSize > MAX_ZIP_DIRECTORY) fail(`central directory of ${cdSize} bytes is larger than ${MAX_ZIP_DIRECTORY} (the limit)`);
  const cd = source.read(cdOffset, cdSize).slice();
  const cv = new DataView(cd.buffer);
  const utf8 = new TextDecoder();
  const entries: ZipDirectoryEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cv.getUint32(p, true) !== CENTRAL) fail(`central directory entry ${n} is damaged`);
    const flags = cv.getUint16(p + 8, true);
    const method = cv.getUint16(p + 10, true);
    let compressedSize = cv.getUint32(p + 20, true);
    let length = cv.getUint32(p + 24, true);
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    let localOffset = cv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen > cd.length) fail(`central directory entry ${n} is damaged`);
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extended information: the 8-byte values of the fields saturated above, in this order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = cv.getUint16(e, true);
      const len = cv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (): number => {
          if (q + 8 > e + 4 + len) fail(`entry '${name}': ZIP64 extra field too short`);
          const v = Number(cv.getBigUint64(q, true));
          q += 8;
          return v;
        };
        if (length === MAX32) length = next();
        if (compressedSize === MAX32) compressedSize = next();
        if (localOffset === MAX32) localOffset = next();
      }
      e += 4 + len;
    }
    p += 46 + nameLen + extraLen + commentLen;
    entries.push({ name, method, flags, compressedSize, size: length, localOffset });
  }
  return entries;
}

/** Where an entry's (compressed) data starts, from its local header; throws naming `label` and the entry. */
export function zipEntryDataOffset(source: ByteSource, entry: ZipDirectoryEntry, label: string): number {
  const fail = (msg: string): never => {
    throw new Error(`${label}: zip archive: entry '${entry.name}': ${msg}`);
  };
  const size = source.byteLength;
  if (entry.localOffset + 30 > size) fail(`local header at offset ${entry.localOffset} lies beyond the file`);
  const lh = source.read(entry.localOffset, 30).slice();
  const lv = new DataView(lh.buffer);
  if (lv.getUint32(0, true) !== LOCAL) fail(`no local header at offset ${entry.localOffset}`);
  const offset = entry.localOffset + 30 + lv.getUint16(26, true) + lv.getUint16(28, true);
  if (offset + entry.compressedSize > size) {
    fail(`data [${offset}, ${offset + entry.compressedSize}) lies beyond the file (${size} bytes; truncated?)`);
  }
  return offset;
}

/**
 * The archive's entries in central-directory order, each stored (torch.save's records). Throws a
 * {@link PickleError} naming `label` for a missing or damaged end record, an entry outside the file, or a
 * compressed or encrypted entry.
 */
export function readZipEntries(source: ByteSource, label: string): ZipEntry[] {
  try {
    return readZipDirectory(source, label).map((entry) => {
      const { name, flags, method, compressedSize, size } = entry;
      if (flags & 1) throw new Error(`${label}: zip archive: entry '${name}' is encrypted`);
      if (method !== 0) throw new Error(`${label}: zip archive: entry '${name}' is compressed (method ${method}); torch.save stores its records uncompressed`);
      if (compressedSize !== size) throw new Error(`${label}: zip archive: entry '${name}': stored size ${compressedSize} differs from its length ${size}`);
      return { name, data: { source, offset: zipEntryDataOffset(source, entry, label), length: size } };
    });
  } catch (e) {
    throw e instanceof PickleError ? e : new PickleError((e as Error).message);
  }
}
