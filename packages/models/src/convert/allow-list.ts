// The GLOBALs an EDM network snapshot may name, each with a fixed, data-only meaning (README section 6).
// A Python unpickler imports and calls whatever a GLOBAL names; this reader refuses every other name with
// an error naming it, and REDUCE / NEWOBJ / BUILD on anything but the uses below.

import type { PickleHooks } from './pickle-machine';
import {
  ContainerModule, describePy, NumpyDtype, PersistentObject, PyBytes, PyDict, PyGlobal, type PyKey, PySet, PyTuple,
  TorchStorage, TorchTensor,
} from './pickle-values';
import { isStorageGlobal, parseLegacyStorage } from './torch-storage';
import { bytesSource, readRange } from './byte-source';

/** The meanings an allowed GLOBAL can have. */
type Meaning =
  | 'persistent-object' | 'ordered-dict' | 'rebuild-parameter' | 'rebuild-parameter-with-state'
  | 'rebuild-tensor' | 'load-storage' | 'module-dict' | 'numpy-scalar' | 'numpy-dtype'
  | 'latin1-bytes' | 'empty-bytes' | 'set';

/** Allowed `module.name` -> meaning. */
export const ALLOWED_GLOBALS: ReadonlyMap<string, Meaning> = new Map<string, Meaning>([
  ['torch_utils.persistence._reconstruct_persistent_obj', 'persistent-object'],
  ['collections.OrderedDict', 'ordered-dict'],
  ['torch._utils._rebuild_parameter', 'rebuild-parameter'],
  ['torch._utils._rebuild_parameter_with_state', 'rebuild-parameter-with-state'],
  ['torch._utils._rebuild_tensor_v2', 'rebuild-tensor'],
  ['torch.storage._load_from_bytes', 'load-storage'],
  ['torch.nn.modules.container.ModuleDict', 'module-dict'],
  ['numpy.core.multiarray.scalar', 'numpy-scalar'],
  ['numpy._core.multiarray.scalar', 'numpy-scalar'],
  ['numpy.dtype', 'numpy-dtype'],
  // Protocols 2 and 3 (a snapshot re-pickled with an explicit protocol): bytes are written as
  // _codecs.encode(latin-1 text, 'latin1') below protocol 3, and sets as set([items]) below protocol 4.
  ['_codecs.encode', 'latin1-bytes'],
  ['builtins.bytes', 'empty-bytes'],
  ['__builtin__.bytes', 'empty-bytes'],
  ['builtins.set', 'set'],
  ['__builtin__.set', 'set'],
  ['builtins.frozenset', 'set'],
  ['__builtin__.frozenset', 'set'],
]);

/** Version of `torch_utils.persistence` this reader understands (persistence.py CURRENT_VERSION). */
const PERSISTENCE_VERSION = 6;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function meaningOf(callable: unknown, opcode: string): Meaning {
  if (!(callable instanceof PyGlobal)) {
    throw new Error(`refusing ${opcode} on ${describePy(callable)}: only allowed GLOBALs may be called`);
  }
  return ALLOWED_GLOBALS.get(callable.qualifiedName)!;
}

function args(t: PyTuple, what: string, counts: number[]): unknown[] {
  if (!counts.includes(t.items.length)) {
    throw new Error(`${what} expects ${counts.join(' or ')} argument(s), got ${t.items.length}`);
  }
  return [...t.items];
}

/** `_reconstruct_persistent_obj(meta)`: keep class_name and state; never run module_src. */
function persistentObject(meta: unknown): PersistentObject {
  if (!(meta instanceof PyDict)) throw new Error(`persistent object meta must be a dict, got ${describePy(meta)}`);
  const type = meta.get('type');
  if (type !== 'class') throw new Error(`persistent object meta type must be 'class', got ${JSON.stringify(type ?? null)}`);
  const version = meta.get('version');
  if (version !== PERSISTENCE_VERSION) {
    throw new Error(`persistent object version ${String(version)} is not supported (expected ${PERSISTENCE_VERSION})`);
  }
  const className = meta.get('class_name');
  if (typeof className !== 'string') throw new Error(`persistent object class_name must be a str, got ${describePy(className)}`);
  const state = meta.get('state');
  if (!(state instanceof PyDict)) throw new Error(`persistent object ${className}: state must be a dict, got ${describePy(state)}`);
  return new PersistentObject(className, state);
}

