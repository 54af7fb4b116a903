// A file written by `torch.save(state_dict)`, read without running anything, in both of torch's formats:
// - legacy (before PyTorch 1.6, or `_use_new_zipfile_serialization=False`): pickles of the magic number,
//   the protocol version and sys_info, then the state_dict pickle whose tensors name their storages by
//   persistent ids ('storage', type, key, location, numel, view), then a pickle of the storage keys, then each
//   storage as an int64 element count and its little-endian elements, in the order of those keys;
// - zip (PyTorch >= 1.6): `<archive>/data.pkl` with persistent ids ('storage', type, key, location, numel),
//   each storage in the record `<archive>/data/<key>` (`<archive>` is `archive` or the file's stem).
// The tensors stay in the source until read (tensorF32Bytes). Browser-safe: bytes or a ByteSource in.

import { bytesSource, Cursor, type ByteSource } from './byte-source';
import { PickleError, SnapshotError } from './errors';
import { stateDictHooks } from './allow-list';
import { runPickle } from './pickle-machine';
import { describePy, PyDict, TORCH_STORAGE_TYPES, TorchStorage, TorchTensor } from './pickle-values';
import type { StateDictEntry } from './state-dict';
import { tensorF32Bytes } from './tensor-bytes';
import { parseStoragePid, PLAIN, readLegacyHeader } from './torch-storage';
import { isZipArchive, readZipEntries } from './zip-archive';

/** A state_dict read from a torch.save file. */
export interface TorchStateDict {
  /** The file's format. */
  format: 'legacy' | 'zip';
  /** The entries in the file's order, tensor data still in the source. */
  entries: StateDictEntry[];
}

/** Options of {@link readTorchStateDict}. */
export interface ReadTorchStateDictOptions {
  /** Name of the input in error messages (a file name). Default `'state_dict'`. */
  label?: string;
}

/** A storage's byte range, filled in once its place in the file is known (legacy: after the pickle). */
interface PendingRange {
  source: ByteSource;
  offset: number;
  length: number;
}

/**
 * Reads a `torch.save(state_dict)` file (legacy or zip format). Throws a `PickleError` for a malformed or
 * refused pickle or container, and a `SnapshotError` when the file holds something other than a dict of
 * tensors; both name `label`.
 */
export function readTorchStateDict(input: Uint8Array | ByteSource, options: ReadTorchStateDictOptions = {}): TorchStateDict {
  const source = input instanceof Uint8Array ? bytesSource(input) : input;
  const label = options.label ?? 'state_dict';
  if (source.byteLength === 0) throw new PickleError(`${label}: empty file: not a torch.save file`);
  if (isZipArchive(source)) return { format: 'zip', entries: readZip(source, label) };
  const first = source.read(0, 1)[0]!;
  if (first !== 0x80) {
    throw new PickleError(`${label}: not a torch.save file (neither a zip archive nor a pickle: first byte 0x${first.toString(16).padStart(2, '0')})`);
  }
  return { format: 'legacy', entries: readLegacy(source, label) };
}

