// torch's legacy storage stream, as `torch.storage._load_from_bytes` receives it: the bytes written by
// `torch.save(storage, f, _use_new_zipfile_serialization=False)`. Five protocol-2 pickles (magic number,
// protocol version 1001, sys_info, the storage as a persistent id, the list of storage keys), then an
// int64 little-endian element count and the raw little-endian elements; the blob ends there.
// Layout, byte by byte: test/fixtures/pickles/README.md section 4. Only the header is read here; the
// elements stay in the source until a tensor is written out.

import { Cursor, type ByteRange } from './byte-source';
import { PickleError } from './errors';
import { runPickle, type PickleHooks } from './pickle-machine';
import {
  describePy, PyDict, PyGlobal, PyTuple, TORCH_STORAGE_TYPES, TorchStorage, type TorchStorageType,
} from './pickle-values';

/** The legacy format's magic number (torch/serialization.py MAGIC_NUMBER). */
const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
/** The legacy format's protocol version (torch/serialization.py PROTOCOL_VERSION). */
const PROTOCOL_VERSION = 1001;

/** What a storage persistent id describes: the element type, the storage key and the element count. */
export class StorageRecord {
  constructor(
    readonly storageType: TorchStorageType,
    readonly key: string,
    readonly numel: number,
  ) {}
}

const refuse = (what: string) => (): never => {
  throw new Error(`${what} is not allowed in a torch storage header`);
};

/** Hooks for plain header pickles (magic number, version, sys_info, key lists): no GLOBAL, no object creation, no persistent id. */
export const PLAIN: PickleHooks = {
  global: (m, n) => refuse(`GLOBAL ${m}.${n}`)(),
  reduce: refuse('REDUCE'),
  newobj: refuse('NEWOBJ'),
  build: refuse('BUILD'),
};

/** True when `module.name` is a legacy torch storage class (`torch.FloatStorage`, ...). */
export function isStorageGlobal(module: string, name: string): boolean {
  return module === 'torch' && Object.prototype.hasOwnProperty.call(TORCH_STORAGE_TYPES, name);
}

/**
 * Parses a storage persistent id: `('storage', type, key, location, numel, view)` in torch's legacy format
 * (`view` must be None), `('storage', type, key, location, numel)` in its zip format.
 */
export function parseStoragePid(pid: unknown, format: 'legacy' | 'zip'): StorageRecord {
  const items = pid instanceof PyTuple ? pid.items : [];
  const count = format === 'legacy' ? 6 : 5;
  const [tag, type, key, location, numel, view] = items;
  if (items.length !== count || tag !== 'storage') {
    const shape = format === 'legacy' ? "('storage', type, key, location, numel, view)" : "('storage', type, key, location, numel)";
    throw new Error(`expected a persistent id ${shape}, got ${describePy(pid)} of ${items.length} item(s)`);
  }
  if (!(type instanceof PyGlobal) || !isStorageGlobal(type.module, type.name)) {
    throw new Error(`storage type must be a torch storage GLOBAL, got ${describePy(type)}`);
  }
  if (typeof key !== 'string') throw new Error(`storage key must be a str, got ${describePy(key)}`);
  if (typeof location !== 'string') throw new Error(`storage location must be a str, got ${describePy(location)}`);
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
    throw new Error(`storage numel must be a non-negative int, got ${String(numel)}`);
  }
  if (format === 'legacy' && view !== null) throw new Error(`storage views (old torch) are not supported, got view ${describePy(view)}`);
  return new StorageRecord(type.name as TorchStorageType, key, numel);
}

/** Hooks for the storage pickle: GLOBAL torch.<Type>Storage, and one BINPERSID of a storage id. */
const STORAGE: PickleHooks = {
  ...PLAIN,
  global(module, name) {
    if (isStorageGlobal(module, name)) return new PyGlobal(module, name);
    throw new Error(
      `refusing GLOBAL ${module}.${name}: not a torch storage type (allowed: ${Object.keys(TORCH_STORAGE_TYPES).map((t) => `torch.${t}`).join(', ')})`,
    );
  },
  persistentLoad: (pid) => parseStoragePid(pid, 'legacy'),
};

/**
 * Reads the three header pickles of torch's legacy stream (magic number, protocol version, sys_info) at the
 * cursor; `fail` reports a mismatch (big-endian data included).
 */
export function readLegacyHeader(cur: Cursor, fail: (msg: string) => never): void {
  const magic = runPickle(cur, PLAIN);
  if (magic !== MAGIC_NUMBER) fail(`bad magic number ${String(magic)} (expected 0x${MAGIC_NUMBER.toString(16)})`);
  const version = runPickle(cur, PLAIN);
  if (version !== PROTOCOL_VERSION) fail(`torch legacy protocol version ${String(version)} (expected ${PROTOCOL_VERSION})`);
  const sysInfo = runPickle(cur, PLAIN);
  if (!(sysInfo instanceof PyDict) || sysInfo.get('little_endian') !== true) {
    fail('sys_info must say little_endian: True (big-endian storages are not supported)');
  }
}

/**
 * Reads the header of a legacy storage blob and returns the storage, its elements left in the source.
 * Throws a {@link PickleError} naming `label` and the blob's offset for a wrong magic number or version,
 * big-endian data, a key list other than `[key]`, an element count other than `numel`, or trailing bytes.
 */
export function parseLegacyStorage(blob: ByteRange, label: string): TorchStorage {
  const where = `${label}: storage blob at offset ${blob.offset} (${blob.length} bytes)`;
  const cur = new Cursor(blob.source, blob.offset, blob.offset + blob.length, where);
  const head = blob.source.read(blob.offset, Math.min(4, blob.length));
  if (head[0] === 0x50 && head[1] === 0x4b) {
    throw new PickleError(`${where}: is a torch zip archive; expected torch's legacy storage stream`);
  }
  const fail = (msg: string): never => {
    throw new PickleError(`${where}: ${msg}`);
  };
  readLegacyHeader(cur, fail);
  const record = runPickle(cur, STORAGE);
  if (!(record instanceof StorageRecord)) fail(`expected a storage (persistent id), got ${describePy(record)}`);
  const { storageType, key, numel } = record as StorageRecord;
  const keys = runPickle(cur, PLAIN);
  if (!Array.isArray(keys) || keys.length !== 1 || keys[0] !== key) {
    fail(`storage key list must be exactly ['${key}'], got ${Array.isArray(keys) ? JSON.stringify(keys) : describePy(keys)}`);
  }
  cur.context = 'element count';
  const count = cur.u64();
  if (count !== numel) fail(`element count ${count} differs from the storage's numel ${numel}`);
  cur.context = `${numel} x ${TORCH_STORAGE_TYPES[storageType].elementSize}-byte elements of torch.${storageType}`;
  const data = cur.range(numel * TORCH_STORAGE_TYPES[storageType].elementSize);
  if (cur.remaining !== 0) fail(`${cur.remaining} unexpected byte(s) after the storage data`);
  return new TorchStorage(storageType, numel, data);
}
