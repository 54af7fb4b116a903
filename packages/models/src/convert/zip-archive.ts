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

/**
 * The archive's entries in central-directory order. Throws a {@link PickleError} naming `label` for a
 * missing or damaged end record, an entry outside the file, or a compressed or encrypted entry.
 */
export function readZipEntries(source: ByteSource, label: string): ZipEntry[] {
  const fail = (msg: string): never => {
    throw new PickleError(`${label}: zip archive: ${msg}`);
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
  const cd = source.read(cdOffset, cdSize).slice();
  const cv = new DataView(cd.buffer);
  const utf8 = new TextDecoder();
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cv.getUint32(p, true) !== CENTRAL) fail(`central directory entry ${n} is damaged`);
    const flags = cv.getUint16(p + 8, true);
    const method = cv.getUint16(p + 10, true);
    let compressed = cv.getUint32(p + 20, true);
    let length = cv.getUint32(p + 24, true);
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    let local = cv.getUint32(p + 42, true);
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extended information: the 8-byte values of the fields saturated above, in this order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = cv.getUint16(e, true);
      const len = cv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (): number => { const v = Number(cv.getBigUint64(q, true)); q += 8; return v; };
        if (length === MAX32) length = next();
        if (compressed === MAX32) compressed = next();
        if (local === MAX32) local = next();
      }
      e += 4 + len;
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (flags & 1) fail(`entry '${name}' is encrypted`);
    if (method !== 0) fail(`entry '${name}' is compressed (method ${method}); torch.save stores its records uncompressed`);
    if (compressed !== length) fail(`entry '${name}': stored size ${compressed} differs from its length ${length}`);
    if (local + 30 > size) fail(`entry '${name}': local header at offset ${local} lies beyond the file`);
    const lh = source.read(local, 30).slice();
    const lv = new DataView(lh.buffer);
    if (lv.getUint32(0, true) !== LOCAL) fail(`entry '${name}': no local header at offset ${local}`);
    const offset = local + 30 + lv.getUint16(26, true) + lv.getUint16(28, true);
    if (offset + length > size) fail(`entry '${name}': data [${offset}, ${offset + length}) lies beyond the file (${size} bytes; truncated?)`);
    entries.push({ name, data: { source, offset, length } });
  }
  return entries;
}
