// safetensors: the checkpoint container of the project (https://github.com/huggingface/safetensors).
// Layout: an 8-byte little-endian header length n, n bytes of JSON (padded with spaces to a multiple of 8),
// then the raw little-endian tensor bytes. Each header entry is
// `{"dtype": ..., "shape": [...], "data_offsets": [begin, end]}`, offsets relative to the data section;
// `__metadata__` maps strings to strings. Browser-safe: no Node APIs.

/** Element types of the safetensors format that this project reads and writes. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** One tensor of a safetensors file. */
export interface SafetensorsTensor {
  /** Element type. */
  dtype: SafetensorsDtype;
  /** Shape (row-major, PyTorch layout); [] for a scalar. */
  shape: number[];
  /** Raw little-endian bytes, exactly prod(shape) * size(dtype) long. */
  data: Uint8Array;
}

/** One header entry for {@link encodeSafetensorsHeader}: the tensor's bytes follow in the given order. */
export interface SafetensorsHeaderEntry {
  /** Tensor name (unique, not `__metadata__`). */
  name: string;
  /** Element type. */
  dtype: SafetensorsDtype;
  /** Shape. */
  shape: number[];
  /** Byte length of the tensor data; must equal prod(shape) * size(dtype). */
  byteLength: number;
}

/** Bytes per element of each dtype. */
export const SAFETENSORS_DTYPE_SIZE: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

const DTYPES = Object.keys(SAFETENSORS_DTYPE_SIZE) as SafetensorsDtype[];
const METADATA_KEY = '__metadata__';

function isDtype(d: unknown): d is SafetensorsDtype {
  return typeof d === 'string' && (DTYPES as string[]).includes(d);
}

function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new Error(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return shape as number[];
}

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Encodes a safetensors header: 8-byte little-endian JSON length + the JSON, padded with spaces to a
 * multiple of 8. `data_offsets` are assigned in the given order, back to back, so a caller can stream the
 * tensor bytes right after the header.
 */
