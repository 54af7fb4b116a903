// Test helper: writes pickles opcode by opcode, the way CPython's pickler and torch write an NVlabs
// network snapshot (test/fixtures/pickles/README.md), so the converter's tests can build snapshots of any
// preconditioning, backbone and tensor layout, and broken ones, without Python.

/** Marks a value to be written as a tuple. */
export class Tup {
  constructor(readonly items: unknown[]) {}
}

/** A value written by a callback (GLOBALs, REDUCEs, raw opcodes). */
export class Raw {
  constructor(readonly write: (w: PickleWriter) => void) {}
}

/** Tensor data for {@link PickleWriter.tensor}. */
export interface TensorSpec {
  /** Storage elements (as numbers; encoded by `storageType`). */
  storage: ArrayLike<number>;
  size: number[];
  /** Default: row-major contiguous. */
  stride?: number[];
  /** Default 0. */
  offset?: number;
  /** Default `FloatStorage`. */
  storageType?: 'FloatStorage' | 'DoubleStorage' | 'HalfStorage' | 'BFloat16Storage' | 'LongStorage';
  /** Write as a parameter (`_rebuild_parameter`), default true. */
  parameter?: boolean;
  /** Storage blob bytes to write instead of the well-formed one (to test refusals). */
  blob?: Uint8Array;
  /** Written instead of the whole tensor (e.g. a memo reference to another one). */
  raw?: Raw;
  /**
   * Leaves the storage's elements out of the pickle (for large sparse files): `marker` stands where its
   * `bytes` bytes go, and the caller writes them there (convert-hostile.ts `writeSparseSnapshot`).
   */
  hole?: { bytes: number; marker: Uint8Array };
}

/** Bytes per element, per storage type. */
const ELEMENT_SIZE = { FloatStorage: 4, DoubleStorage: 8, HalfStorage: 2, BFloat16Storage: 2, LongStorage: 8 };

/** Low-level pickle writer: one method per opcode family. */
export class PickleWriter {
  /**
   * Protocol the high-level methods write, as CPython does: 4 (MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE,
   * EMPTY_SET), 3 (BINPUT, text GLOBAL, BINUNICODE, set([...])) or 2 (also bytes as
   * _codecs.encode(text, 'latin1') and builtins spelled __builtin__).
   */
  constructor(readonly protocol: 2 | 3 | 4 = 4) {}

  private out: number[] = [];
  private readonly chunks: Uint8Array[] = [];
  private memoCount = 0;
  private readonly memoOfGlobal = new Map<string, number>();

  raw(...bytes: number[]): this {
    for (const b of bytes) this.out.push(b);
    return this;
  }

  rawBytes(b: Uint8Array): this {
    if (b.length < 4096) {
      for (const x of b) this.out.push(x);
      return this;
    }
    this.chunks.push(new Uint8Array(this.out), b);
    this.out = [];
    return this;
  }

  /** n as `size` little-endian bytes. */
  le(n: number, size: number): this {
    for (let i = 0; i < size; i++) this.out.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
    return this;
  }

  proto(n: number): this { return this.raw(0x80, n); }
  stop(): this { return this.raw(0x2e); }
  mark(): this { return this.raw(0x28); }
  memoize(): this {
    const i = this.memoCount++;
    if (this.protocol >= 4) return this.raw(0x94);
    return i < 256 ? this.raw(0x71, i) : this.raw(0x72).le(i, 4);
  }
  binput(i: number): this { return this.raw(0x71, i); }
  binget(i: number): this { return i < 256 ? this.raw(0x68, i) : this.raw(0x6a).le(i, 4); }
  none(): this { return this.raw(0x4e); }
  bool(b: boolean): this { return this.raw(b ? 0x88 : 0x89); }

  int(n: number): this {
    if (n >= 0 && n < 256) return this.raw(0x4b, n);
    if (n >= 0 && n < 65536) return this.raw(0x4d).le(n, 2);
    if (n >= -(2 ** 31) && n < 2 ** 31) return this.raw(0x4a).le(n < 0 ? n + 2 ** 32 : n, 4);
    throw new Error('int out of BININT range');
  }

  /** LONG1 of a bigint (two's complement little-endian). */
  long1(v: bigint): this {
    const bytes: number[] = [];
    let x = v;
    for (;;) {
      bytes.push(Number(x & 0xffn));
      x >>= 8n;
      if ((x === 0n && !(bytes[bytes.length - 1]! & 0x80)) || (x === -1n && bytes[bytes.length - 1]! & 0x80)) break;
    }
    return this.raw(0x8a, bytes.length, ...bytes);
  }

  float(x: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    return this.raw(0x47).rawBytes(b);
  }