/** `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`: a strided view. */
function rebuildTensor(a: unknown[]): TorchTensor {
  const [storage, offset, size, stride] = a;
  if (!(storage instanceof TorchStorage)) throw new Error(`tensor storage must be a torch storage, got ${describePy(storage)}`);
  if (!isInt(offset) || offset < 0) throw new Error(`tensor storage_offset must be a non-negative int, got ${String(offset)}`);
  const dims = (v: unknown, what: string): number[] => {
    if (!(v instanceof PyTuple) || !v.items.every((d) => isInt(d) && d >= 0)) {
      throw new Error(`tensor ${what} must be a tuple of non-negative ints, got ${describePy(v)}`);
    }
    return v.items as number[];
  };
  const shape = dims(size, 'size');
  const strides = dims(stride, 'stride');
  if (shape.length !== strides.length) {
    throw new Error(`tensor size (${shape.join(', ')}) and stride (${strides.join(', ')}) differ in length`);
  }
  const t = new TorchTensor(storage, offset, shape, strides);
  if (t.numel > 0) {
    const last = offset + shape.reduce((acc, d, i) => acc + (d - 1) * strides[i]!, 0);
    if (last >= storage.numel) {
      throw new Error(
        `tensor of size (${shape.join(', ')}), stride (${strides.join(', ')}), offset ${offset} reaches element ${last} of a storage of ${storage.numel}`,
      );
    }
  }
  return t;
}

/** `numpy.core.multiarray.scalar(dtype, bytes)`: the scalar as a number (bigint beyond 2^53, bool for b1). */
function numpyScalar(a: unknown[]): number | bigint | boolean {
  const [dtype, data] = a;
  if (!(dtype instanceof NumpyDtype)) throw new Error(`numpy scalar dtype must be a numpy.dtype, got ${describePy(dtype)}`);
  if (!(data instanceof PyBytes)) throw new Error(`numpy scalar data must be bytes, got ${describePy(data)}`);
  const bytes = readRange(data.range);
  const kind = dtype.descr.replace(/^[<>=|]/, '');
  const size = Number(kind.slice(1));
  if (bytes.length !== size) throw new Error(`numpy scalar of dtype ${kind} needs ${size} bytes, got ${bytes.length}`);
  const le = dtype.byteOrder !== '>';
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (kind) {
    case 'f8': return v.getFloat64(0, le);
    case 'f4': return v.getFloat32(0, le);
    case 'i8': { const x = v.getBigInt64(0, le); return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x; }
    case 'u8': { const x = v.getBigUint64(0, le); return x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x; }
    case 'i4': return v.getInt32(0, le);
    case 'u4': return v.getUint32(0, le);
    case 'i2': return v.getInt16(0, le);
    case 'u2': return v.getUint16(0, le);
    case 'i1': return v.getInt8(0);
    case 'u1': return v.getUint8(0);
    case 'b1': return v.getUint8(0) !== 0;
    default: throw new Error(`numpy scalar dtype '${dtype.descr}' is not supported (expected f8, f4, i8, ..., b1)`);
  }
}

/** `_codecs.encode(text, 'latin1')`: the bytes whose latin-1 decoding is `text` (protocol 2 bytes). */
function latin1Bytes(a: unknown[]): PyBytes {
  const [text, encoding] = a;
  if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
    throw new Error(`_codecs.encode is only allowed as encode(str, 'latin1') (protocol 2 bytes), got (${describePy(text)}, ${JSON.stringify(encoding)})`);
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new Error(`_codecs.encode: character U+${c.toString(16).padStart(4, '0')} at ${i} is not latin-1`);
    out[i] = c;
  }
  return new PyBytes({ source: bytesSource(out), offset: 0, length: out.length });
}

/** `set(iterable)` / `frozenset(iterable)` of hashable scalars (protocols 2 and 3). */
function pySet(a: unknown[]): PySet {
  const s = new PySet();
  if (a.length === 0) return s;
  const items = a[0];
  if (!Array.isArray(items)) throw new Error(`set() expects a list, got ${describePy(items)}`);
  for (const it of items) {
    if (!(it === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof it))) {
      throw new Error(`unsupported set element of type ${describePy(it)}`);
    }
    s.items.add(it as PyKey);
  }
  return s;
}

/**
 * Hooks giving each allowed GLOBAL of an EDM snapshot its meaning. `label` names the file in errors
 * (also those of the storage blobs, which are parsed as they are met: header only).
 */
