// Test helper: writes `torch.save(state_dict)` files the way torch does, in its legacy format and in its zip
// format (see src/convert/torch-state-dict.ts for both layouts), so the state_dict reader's tests can build
// files of any content, and broken ones, without Python; and re-writes a legacy file in the zip format.
import { zipSync } from 'fflate';
import { readTorchStateDict, type TorchStorage } from '../src/index';
import { PickleWriter } from './convert-pickle-writer';

/** One storage: its element type and raw little-endian bytes. */
export interface StorageSpec {
  storageType: 'FloatStorage' | 'DoubleStorage' | 'HalfStorage' | 'LongStorage';
  bytes: Uint8Array;
}

/** One state_dict entry: a view of a storage (by key). */
export interface EntrySpec {
  name: string;
  storage: string;
  size: number[];
  /** Default: row-major contiguous. */
  stride?: number[];
  offset?: number;
}

/** A whole state_dict: storages by key, entries in order. */
export interface StateDictSpec {
  storages: Map<string, StorageSpec>;
  entries: EntrySpec[];
  /** Write the dict as `state_dict()` does: an OrderedDict with a `_metadata` attribute (BUILD). Default false (a plain dict). */
  orderedWithMetadata?: boolean;
}

const ELEMENT_SIZE = { FloatStorage: 4, DoubleStorage: 8, HalfStorage: 2, LongStorage: 8 } as const;

/** A float32 storage of the given values. */
export function floatStorage(values: ArrayLike<number>): StorageSpec {
  return { storageType: 'FloatStorage', bytes: new Uint8Array(Float32Array.from(values).buffer) };
}

function contiguous(size: number[]): number[] {
  return size.map((_, i) => size.slice(i + 1).reduce((a, b) => a * b, 1));
}

/** The state_dict pickle (protocol 2, as torch.save writes it) with legacy (6-item) or zip (5-item) storage ids. */
function stateDictPickle(spec: StateDictSpec, format: 'legacy' | 'zip'): Uint8Array {
  const w = new PickleWriter(2);
  w.proto(2);
  if (spec.orderedWithMetadata) w.global('collections', 'OrderedDict').raw(0x29, 0x52).memoize();
  else w.raw(0x7d).memoize();
  if (spec.entries.length > 0) {
    w.mark();
    for (const e of spec.entries) {
      const s = spec.storages.get(e.storage)!;
      w.str(e.name);
      w.global('torch._utils', '_rebuild_tensor_v2').mark();
      w.mark().str('storage').global('torch', s.storageType).str(e.storage).str('cpu').int(s.bytes.length / ELEMENT_SIZE[s.storageType]);
      if (format === 'legacy') w.none();
      w.raw(0x74).memoize().raw(0x51); // TUPLE, BINPERSID
      w.int(e.offset ?? 0).tuple(e.size).tuple(e.stride ?? contiguous(e.size)).bool(false).orderedDict([]);
      w.raw(0x74, 0x52).memoize(); // TUPLE, REDUCE
    }
    w.raw(0x75); // SETITEMS
  }
  if (spec.orderedWithMetadata) {
    // state_dict()'s `_metadata`: {'': {'version': 1}, ...}, an OrderedDict of dicts.
    w.value({ _metadata: new Map([['', { version: 1 }]]) });
    w.raw(0x62); // BUILD
  }
  return w.stop().finish();
}

/** `torch.save(state_dict, f, _use_new_zipfile_serialization=False)`. */
export function writeLegacyStateDict(spec: StateDictSpec): Uint8Array {
  const w = new PickleWriter(2);
  w.proto(2).long1(0x1950a86a20f9469cfc6cn).stop();
  w.proto(2).int(1001).stop();
  w.proto(2).value({ protocol_version: 1001, little_endian: true, type_sizes: { short: 2, int: 4, long: 4 } }).stop();
  const head = w.finish();
  const dict = stateDictPickle(spec, 'legacy');
  const keys = new PickleWriter(2).proto(2).value([...spec.storages.keys()]).stop().finish();
  const parts: Uint8Array[] = [head, dict, keys];
  for (const s of spec.storages.values()) {
    const count = new Uint8Array(8);
    new DataView(count.buffer).setBigUint64(0, BigInt(s.bytes.length / ELEMENT_SIZE[s.storageType]), true);
    parts.push(count, s.bytes);
  }
  return concat(parts);
}

/** `torch.save(state_dict, f)` of PyTorch >= 1.6: a stored zip of `<archive>/data.pkl` and `<archive>/data/<key>`. */
export function writeZipStateDict(spec: StateDictSpec, archive = 'archive'): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {
    [`${archive}/data.pkl`]: [stateDictPickle(spec, 'zip'), { level: 0 }],
    [`${archive}/byteorder`]: [new TextEncoder().encode('little'), { level: 0 }],
  };
  for (const [key, s] of spec.storages) files[`${archive}/data/${key}`] = [s.bytes, { level: 0 }];
  files[`${archive}/version`] = [new TextEncoder().encode('3\n'), { level: 0 }];
  return zipSync(files);
}

/** A legacy-format file re-written in the zip format (same tensors, views and storages; keys 0, 1, ...). */
export function legacyToZip(legacy: Uint8Array, archive = 'archive'): Uint8Array {
  const { format, entries } = readTorchStateDict(legacy);
  if (format !== 'legacy') throw new Error(`expected a legacy file, got ${format}`);
  const keys = new Map<TorchStorage, string>();
  const spec: StateDictSpec = { storages: new Map(), entries: [] };
  for (const { name, tensor } of entries) {
    let key = keys.get(tensor.storage);
    if (key === undefined) {
      key = String(keys.size);
      keys.set(tensor.storage, key);
      const { data } = tensor.storage;
      spec.storages.set(key, {
        storageType: tensor.storage.storageType as StorageSpec['storageType'],
        bytes: data.source.read(data.offset, data.length).slice(),
      });
    }
    spec.entries.push({ name, storage: key, size: [...tensor.size], stride: [...tensor.stride], offset: tensor.storageOffset });
  }
  return writeZipStateDict(spec, archive);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
