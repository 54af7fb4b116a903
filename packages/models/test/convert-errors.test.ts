// edm convert on bad input: truncated pickles, unknown opcodes, refused GLOBALs and calls, non-snapshot
// pickles, unsupported classes, malformed storage blobs. Each gives a clear error naming the file and what
// is wrong (offset, opcode, GLOBAL, entry, tensor), and nothing is executed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bytesSource, convertSnapshot, convertSnapshotTo, PickleError, SnapshotError, TruncatedPickleError } from '../src/convert/index';
import { PickleWriter, Raw, storageBlob, Tup, writeSnapshot, type ModuleSpec, type TensorSpec } from './convert-pickle-writer';

const pkl = new Uint8Array(readFileSync(fileURLToPath(new URL('../../../test/fixtures/pickles/edm-ddpmpp-tiny.pkl', import.meta.url))));
const label = 'bad.pkl';
const run = (bytes: Uint8Array, key?: string) => () => convertSnapshot(bytes, { label, ...(key && { key }) });

const net = (params: [string, TensorSpec | null][], extra: Partial<ModuleSpec> = {}): ModuleSpec => ({
  className: 'EDMPrecond',
  modules: [['model', { className: 'SongUNet', params }]],
  initKwargs: [['model_type', 'SongUNet']],
  ...extra,
});
const ok: TensorSpec = { storage: [1, 2, 3], size: [3] };

describe('truncated pickles', () => {
  it.each([
    ['inside the PROTO argument', 1],
    ['inside the FRAME argument', 5],
    ['inside the module source text', 100],
    ['inside the first storage blob', 38000],
    ['halfway', Math.floor(pkl.length / 2)],
    ['just before STOP', pkl.length - 1],
  ])('%s', (_what, cut) => {
    const f = run(pkl.subarray(0, cut));
    expect(f).toThrow(TruncatedPickleError);
    expect(f).toThrow(new RegExp(`^${label}: truncated: .*needs \\d+ byte\\(s\\) at offset \\d+, but the data ends at offset ${cut}$`));
  });

  it('names the opcode whose argument is cut', () => {
    expect(run(pkl.subarray(0, 5))).toThrow(/FRAME: needs 8 byte\(s\) at offset 3/);
  });
});

describe('unknown and unsupported opcodes', () => {
  it('names an unknown opcode and its offset', () => {
    const bad = pkl.slice();
    bad[11] = 0xff; // was EMPTY_DICT
    expect(run(bad)).toThrow(PickleError);
    expect(run(bad)).toThrow(`${label}: offset 11: unknown opcode 0xff (not a pickle, or corrupt)`);
  });

  it('refuses protocol-0 object creation (INST) and out-of-band buffers', () => {
    const inst = new PickleWriter().proto(2).raw(0x69).rawBytes(new TextEncoder().encode('os\nsystem\n')).stop().finish();
    expect(run(inst)).toThrow(/offset 2: INST: not supported: protocol 0 object creation/);
    const oob = new PickleWriter().proto(5).raw(0x97).stop().finish();
    expect(run(oob)).toThrow(/NEXT_BUFFER: not supported: out-of-band buffers/);
  });

  it('refuses an unsupported protocol, a non-pickle, an empty file and a zip archive', () => {
    expect(run(new PickleWriter().proto(6).none().stop().finish())).toThrow(/PROTO: pickle protocol 6 is not supported/);
    expect(run(new TextEncoder().encode('hello'))).toThrow(/bad.pkl: not a pickle of protocol 2 or later \(first byte 0x68/);
    expect(run(new Uint8Array(0))).toThrow(/bad.pkl: empty file/);
    expect(run(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]))).toThrow(/zip archive \(a torch.save checkpoint\?\)/);
  });

  it('reports a malformed stack (STOP with two values, SETITEMS without MARK)', () => {
    expect(run(new PickleWriter().proto(2).none().none().stop().finish())).toThrow(/offset 4: STOP: expected exactly one value/);
    expect(run(new PickleWriter().proto(2).raw(0x7d).raw(0x75).stop().finish())).toThrow(/SETITEMS: no MARK on the stack/);
  });
});