  str(s: string): this {
    const b = new TextEncoder().encode(s);
    if (b.length < 256 && this.protocol >= 4) return this.raw(0x8c, b.length).rawBytes(b);
    return this.raw(0x58).le(b.length, 4).rawBytes(b);
  }

  /** BINUNICODE with a length prefix, as protocol 2 storage headers write strings. */
  str2(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.raw(0x58).le(b.length, 4).rawBytes(b);
  }

  bytes(b: Uint8Array): this {
    if (this.protocol < 3) {
      if (b.length === 0) return this.global('builtins', 'bytes').raw(0x29, 0x52).memoize();
      let text = '';
      for (let i = 0; i < b.length; i += 8192) text += String.fromCharCode(...b.subarray(i, i + 8192));
      return this.global('_codecs', 'encode').str(text).memoize().str('latin1').memoize().raw(0x86, 0x52).memoize();
    }
    if (b.length < 256) return this.raw(0x43, b.length).rawBytes(b);
    return this.raw(0x42).le(b.length, 4).rawBytes(b);
  }

  /** STACK_GLOBAL module.name, memoised once and reused by BINGET like CPython does. */
  global(module: string, name: string): this {
    const q = `${module}.${name}`;
    const m = this.memoOfGlobal.get(q);
    if (m !== undefined) return this.binget(m);
    if (this.protocol >= 4) this.str(module).memoize().str(name).memoize().raw(0x93).memoize();
    else this.globalText(this.protocol < 3 && module === 'builtins' ? '__builtin__' : module, name).memoize();
    this.memoOfGlobal.set(q, this.memoCount - 1);
    return this;
  }

  /** A set of strings: EMPTY_SET + ADDITEMS (protocol 4), else builtins.set([...]). */
  set(items: string[]): this {
    if (this.protocol >= 4) {
      this.raw(0x8f).memoize();
      if (items.length === 0) return this;
      this.mark();
      for (const it of items) this.str(it);
      return this.raw(0x90);
    }
    return this.global('builtins', 'set').value(items).raw(0x85, 0x52).memoize();
  }

  /** GLOBAL opcode (text form). */
  globalText(module: string, name: string): this {
    return this.raw(0x63).rawBytes(new TextEncoder().encode(`${module}\n${name}\n`));
  }

  tuple(items: unknown[]): this {
    if (items.length === 0) return this.raw(0x29);
    if (items.length <= 3) {
      for (const it of items) this.value(it);
      return this.raw(0x84 + items.length);
    }
    this.mark();
    for (const it of items) this.value(it);
    return this.raw(0x74);
  }

  /** A plain value: null, boolean, number (int or float by Number.isInteger unless float forced), string, array, Tup, Map/object (dict), Raw. */
  value(v: unknown): this {
    if (v === null) return this.none();
    if (typeof v === 'boolean') return this.bool(v);
    if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? this.int(v) : this.float(v);
    if (typeof v === 'bigint') return this.long1(v);
    if (typeof v === 'string') return this.str(v);
    if (v instanceof Uint8Array) return this.bytes(v);
    if (v instanceof Raw) { v.write(this); return this; }
    if (v instanceof Tup) return this.tuple(v.items);
    if (Array.isArray(v)) {
      this.raw(0x5d).memoize();
      if (v.length === 0) return this;
      this.mark();
      for (const it of v) this.value(it);
      return this.raw(0x65);
    }
    if (v instanceof Map) return this.dict([...v.entries()]);
    if (typeof v === 'object') return this.dict(Object.entries(v as Record<string, unknown>));
    throw new Error(`cannot write ${typeof v}`);
  }

  dict(entries: [unknown, unknown][]): this {
    this.raw(0x7d).memoize();
    if (entries.length === 0) return this;
    this.mark();
    for (const [k, v] of entries) this.value(k).value(v);
    return this.raw(0x75);
  }

  /** collections.OrderedDict() then its items. */
  orderedDict(entries: [string, unknown][]): this {
    this.global('collections', 'OrderedDict').raw(0x29, 0x52).memoize();
    if (entries.length === 0) return this;
    this.mark();
    for (const [k, v] of entries) this.value(k).value(v);
    return this.raw(0x75);
  }