export function snapshotHooks(label: string): PickleHooks {
  return {
    global(module, name) {
      const q = `${module}.${name}`;
      if (!ALLOWED_GLOBALS.has(q)) {
        throw new Error(`refusing GLOBAL ${q}: not allowed in an EDM snapshot (nothing is ever executed; allowed: ${[...ALLOWED_GLOBALS.keys()].join(', ')})`);
      }
      return new PyGlobal(module, name);
    },
    reduce(callable, t) {
      const meaning = meaningOf(callable, 'REDUCE');
      const q = (callable as PyGlobal).qualifiedName;
      switch (meaning) {
        case 'persistent-object': return persistentObject(args(t, q, [1])[0]);
        case 'ordered-dict': args(t, q, [0]); return new PyDict(true);
        case 'rebuild-tensor': return rebuildTensor(args(t, q, [6, 7]));
        case 'rebuild-parameter':
        case 'rebuild-parameter-with-state': {
          const [tensor] = args(t, q, meaning === 'rebuild-parameter' ? [3] : [4]);
          if (!(tensor instanceof TorchTensor)) throw new Error(`${q}: expected a tensor, got ${describePy(tensor)}`);
          return tensor;
        }
        case 'load-storage': {
          const [blob] = args(t, q, [1]);
          if (!(blob instanceof PyBytes)) throw new Error(`${q}: expected bytes, got ${describePy(blob)}`);
          return parseLegacyStorage(blob.range, label);
        }
        case 'numpy-scalar': return numpyScalar(args(t, q, [2]));
        case 'numpy-dtype': {
          const [descr] = args(t, q, [3]);
          if (typeof descr !== 'string') throw new Error(`${q}: expected a dtype string, got ${describePy(descr)}`);
          return new NumpyDtype(descr);
        }
        case 'latin1-bytes': return latin1Bytes(args(t, q, [2]));
        case 'empty-bytes': args(t, q, [0]); return new PyBytes({ source: bytesSource(new Uint8Array(0)), offset: 0, length: 0 });
        case 'set': return pySet(args(t, q, [0, 1]));
        case 'module-dict':
          throw new Error(`refusing REDUCE on ${q}: it is only created by NEWOBJ`);
      }
    },
    newobj(cls, t) {
      const meaning = meaningOf(cls, 'NEWOBJ');
      const q = (cls as PyGlobal).qualifiedName;
      if (meaning !== 'module-dict') throw new Error(`refusing NEWOBJ on ${q}: only torch.nn ModuleDict is created that way`);
      args(t, q, [0]);
      return new ContainerModule(q);
    },
    build(obj, state) {
      if (obj instanceof ContainerModule && obj.state === undefined) {
        if (!(state instanceof PyDict)) throw new Error(`${obj.className} state must be a dict, got ${describePy(state)}`);
        obj.state = state;
        return;
      }
      if (obj instanceof NumpyDtype) {
        // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
        const byteOrder = state instanceof PyTuple ? state.items[1] : undefined;
        if (typeof byteOrder !== 'string' || !['<', '>', '|', '='].includes(byteOrder)) {
          throw new Error(`numpy.dtype state must be a tuple with a byte order at index 1, got ${describePy(state)}`);
        }
        obj.byteOrder = byteOrder;
        return;
      }
      throw new Error(`refusing BUILD on ${describePy(obj)}: only a new ModuleDict or a numpy.dtype takes a state`);
    },
  };
}

/**
 * The GLOBALs a `torch.save(state_dict)` file may name (the FID Inception weights, for example): its dict,
 * the tensor rebuilders, and the storage classes inside persistent ids (meaningful only there). Every other
 * name is refused, as for snapshots.
 */
export const STATE_DICT_GLOBALS: readonly string[] = [
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
];

/**
 * Hooks for a pickled state_dict: the snapshot meanings of {@link STATE_DICT_GLOBALS}, storage classes only
 * as persistent-id arguments (`persistentLoad` receives the id), and BUILD only as `state_dict()`'s
 * OrderedDict takes its `_metadata` attribute (module versions; ignored).
 */
export function stateDictHooks(label: string, persistentLoad: (pid: unknown) => unknown): PickleHooks {
  const snapshot = snapshotHooks(label);
  const allowed = (): string => [...STATE_DICT_GLOBALS, 'torch.<Type>Storage in persistent ids'].join(', ');
  return {
    global(module, name) {
      if (STATE_DICT_GLOBALS.includes(`${module}.${name}`) || isStorageGlobal(module, name)) return new PyGlobal(module, name);
      throw new Error(`refusing GLOBAL ${module}.${name}: not allowed in a torch state_dict file (nothing is ever executed; allowed: ${allowed()})`);
    },
    reduce(callable, t) {
      if (callable instanceof PyGlobal && isStorageGlobal(callable.module, callable.name)) {
        throw new Error(`refusing REDUCE on ${callable.qualifiedName}: a storage class is only allowed inside a persistent id`);
      }
      return snapshot.reduce(callable, t);
    },
    newobj(cls) {
      throw new Error(`refusing NEWOBJ on ${describePy(cls)}: a state_dict file creates no objects`);
    },
    build(obj, state) {
      if (obj instanceof PyDict && obj.ordered && state instanceof PyDict && [...state.map.keys()].every((k) => k === '_metadata')) return;
      throw new Error(`refusing BUILD on ${describePy(obj)}: only a state_dict's OrderedDict takes a state (its _metadata)`);
    },
    persistentLoad,
  };
}