describe('GLOBALs and calls outside the allow-list', () => {
  it('refuses builtins.eval by STACK_GLOBAL before anything is called', () => {
    const w = new PickleWriter().proto(4).global('builtins', 'eval').value(new Tup(['1+1'])).raw(0x52).stop();
    expect(run(w.finish())).toThrow(/bad.pkl: offset \d+: STACK_GLOBAL: refusing GLOBAL builtins.eval: not allowed in an EDM snapshot/);
  });

  it('refuses os.system by text GLOBAL, inside a snapshot entry', () => {
    const pickle = writeSnapshot(net([['w', ok]]), { extra: [['x', new Raw((w) => w.globalText('os', 'system'))]] });
    expect(run(pickle)).toThrow(/GLOBAL: refusing GLOBAL os.system/);
  });

  it('refuses torch GLOBALs that are not on the list (old _rebuild_tensor, torch.load)', () => {
    const pickle = writeSnapshot(net([['w', ok]]), { extra: [['x', new Raw((w) => w.global('torch._utils', '_rebuild_tensor'))]] });
    expect(run(pickle)).toThrow(/refusing GLOBAL torch._utils._rebuild_tensor:/);
  });

  it('refuses a non-storage GLOBAL inside a storage blob', () => {
    const blob = storageBlob([1, 2, 3]);
    const at = new TextDecoder('latin1').decode(blob).indexOf('torch\nFloatStorage\n');
    const evil = new Uint8Array([...blob.subarray(0, at), ...new TextEncoder().encode('os\nsystem\n'), ...blob.subarray(at + 19)]);
    expect(run(writeSnapshot(net([['w', { ...ok, blob: evil }]])))).toThrow(/storage blob at offset \d+ \(\d+ bytes\): offset \d+: GLOBAL: refusing GLOBAL os.system: not a torch storage type/);
  });

  it('refuses REDUCE on a value that is not a GLOBAL, NEWOBJ and BUILD on the wrong objects', () => {
    const reduceStr = new PickleWriter().proto(2).str('print').raw(0x29, 0x52).stop().finish();
    expect(run(reduceStr)).toThrow(/REDUCE: refusing REDUCE on str: only allowed GLOBALs may be called/);
    const newobj = new PickleWriter().proto(4).global('collections', 'OrderedDict').raw(0x29, 0x81).stop().finish();
    expect(run(newobj)).toThrow(/NEWOBJ: refusing NEWOBJ on collections.OrderedDict/);
    const build = new PickleWriter().proto(2).raw(0x7d).raw(0x7d).raw(0x62).stop().finish();
    expect(run(build)).toThrow(/BUILD: refusing BUILD on dict/);
    const reduceDict = new PickleWriter().proto(4).global('torch.nn.modules.container', 'ModuleDict').raw(0x29, 0x52).stop().finish();
    expect(run(reduceDict)).toThrow(/refusing REDUCE on torch.nn.modules.container.ModuleDict/);
  });

  it('refuses a persistent id outside a storage blob', () => {
    expect(run(new PickleWriter().proto(2).str('x').raw(0x51).stop().finish())).toThrow(/BINPERSID: persistent ids are not allowed here/);
  });

  it('refuses persistence meta other than type class, version 6', () => {
    expect(run(writeSnapshot(net([['w', ok]], { version: 5 })))).toThrow(/persistent object version 5 is not supported \(expected 6\)/);
    expect(run(writeSnapshot(net([['w', ok]], { metaType: 'function' })))).toThrow(/meta type must be 'class', got "function"/);
  });
});