  /** numpy.core.multiarray.scalar(dtype('f8'), <8 bytes LE>), as numpy pickles np.float64. */
  numpyF8(x: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, true);
    this.global('numpy.core.multiarray', 'scalar');
    this.global('numpy', 'dtype').value(new Tup(['f8', false, true])).raw(0x52).memoize();
    this.value(new Tup([3, '<', null, null, null, -1, -1, 0])).raw(0x62);
    return this.bytes(b).raw(0x86, 0x52).memoize();
  }

  /** A tensor or parameter: _rebuild_tensor_v2 over a legacy storage blob (README section 4). */
  tensor(t: TensorSpec): this {
    if (t.raw) {
      t.raw.write(this);
      return this;
    }
    const parameter = t.parameter ?? true;
    if (parameter) this.global('torch._utils', '_rebuild_parameter');
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    this.global('torch.storage', '_load_from_bytes');
    if (t.hole) {
      const type = t.storageType ?? 'FloatStorage';
      const head = storageBlob([], type, { numel: t.hole.bytes / ELEMENT_SIZE[type] });
      this.raw(0x42).le(head.length + t.hole.bytes, 4).rawBytes(head).rawBytes(t.hole.marker);
    } else this.bytes(t.blob ?? storageBlob(t.storage, t.storageType ?? 'FloatStorage'));
    this.raw(0x85, 0x52).memoize();
    const stride = t.stride ?? t.size.map((_, i) => t.size.slice(i + 1).reduce((a, b) => a * b, 1));
    this.int(t.offset ?? 0).tuple(t.size).tuple(stride).bool(false).orderedDict([]).raw(0x74, 0x52).memoize();
    if (parameter) this.bool(false).orderedDict([]).raw(0x87, 0x52).memoize();
    return this;
  }

  /** The pickle so far, as chunks (large byte strings are not copied). */
  finishChunks(): Uint8Array[] {
    return [...this.chunks, new Uint8Array(this.out)];
  }

  finish(): Uint8Array {
    const chunks = this.finishChunks();
    const all = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) { all.set(c, at); at += c.byteLength; }
    return all;
  }
}

/** torch.save(storage, _use_new_zipfile_serialization=False) bytes: five protocol-2 pickles, count, data. */
export function storageBlob(
  values: ArrayLike<number>,
  storageType: keyof typeof ELEMENT_SIZE = 'FloatStorage',
  opts: { key?: string; numel?: number; count?: number; keys?: string[]; trailing?: number; littleEndian?: boolean; magic?: bigint } = {},
): Uint8Array {
  const key = opts.key ?? '94773425167632';
  const numel = opts.numel ?? values.length;
  const w = new PickleWriter(2);
  w.proto(2).long1(opts.magic ?? 0x1950a86a20f9469cfc6cn).stop();
  w.proto(2).int(1001).stop();
  w.proto(2).raw(0x7d).binput(0).mark().str2('protocol_version').binput(1).int(1001).str2('little_endian').binput(2)
    .bool(opts.littleEndian ?? true).str2('type_sizes').binput(3).raw(0x7d).binput(4).mark().str2('short').binput(5).int(2)
    .str2('int').binput(6).int(4).str2('long').binput(7).int(4).raw(0x75, 0x75).stop();
  w.proto(2).mark().str2('storage').binput(0).globalText('torch', storageType).binput(1).str2(key).binput(2).str2('cpu')
    .binput(3).int(numel).none().raw(0x74).binput(4).raw(0x51).stop();
  w.proto(2).raw(0x5d).binput(0);
  for (const k of opts.keys ?? [key]) w.str2(k).binput(1).raw(0x61);
  w.stop();
  const head = w.finish();
  const es = ELEMENT_SIZE[storageType];
  const out = new Uint8Array(head.length + 8 + values.length * es + (opts.trailing ?? 0));
  out.set(head);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(head.length, BigInt(opts.count ?? numel), true);
  const at = head.length + 8;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (storageType === 'FloatStorage') dv.setFloat32(at + 4 * i, x, true);
    else if (storageType === 'DoubleStorage') dv.setFloat64(at + 8 * i, x, true);
    else if (storageType === 'LongStorage') dv.setBigInt64(at + 8 * i, BigInt(x), true);
    else if (storageType === 'BFloat16Storage') {
      const f = new Float32Array([x]);
      dv.setUint16(at + 2 * i, new Uint32Array(f.buffer)[0]! >>> 16, true);
    } else dv.setUint16(at + 2 * i, x, true); // HalfStorage: values are raw binary16 bit patterns
  }
  return out;
}

/** A module for {@link writeSnapshot}: an NVlabs persistent class, or a torch.nn ModuleDict. */
export interface ModuleSpec {
  className: string;
  /** Write as `torch.nn.modules.container.ModuleDict` (NEWOBJ + BUILD) instead of a persistent object. */
  container?: boolean;
  params?: [string, TensorSpec | null][];
  buffers?: [string, TensorSpec | null][];
  nonPersistent?: string[];
  modules?: [string, ModuleSpec | null][];
  /** The class's own attributes, after the module fields. */
  attrs?: [string, unknown][];
  /** `_init_kwargs` (omitted for containers). */
  initKwargs?: [string, unknown][];
  initArgs?: unknown[];
  /** Persistence meta overrides (to test refusals). */
  metaType?: string;
  version?: number;
}

