// Test helper: decompression bombs made in milliseconds, without compressing anything. `deflatedZeros` writes
// a deflate stream by hand (RFC 1951, one dynamic-Huffman block whose length/distance codes are 1 bit each):
// a zero byte, then copies of 258 bytes at distance 1 at 2 bits each, so 1 GiB of zeros takes 1 MiB (the
// format's limit, about 1032:1). `zipFile` wraps streams in a zip (ZIP64 sizes when asked), `pngFile` a
// zlib stream in a PNG whose header claims any size.
import { deflateRawSync } from 'node:zlib';

/** A raw deflate stream of `1 + 258 * copies` zero bytes. */
export function deflatedZeros(copies: number): { data: Uint8Array; size: number } {
  const bits: number[] = [];
  const put = (value: number, n: number) => { for (let i = 0; i < n; i++) bits.push((value >> i) & 1); }; // fields: LSB first
  const code = (c: number, n: number) => { for (let i = n - 1; i >= 0; i--) bits.push((c >> i) & 1); }; // Huffman codes: MSB first
  put(1, 1); // BFINAL
  put(2, 2); // BTYPE: dynamic Huffman
  put(29, 5); // HLIT: 286 literal/length codes
  put(0, 5); // HDIST: 1 distance code
  put(14, 4); // HCLEN: 18 code-length code lengths
  // Code-length code: 18 (a run of zeros) gets 1 bit (code 0), lengths 1 and 2 get 2 bits (10, 11).
  const clen: Record<number, number> = { 18: 1, 1: 2, 2: 2 };
  for (const s of [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1]) put(clen[s] ?? 0, 3);
  const cl: Record<number, [number, number]> = { 18: [0, 1], 1: [2, 2], 2: [3, 2] };
  const sym = (s: number) => code(cl[s]![0], cl[s]![1]);
  // Literal/length lengths: 0 -> 2 bits (10), 256 (end) -> 2 bits (11), 285 (length 258) -> 1 bit (0).
  sym(2);
  sym(18); put(138 - 11, 7);
  sym(18); put(117 - 11, 7);
  sym(2);
  sym(18); put(28 - 11, 7);
  sym(1);
  sym(1); // distance code 0 (distance 1) -> 1 bit (0)
  code(2, 2); // the literal zero byte
  const bodyStart = bits.length;
  const end = bodyStart + 2 * copies; // each copy: length code 0, distance code 0: two zero bits
  const out = new Uint8Array(Math.ceil((end + 2) / 8));
  for (let i = 0; i < bodyStart; i++) if (bits[i]) out[i >> 3]! |= 1 << (i & 7);
  for (const i of [end, end + 1]) out[i >> 3]! |= 1 << (i & 7); // end of block: 11
  return { data: out, size: 1 + 258 * copies };
}

/** A zip entry: its name, data as stored in the archive, method, and the uncompressed size it declares. */
export interface ZipSpec {
  name: string;
  data: Uint8Array;
  /** 0 stored, 8 deflate. */
  method: 0 | 8;
  /** Declared uncompressed size (a lie, if you like). */
  size: number;
}

/** A zip archive of the entries (CRC-32 fields 0: the readers under test do not check them). ZIP64 sizes past 4 GiB - 1. */
export function zipFile(entries: ZipSpec[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const u16 = (v: DataView, at: number, x: number) => v.setUint16(at, x, true);
  const u32 = (v: DataView, at: number, x: number) => v.setUint32(at, x, true);
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const zip64 = e.size >= 0xffffffff || e.data.length >= 0xffffffff;
    const extra = new Uint8Array(zip64 ? 20 : 0);
    if (zip64) {
      const x = new DataView(extra.buffer);
      u16(x, 0, 1); u16(x, 2, 16);
      x.setBigUint64(4, BigInt(e.size), true);
      x.setBigUint64(12, BigInt(e.data.length), true);
    }
    const local = new Uint8Array(30 + name.length + extra.length);
    const l = new DataView(local.buffer);
    u32(l, 0, 0x04034b50); u16(l, 4, zip64 ? 45 : 20); u16(l, 8, e.method);
    u32(l, 18, zip64 ? 0xffffffff : e.data.length); u32(l, 22, zip64 ? 0xffffffff : e.size);
    u16(l, 26, name.length); u16(l, 28, extra.length);
    local.set(name, 30); local.set(extra, 30 + name.length);
    const c = new Uint8Array(46 + name.length + extra.length);
    const cv = new DataView(c.buffer);
    u32(cv, 0, 0x02014b50); u16(cv, 4, zip64 ? 45 : 20); u16(cv, 6, zip64 ? 45 : 20); u16(cv, 10, e.method);
    u32(cv, 20, zip64 ? 0xffffffff : e.data.length); u32(cv, 24, zip64 ? 0xffffffff : e.size);
    u16(cv, 28, name.length); u16(cv, 30, extra.length); u32(cv, 42, offset);
    c.set(name, 46); c.set(extra, 46 + name.length);
    parts.push(local, e.data);
    central.push(c);
    offset += local.length + e.data.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  u32(ev, 0, 0x06054b50); u16(ev, 8, entries.length); u16(ev, 10, entries.length); u32(ev, 12, cdSize); u32(ev, 16, offset);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of all) { out.set(p, at); at += p.length; }
  return out;
}

/** A deflated zip entry of small data (dataset.json, a normal PNG). */
export function deflated(name: string, data: Uint8Array): ZipSpec {
  return { name, data: new Uint8Array(deflateRawSync(data)), method: 8, size: data.length };
}

/** CRC-32 (PNG chunk checksums). */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A PNG of `width` x `height`, colour type `colorType` (0 gray, 2 RGB), 8 bits, with the IDAT given. */
export function pngFile(width: number, height: number, colorType: 0 | 2, idat: Uint8Array): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const h = new DataView(ihdr.buffer);
  h.setUint32(0, width);
  h.setUint32(4, height);
  ihdr.set([8, colorType, 0, 0, 0], 8);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** A zlib stream (PNG IDAT) of `1 + 258 * copies` zero bytes: header, {@link deflatedZeros}, Adler-32. */
export function zlibZeros(copies: number): { data: Uint8Array; size: number } {
  const raw = deflatedZeros(copies);
  const out = new Uint8Array(2 + raw.data.length + 4);
  out.set([0x78, 0x01]);
  out.set(raw.data, 2);
  // Adler-32 of n zeros: a = 1, b = n mod 65521.
  new DataView(out.buffer).setUint32(2 + raw.data.length, (((raw.size % 65521) << 16) | 1) >>> 0);
  return { data: out, size: raw.size };
}