export function encodeSafetensorsHeader(
  entries: SafetensorsHeaderEntry[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') {
        throw new Error(`safetensors: metadata value of '${k}' must be a string, got ${typeof v}`);
      }
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  for (const e of entries) {
    if (e.name === METADATA_KEY) throw new Error(`safetensors: '${METADATA_KEY}' is not a valid tensor name`);
    if (Object.prototype.hasOwnProperty.call(header, e.name)) {
      throw new Error(`safetensors: duplicate tensor name '${e.name}'`);
    }
    if (!isDtype(e.dtype)) {
      throw new Error(`safetensors: tensor '${e.name}': unknown dtype '${String(e.dtype)}' (allowed: ${DTYPES.join(', ')})`);
    }
    const shape = checkShape(e.shape, `safetensors: tensor '${e.name}'`);
    const expected = numel(shape) * SAFETENSORS_DTYPE_SIZE[e.dtype];
    if (e.byteLength !== expected) {
      throw new Error(`safetensors: tensor '${e.name}' (${e.dtype} [${shape.join(', ')}]): expected ${expected} bytes, got ${e.byteLength}`);
    }
    header[e.name] = { dtype: e.dtype, shape: [...shape], data_offsets: [offset, offset + e.byteLength] };
    offset += e.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  out.fill(0x20, 8);
  out.set(json, 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  return out;
}

/** Encodes tensors (in the Map's order) and string metadata into one safetensors file. */
export function encodeSafetensors(
  tensors: Map<string, SafetensorsTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries: SafetensorsHeaderEntry[] = [];
  for (const [name, t] of tensors) {
    entries.push({ name, dtype: t.dtype, shape: t.shape, byteLength: t.data.byteLength });
  }
  const header = encodeSafetensorsHeader(entries, metadata);
  const total = entries.reduce((a, e) => a + e.byteLength, header.length);
  const out = new Uint8Array(total);
  out.set(header, 0);
  let offset = header.length;
  for (const t of tensors.values()) {
    out.set(t.data, offset);
    offset += t.data.byteLength;
  }
  return out;
}

/** The largest header the decoder reads (the safetensors reference's limit, 100 MB). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/** One tensor of a decoded header: where its bytes lie in the data section. */
export interface SafetensorsHeaderTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte offsets in the data section (after the header), `[begin, end)`. */
  begin: number;
  end: number;
}

/** A decoded, validated safetensors header. */
export interface SafetensorsHeader {
  metadata: Record<string, string>;
  /** Tensors in data-offset order. */
  tensors: Map<string, SafetensorsHeaderTensor>;
  /** Offset of the data section in the file (8 + header length). */
  dataStart: number;
}

/** Reads the 8-byte header length at the start of a file of `fileLength` bytes; throws if it cannot fit. */
export function safetensorsHeaderLength(first8: Uint8Array, fileLength: number, source = 'safetensors'): number {
  if (fileLength < 8 || first8.byteLength < 8) {
    throw new Error(`${source}: truncated file: ${fileLength} bytes, need at least 8 for the header length`);
  }
  const headerLen = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (headerLen > BigInt(fileLength - 8)) {
    throw new Error(`${source}: bad header: header length ${headerLen} exceeds the ${fileLength - 8} bytes after the length field (truncated file?)`);
  }
  if (headerLen > BigInt(MAX_SAFETENSORS_HEADER)) {
    throw new Error(`${source}: bad header: header length ${headerLen} is more than ${MAX_SAFETENSORS_HEADER} bytes (the limit)`);
  }
  return Number(headerLen);
}

/** `null`, `an array` or the JSON type of a value, for messages. */
function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * Decodes and validates the header of a safetensors file of `fileLength` bytes from its first bytes (at least
 * the 8-byte length and the header): the tensors and metadata, without their data. Throws a clear error
 * (naming `source` and the tensor) for a truncated file, a header length beyond the file or past 100 MB, bad
 * JSON, an unknown dtype, data offsets out of range or overlapping, a byte length that does not match
 * shape x dtype size, or bytes after the last tensor.
 */
export function decodeSafetensorsHeader(head: Uint8Array, fileLength: number, source = 'safetensors'): SafetensorsHeader {
  const n = safetensorsHeaderLength(head, fileLength, source);
  if (head.byteLength < 8 + n) throw new Error(`${source}: decodeSafetensorsHeader needs the first ${8 + n} bytes, got ${head.byteLength}`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`${source}: bad header: not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new Error(`${source}: bad header: expected a JSON object, got ${jsonType(header)}`);
  }
  const dataStart = 8 + n;
  const dataLen = fileLength - dataStart;
  const metadata: Record<string, string> = {};
  const items: (SafetensorsHeaderTensor & { name: string })[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new Error(`${source}: bad header: '${METADATA_KEY}' must be an object of strings, got ${jsonType(value)}`);
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') {
          throw new Error(`${source}: bad header: metadata '${k}' must be a string, got ${jsonType(v)}`);
        }
        metadata[k] = v;
      }
      continue;
    }
    const where = `${source}: tensor '${name}'`;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`${where}: header entry must be an object, got ${jsonType(value)}`);
    }
    const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!isDtype(e.dtype)) {
      throw new Error(`${where}: unknown dtype '${String(e.dtype)}' (allowed: ${DTYPES.join(', ')})`);
    }
    const shape = checkShape(e.shape, where);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
      throw new Error(`${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (begin > end || end > dataLen) {
      throw new Error(`${where}: data_offsets [${begin}, ${end}] out of range (data section is ${dataLen} bytes; truncated file?)`);
    }
    const expected = numel(shape) * SAFETENSORS_DTYPE_SIZE[e.dtype];
    if (end - begin !== expected) {
      throw new Error(`${where}: ${e.dtype} [${shape.join(', ')}] needs ${expected} bytes, data_offsets give ${end - begin}`);
    }
    items.push({ name, dtype: e.dtype, shape, begin, end });
  }
  items.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < items.length; i++) {
    const prev = items[i - 1]!;
    const cur = items[i]!;
    if (cur.begin < prev.end) {
      throw new Error(`${source}: tensors '${prev.name}' [${prev.begin}, ${prev.end}] and '${cur.name}' [${cur.begin}, ${cur.end}] overlap`);
    }
  }
  // As the reference reader: the last tensor ends the file (a file far larger than its tensors, say a
  // truncated header over gigabytes of data, is refused before anything is read).
  const last = items.length ? items[items.length - 1]!.end : 0;
  if (last !== dataLen) {
    throw new Error(`${source}: ${dataLen - last} byte(s) after the last tensor's data (the header describes ${last} bytes of ${dataLen}): a corrupt or padded file`);
  }
  const tensors = new Map<string, SafetensorsHeaderTensor>();
  for (const { name, ...t } of items) tensors.set(name, t);
  return { metadata, tensors, dataStart };
}

/**
 * Decodes and validates a safetensors file ({@link decodeSafetensorsHeader}'s checks). Tensor data are views
 * into `bytes` (no copy); tensors are listed in data-offset order.
 */
export function decodeSafetensors(
  bytes: Uint8Array | ArrayBuffer,
  source = 'safetensors',
): { metadata: Record<string, string>; tensors: Map<string, SafetensorsTensor> } {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const { metadata, tensors: entries, dataStart } = decodeSafetensorsHeader(u8, u8.byteLength, source);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, t] of entries) {
    tensors.set(name, { dtype: t.dtype, shape: t.shape, data: u8.subarray(dataStart + t.begin, dataStart + t.end) });
  }
  return { metadata, tensors };
}

/** IEEE half -> float. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Converts a floating-point tensor (F32, F64, F16, BF16) to a new Float32Array. Throws naming `name` for
 * any other dtype.
 */
export function tensorToFloat32(t: SafetensorsTensor, name = 'tensor'): Float32Array {
  const count = numel(t.shape);
  const size = SAFETENSORS_DTYPE_SIZE[t.dtype];
  if (t.data.byteLength !== count * size) {
    throw new Error(`${name}: ${t.dtype} [${t.shape.join(', ')}] needs ${count * size} bytes, got ${t.data.byteLength}`);
  }
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Float32Array(count);
  switch (t.dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    case 'BF16': {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u32[i] = view.getUint16(2 * i, true) << 16;
      break;
    }
    default:
      throw new Error(`${name}: expected a floating-point dtype (F32, F64, F16, BF16), got ${t.dtype}`);
  }
  return out;
}

/** Encodes a Float32Array as F32 little-endian bytes (a copy). */
export function float32ToBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  return out;
}
