// Random-access byte sources and a buffered sequential cursor for the pickle reader.
// A snapshot can exceed 1 GB (ImageNet-64 ADM): the reader walks the pickle's opcodes through a small window
// and never copies a storage blob's data; tensors are read from the source only when written out.
// Browser-safe: no Node APIs (the CLI supplies a file-backed source).

import { PickleError, TruncatedPickleError } from './errors';

/** Bytes that can be read at any offset: an in-memory array, or a file (see `edm convert`). */
export interface ByteSource {
  /** Total length in bytes. */
  readonly byteLength: number;
  /**
   * Returns bytes `[offset, offset + length)`. May return a view into shared memory: callers must not
   * modify it, and must copy it to keep it past the next call. Callers never ask beyond `byteLength`.
   */
  read(offset: number, length: number): Uint8Array;
}

/** A {@link ByteSource} over bytes already in memory (reads are views, no copies). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    byteLength: bytes.byteLength,
    read: (offset, length) => bytes.subarray(offset, offset + length),
  };
}

/** A byte range of a source that has not been read (a pickle `bytes` value, kept lazily). */
export interface ByteRange {
  /** The source holding the bytes. */
  readonly source: ByteSource;
  /** Absolute offset of the first byte. */
  readonly offset: number;
  /** Length in bytes. */
  readonly length: number;
}


const WINDOW = 1 << 20;

/**
 * Sequential reader over `[start, end)` of a source through a window of about 1 MiB. Offsets are absolute
 * (plain numbers, exact below 2^53). Every read checks the end and throws {@link TruncatedPickleError}
 * naming `label`, the current `context` (the opcode being read) and the offsets.
 */
export class Cursor {
  /** Absolute offset of the next byte to read. */
  pos: number;
  /** What is being read, for error messages (set by the pickle machine to the current opcode). */
  context = '';
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(
    readonly source: ByteSource,
    readonly start: number,
    readonly end: number,
    readonly label: string,
  ) {
    this.pos = start;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Makes `n` bytes at `pos` available in the window; returns their index in the window. */
  private ensure(n: number): number {
    if (this.pos + n > this.end) {
      const what = this.context ? `${this.context}: ` : '';
      throw new TruncatedPickleError(
        `${this.label}: truncated: ${what}needs ${n} byte(s) at offset ${this.pos}, but the data ends at offset ${this.end}`,
      );
    }
    const idx = this.pos - this.windowStart;
    if (idx >= 0 && idx + n <= this.window.byteLength) return idx;
    const len = Math.min(Math.max(n, WINDOW), this.end - this.pos);
    this.window = this.source.read(this.pos, len);
    this.windowStart = this.pos;
    this.view = new DataView(this.window.buffer, this.window.byteOffset, this.window.byteLength);
    return 0;
  }

  u8(): number {
    const i = this.ensure(1);
    this.pos += 1;
    return this.window[i]!;
  }

  u16(): number {
    const i = this.ensure(2);
    this.pos += 2;
    return this.view.getUint16(i, true);
  }

  u32(): number {
    const i = this.ensure(4);
    this.pos += 4;
    return this.view.getUint32(i, true);
  }

  i32(): number {
    const i = this.ensure(4);
    this.pos += 4;
    return this.view.getInt32(i, true);
  }

  /** Unsigned 64-bit little-endian length; throws if it is not below 2^53. */
  u64(): number {
    const i = this.ensure(8);
    const v = this.view.getBigUint64(i, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new PickleError(`${this.label}: ${this.context}: 64-bit length ${v} at offset ${this.pos} is too large`);
    }
    this.pos += 8;
    return Number(v);
  }

  /** Big-endian IEEE double (pickle BINFLOAT). */
  f64be(): number {
    const i = this.ensure(8);
    this.pos += 8;
    return this.view.getFloat64(i, false);
  }

  /** The next `n` bytes as a fresh copy. */
  bytes(n: number): Uint8Array {
    if (n <= WINDOW) {
      const i = this.ensure(n);
      this.pos += n;
      return this.window.slice(i, i + n);
    }
    if (this.pos + n > this.end) this.ensure(n); // throws: truncated
    const out = this.source.read(this.pos, n).slice();
    this.pos += n;
    return out;
  }

  /** Skips `n` bytes without reading them; returns their range (checked against the end). */
  range(n: number): ByteRange {
    if (this.pos + n > this.end) this.ensure(n);
    const r = { source: this.source, offset: this.pos, length: n };
    this.pos += n;
    return r;
  }

  /** Reads up to and excluding the next `\n` (text-mode opcode arguments such as GLOBAL's). */
  line(maxLength = 4096): Uint8Array {
    const startPos = this.pos;
    for (let n = 0; n < maxLength; n++) {
      if (this.u8() === 0x0a) {
        this.pos = startPos;
        const out = this.bytes(n);
        this.pos += 1;
        return out;
      }
    }
    throw new PickleError(`${this.label}: ${this.context}: no newline within ${maxLength} bytes after offset ${startPos}`);
  }
}

/** Reads a byte range fully (a copy when the source is a file, a view when it is memory). */
export function readRange(r: ByteRange): Uint8Array {
  return r.source.read(r.offset, r.length);
}