describe('pickles that are not convertible EDM snapshots', () => {
  it('a pickle of something else', () => {
    const list = new PickleWriter().proto(4).value([1, 2]).stop().finish();
    expect(run(list)).toThrow(SnapshotError);
    expect(run(list)).toThrow(/not an EDM network snapshot: the pickle holds a list, expected a dict with 'ema'/);
    const dict = new PickleWriter().proto(4).value({ state_dict: 1 }).stop().finish();
    expect(run(dict)).toThrow(/the pickle holds a dict with keys 'state_dict',/);
  });

  it('an unknown --key, and entries that are not networks', () => {
    const pickle = writeSnapshot(net([['w', ok]]));
    expect(run(pickle, 'nope')).toThrow("bad.pkl: no entry 'nope' in the snapshot (entries: 'ema', 'loss_fn', 'augment_pipe', 'dataset_kwargs')");
    expect(run(pickle, 'loss_fn')).toThrow(/entry 'loss_fn': unsupported class EDMLoss \(supported: EDMPrecond, VPPrecond, VEPrecond, iDDPMPrecond\)/);
    expect(run(pickle, 'dataset_kwargs')).toThrow(/entry 'dataset_kwargs' is a dict, not a network/);
    expect(run(pickle, 'augment_pipe')).toThrow(/entry 'augment_pipe' is a None, not a network/);
  });

  it('an unsupported network class or backbone', () => {
    expect(run(writeSnapshot(net([['w', ok]], { className: 'Generator' })))).toThrow(/entry 'ema': unsupported class Generator/);
    const other: ModuleSpec = { className: 'EDMPrecond', modules: [['model', { className: 'UNet2DModel' }]] };
    expect(run(writeSnapshot(other))).toThrow(/unsupported backbone persistent object UNet2DModel in .model \(supported: SongUNet, DhariwalUNet\)/);
  });

  it('constructor arguments JSON cannot carry, or positional ones', () => {
    expect(run(writeSnapshot(net([['w', ok]], { initKwargs: [['model_type', 'SongUNet'], ['big', new Raw((w) => w.long1(2n ** 64n))]] }))))
      .toThrow(/EDMPrecond kwargs.big is the integer 18446744073709551616: beyond 2\^53/);
    expect(run(writeSnapshot(net([['w', ok]], { initArgs: [8] })))).toThrow(/was built with positional arguments/);
    expect(run(writeSnapshot(net([['w', ok]], { initKwargs: [['model_type', 'SongUNet'], ['s', new Raw((w) => w.raw(0x8f))]] }))))
      .toThrow(/EDMPrecond kwargs.s is a set: expected None, bool, number, str, list, tuple or dict/);
    expect(run(writeSnapshot(net([['w', ok]], { initKwargs: [['model_type', 'SongUNet'], ['t', new Raw((w) => w.tensor(ok))]] }))))
      .toThrow(/EDMPrecond kwargs.t is a tensor: expected None, bool, number, str, list, tuple or dict/);
  });
});

describe('malformed tensors and storage blobs', () => {
  const withBlob = (blob: Uint8Array) => run(writeSnapshot(net([['w', { ...ok, blob }]])));
  it.each([
    ['element count differs from numel', storageBlob([1, 2, 3], 'FloatStorage', { count: 2 }), /element count 2 differs from the storage's numel 3/],
    ['bytes after the data', storageBlob([1, 2, 3], 'FloatStorage', { trailing: 4 }), /4 unexpected byte\(s\) after the storage data/],
    ['key list other than [key]', storageBlob([1, 2, 3], 'FloatStorage', { keys: ['1', '2'] }), /storage key list must be exactly \['94773425167632'\], got \["1","2"\]/],
    ['big-endian storage', storageBlob([1, 2, 3], 'FloatStorage', { littleEndian: false }), /little_endian: True/],
    ['wrong magic number', storageBlob([1, 2, 3], 'FloatStorage', { magic: 12345n }), /bad magic number 12345/],
    ['data shorter than numel', storageBlob([1, 2], 'FloatStorage', { numel: 3 }), /truncated: 3 x 4-byte elements of torch.FloatStorage: needs 12 byte\(s\)/],
  ])('%s', (_what, blob, message) => {
    expect(withBlob(blob)).toThrow(PickleError);
    expect(withBlob(blob)).toThrow(message);
  });

  it('a view reaching past its storage', () => {
    expect(run(writeSnapshot(net([['w', { storage: [1, 2, 3], size: [2, 2] }]]))))
      .toThrow(/_rebuild_tensor_v2|REDUCE: tensor of size \(2, 2\), stride \(2, 1\), offset 0 reaches element 3 of a storage of 3/);
  });

  it('an integer tensor, named, before anything is written', async () => {
    const pickle = writeSnapshot(net([['w', ok], ['steps', { storage: [1, 2], size: [2], storageType: 'LongStorage' }]]));
    expect(run(pickle)).toThrow("tensor 'model.steps' is int64 (torch.LongStorage): only floating-point tensors can be converted to F32");
    const chunks: Uint8Array[] = [];
    await expect(convertSnapshotTo(bytesSource(pickle), (c) => { chunks.push(c); })).rejects.toThrow(/model.steps/);
    expect(chunks).toHaveLength(0);
  });
});