const MODULE_SOURCE = '# the module source NVlabs persistence records; never executed\nclass X: pass\n';

/** Writes a persistent object (`_reconstruct_persistent_obj(meta)`) whose state is written by `state`. */
export function writePersistent(w: PickleWriter, className: string, state: (w: PickleWriter) => void, meta: { type?: string; version?: number } = {}): void {
  w.global('torch_utils.persistence', '_reconstruct_persistent_obj');
  w.raw(0x7d).memoize().mark();
  w.str('type').str(meta.type ?? 'class').str('version').int(meta.version ?? 6);
  w.str('module_src').str(MODULE_SOURCE).str('class_name').str(className).str('state');
  state(w);
  w.raw(0x75, 0x85, 0x52).memoize();
}

/** Writes a torch.nn.Module (persistent object or ModuleDict), the fields in PyTorch 1.13's order. */
export function writeModule(w: PickleWriter, m: ModuleSpec): void {
  const fields = (w2: PickleWriter): void => {
    w2.raw(0x7d).memoize().mark();
    w2.str('training').bool(false);
    w2.str('_parameters').orderedDict((m.params ?? []).map(([k, t]) => [k, t === null ? null : new Raw((x) => x.tensor(t))]));
    w2.str('_buffers').orderedDict((m.buffers ?? []).map(([k, t]) => [k, t === null ? null : new Raw((x) => x.tensor({ ...t, parameter: false }))]));
    w2.str('_non_persistent_buffers_set').set(m.nonPersistent ?? []);
    for (const hooks of ['_backward_hooks', '_forward_hooks', '_forward_pre_hooks', '_state_dict_hooks']) w2.str(hooks).orderedDict([]);
    w2.str('_is_full_backward_hook').none();
    w2.str('_modules').orderedDict((m.modules ?? []).map(([k, c]) => [k, c === null ? null : new Raw((x) => writeModule(x, c))]));
    for (const [k, v] of m.attrs ?? []) w2.str(k).value(v);
    if (!m.container) {
      w2.str('_init_args').value(new Tup(m.initArgs ?? []));
      w2.str('_init_kwargs').dict(m.initKwargs ?? []);
    }
    w2.raw(0x75);
  };
  if (m.container) {
    w.global('torch.nn.modules.container', m.className).raw(0x29, 0x81).memoize();
    fields(w);
    w.raw(0x62);
    return;
  }
  writePersistent(w, m.className, fields, { ...(m.metaType && { type: m.metaType }), ...(m.version && { version: m.version }) });
}

/** A whole snapshot pickle: {ema, loss_fn, augment_pipe, dataset_kwargs} as training_loop.py writes it. */
export function writeSnapshot(ema: ModuleSpec, opts: SnapshotOptions = {}): Uint8Array {
  return snapshotWriter(ema, opts).finish();
}

/** Options of {@link writeSnapshot}. */
export interface SnapshotOptions {
  /** Write an AugmentPipe object instead of None. */
  augmentPipe?: boolean;
  /** More top-level entries. */
  extra?: [string, unknown][];
  /** Pickle protocol of the outer pickle (storage blobs are always protocol 2). Default 4. */
  protocol?: 2 | 3 | 4;
}

/** {@link writeSnapshot}, returning the writer (its `finishChunks()` avoids one big copy for large files). */
export function snapshotWriter(ema: ModuleSpec, opts: SnapshotOptions = {}): PickleWriter {
  const w = new PickleWriter(opts.protocol ?? 4);
  w.proto(w.protocol);
  if (w.protocol >= 4) w.raw(0x95).le(0, 8);
  w.raw(0x7d).memoize().mark();
  w.str('ema');
  writeModule(w, ema);
  w.str('loss_fn');
  writePersistent(w, 'EDMLoss', (x) => x.dict([['P_mean', -1.2], ['P_std', 1.2], ['sigma_data', 0.5], ['_init_args', new Tup([])], ['_init_kwargs', {}]]));
  w.str('augment_pipe');
  if (opts.augmentPipe) {
    writePersistent(w, 'AugmentPipe', (x) => x.dict([['p', 0.12], ['xflip', 100000000.0], ['yflip', 1.0], ['_init_args', new Tup([])],
      ['_init_kwargs', { p: 0.12, xflip: 100000000.0 }]]));
  } else w.none();
  w.str('dataset_kwargs').value({ class_name: 'training.dataset.ImageFolderDataset', path: 'x.zip', use_labels: true });
  for (const [k, v] of opts.extra ?? []) w.str(k).value(v);
  w.raw(0x75).stop();
  return w;
}