function readLegacy(source: ByteSource, label: string): StateDictEntry[] {
  const cur = new Cursor(source, 0, source.byteLength, label);
  readLegacyHeader(cur, (msg) => {
    throw new PickleError(`${label}: ${msg} (not a torch.save file in the legacy format)`);
  });
  const storages = new Map<string, { storage: TorchStorage; range: PendingRange }>();
  const top = runPickle(cur, stateDictHooks(label, (pid) => {
    const { storageType, key, numel } = parseStoragePid(pid, 'legacy');
    const known = storages.get(key);
    if (known) {
      if (known.storage.storageType !== storageType || known.storage.numel !== numel) {
        throw new Error(`storage '${key}' is named twice with different types or sizes`);
      }
      return known.storage;
    }
    const range: PendingRange = { source, offset: -1, length: numel * TORCH_STORAGE_TYPES[storageType].elementSize };
    const storage = new TorchStorage(storageType, numel, range);
    storages.set(key, { storage, range });
    return storage;
  }));
  const keys = runPickle(cur, PLAIN);
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new PickleError(`${label}: offset ${cur.pos}: expected the list of storage keys, got ${describePy(keys)}`);
  }
  for (const key of keys as string[]) {
    const s = storages.get(key);
    if (!s) throw new PickleError(`${label}: storage '${key}' is listed but no tensor uses it`);
    cur.context = `element count of storage '${key}'`;
    const count = cur.u64();
    if (count !== s.storage.numel) {
      throw new PickleError(`${label}: storage '${key}': element count ${count} differs from its numel ${s.storage.numel}`);
    }
    cur.context = `${count} x ${s.storage.elementSize}-byte elements of storage '${key}' (torch.${s.storage.storageType})`;
    s.range.offset = cur.range(s.range.length).offset;
  }
  for (const [key, s] of storages) {
    if (s.range.offset < 0) throw new PickleError(`${label}: storage '${key}' is used by a tensor but not in the file's storage list`);
  }
  if (cur.remaining !== 0) throw new PickleError(`${label}: ${cur.remaining} unexpected byte(s) after the last storage`);
  return entriesOf(top, label);
}

function readZip(source: ByteSource, label: string): StateDictEntry[] {
  const entries = readZipEntries(source, label);
  const pkl = entries.find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (!pkl) {
    throw new PickleError(`${label}: zip archive without '<archive>/data.pkl': not a torch.save file (entries: ${entries.slice(0, 5).map((e) => e.name).join(', ')}${entries.length > 5 ? ', ...' : ''})`);
  }
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const order = byName.get(`${prefix}byteorder`);
  if (order) {
    const text = new TextDecoder().decode(order.data.source.read(order.data.offset, order.data.length));
    if (text !== 'little') throw new PickleError(`${label}: byte order '${text}' (only little-endian storages are supported)`);
  }
  const storages = new Map<string, TorchStorage>();
  const cur = new Cursor(source, pkl.data.offset, pkl.data.offset + pkl.data.length, `${label}: ${pkl.name}`);
  const top = runPickle(cur, stateDictHooks(label, (pid) => {
    const { storageType, key, numel } = parseStoragePid(pid, 'zip');
    const known = storages.get(key);
    if (known) return known;
    const record = byName.get(`${prefix}data/${key}`);
    if (!record) throw new Error(`storage '${key}' has no record '${prefix}data/${key}' in the archive`);
    const expected = numel * TORCH_STORAGE_TYPES[storageType].elementSize;
    if (record.data.length !== expected) {
      throw new Error(`storage '${key}' (${numel} x torch.${storageType}) needs ${expected} bytes, its record has ${record.data.length}`);
    }
    const storage = new TorchStorage(storageType, numel, record.data);
    storages.set(key, storage);
    return storage;
  }));
  return entriesOf(top, label);
}

/** The (name, tensor) pairs of a pickled dict of tensors, in its order. */
function entriesOf(top: unknown, label: string): StateDictEntry[] {
  if (!(top instanceof PyDict)) throw new SnapshotError(`${label}: holds a ${describePy(top)}, not a state_dict (a dict of tensors)`);
  const out: StateDictEntry[] = [];
  for (const [name, t] of top.map) {
    if (typeof name !== 'string') throw new SnapshotError(`${label}: state_dict key ${String(name)} is a ${describePy(name)}, not a str`);
    if (!(t instanceof TorchTensor)) {
      throw new SnapshotError(`${label}: entry '${name}' is a ${describePy(t)}, not a tensor (a training checkpoint rather than a state_dict?)`);
    }
    out.push({ name, tensor: t });
  }
  return out;
}

/**
 * A state_dict tensor's elements as a new Float32Array in row-major order (float64, float16 and bfloat16
 * converted). Throws a `SnapshotError` naming the entry for an integer or bool tensor.
 */
export function stateDictTensorF32(entry: StateDictEntry): Float32Array {
  const bytes = tensorF32Bytes(entry.tensor, entry.name);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
