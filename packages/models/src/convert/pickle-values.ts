// The data-only values the snapshot reader builds from a pickle. Nothing here can run code: a Python
// callable named by a pickle becomes a PyGlobal (a name), and each allowed one has a fixed meaning
// (allow-list.ts). Python ints become numbers (bigint beyond 2^53), floats numbers, str strings,
// bytes PyBytes (read lazily), None null, lists arrays; tuples, dicts and sets get classes below.

import type { ByteRange } from './byte-source';

/** A Python bytes value: a range of the source, read only when needed (storage blobs can be large). */
export class PyBytes {
  constructor(readonly range: ByteRange) {}
}

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** A Python dict or collections.OrderedDict (both keep insertion order). */
export class PyDict {
  readonly map = new Map<PyKey, unknown>();
  constructor(readonly ordered = false) {}

  /** Value of a string key, or undefined. */
  get(key: string): unknown {
    return this.map.get(key);
  }
}

/** Dict keys the reader accepts (hashable scalars). */
export type PyKey = string | number | bigint | boolean | null;

/** A Python set or frozenset. */
export class PySet {
  readonly items = new Set<PyKey>();
}

/** A reference to `module.name` pushed by GLOBAL / STACK_GLOBAL (only allowed names get this far). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * A `torch_utils.persistence` object (NVlabs classes such as EDMPrecond, SongUNet, Conv2d, EDMLoss):
 * the class name and the object's `__dict__`. The class's source text (`module_src`) is never kept.
 */
export class PersistentObject {
  constructor(
    readonly className: string,
    readonly state: PyDict,
  ) {}
}

/** A plain torch.nn container (ModuleDict) made by NEWOBJ; its `__dict__` arrives by BUILD. */
export class ContainerModule {
  state: PyDict | undefined;
  constructor(readonly className: string) {}
}

/** A numpy dtype descriptor (`numpy.dtype('f8', False, True)` + BUILD with the byte order). */
export class NumpyDtype {
  /** '<' little, '>' big, '|' not applicable, '=' native (little on every machine torch supports). */
  byteOrder = '=';
  constructor(readonly descr: string) {}
}

/** Element types of torch storages, by their legacy class names. */
export const TORCH_STORAGE_TYPES = {
  FloatStorage: { dtype: 'float32', elementSize: 4 },
  DoubleStorage: { dtype: 'float64', elementSize: 8 },
  HalfStorage: { dtype: 'float16', elementSize: 2 },
  BFloat16Storage: { dtype: 'bfloat16', elementSize: 2 },
  LongStorage: { dtype: 'int64', elementSize: 8 },
  IntStorage: { dtype: 'int32', elementSize: 4 },
  ShortStorage: { dtype: 'int16', elementSize: 2 },
  CharStorage: { dtype: 'int8', elementSize: 1 },
  ByteStorage: { dtype: 'uint8', elementSize: 1 },
  BoolStorage: { dtype: 'bool', elementSize: 1 },
} as const;

/** A torch storage type name, e.g. `FloatStorage`. */
export type TorchStorageType = keyof typeof TORCH_STORAGE_TYPES;

/** Element type of a torch storage. */
export type TorchDtype = (typeof TORCH_STORAGE_TYPES)[TorchStorageType]['dtype'];

/** A torch storage read from a legacy stream: where its little-endian elements lie in the source. */
export class TorchStorage {
  constructor(
    readonly storageType: TorchStorageType,
    /** Number of elements. */
    readonly numel: number,
    /** The elements' bytes (numel * element size), not yet read. */
    readonly data: ByteRange,
  ) {}

  get dtype(): TorchDtype {
    return TORCH_STORAGE_TYPES[this.storageType].dtype;
  }

  get elementSize(): number {
    return TORCH_STORAGE_TYPES[this.storageType].elementSize;
  }
}

/** A tensor (or parameter): a strided view of a storage, as `torch._utils._rebuild_tensor_v2` defines it. */
export class TorchTensor {
  constructor(
    readonly storage: TorchStorage,
    /** Offset of element (0, ..., 0) in the storage, in elements. */
    readonly storageOffset: number,
    /** Shape. */
    readonly size: readonly number[],
    /** Strides, in elements. */
    readonly stride: readonly number[],
  ) {}

  get numel(): number {
    return this.size.reduce((a, b) => a * b, 1);
  }
}

/** A short description of a value's Python type, for error messages. */
export function describePy(v: unknown): string {
  if (v === null) return 'None';
  if (v === undefined) return 'nothing';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof PySet) return 'set';
  if (v instanceof PyGlobal) return `GLOBAL ${v.qualifiedName}`;
  if (v instanceof PersistentObject) return `persistent object ${v.className}`;
  if (v instanceof ContainerModule) return v.className;
  if (v instanceof NumpyDtype) return 'numpy.dtype';
  if (v instanceof TorchStorage) return `torch.${v.storageType}`;
  if (v instanceof TorchTensor) return 'tensor';
  if (v instanceof PyBytes) return 'bytes';
  return typeof v;
}
