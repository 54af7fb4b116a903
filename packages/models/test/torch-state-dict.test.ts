// readTorchStateDict: torch.save(state_dict) files in the legacy and zip formats, read without executing
// anything; refusals name the file and the problem.
import { describe, expect, it } from 'vitest';
import { unzipSync, zipSync } from 'fflate';
import { PickleError, readTorchStateDict, SnapshotError, stateDictTensorF32 } from '../src/index';
import { PickleWriter } from './convert-pickle-writer';
import {
  floatStorage, legacyToZip, writeLegacyStateDict, writeZipStateDict, type StateDictSpec,
} from './torch-save-writer';

/** Two storages; `b.weight` is a transposed view and `b.bias` a view at an offset of the same storage. */
function spec(orderedWithMetadata = false): StateDictSpec {
  const doubles = new Float64Array([0.5, -1.25, 3]);
  return {
    orderedWithMetadata,
    storages: new Map([
      ['140', floatStorage([1, 2, 3, 4, 5, 6])],
      ['77', floatStorage([10, 20, 30, 40, 50, 60, 70, 80])],
      ['9', { storageType: 'DoubleStorage', bytes: new Uint8Array(doubles.buffer) }],
      ['12', { storageType: 'LongStorage', bytes: new Uint8Array(new BigInt64Array([7n]).buffer) }],
    ]),
    entries: [
      { name: 'a.weight', storage: '140', size: [2, 3] },
      { name: 'b.weight', storage: '77', size: [3, 2], stride: [1, 3] },
      { name: 'b.bias', storage: '77', size: [2], offset: 6 },
      { name: 'c.running_var', storage: '9', size: [3] },
      { name: 'c.num_batches_tracked', storage: '12', size: [] },
    ],
  };
}

function values(bytes: Uint8Array): Record<string, number[]> {
  const { entries } = readTorchStateDict(bytes, { label: 'x.pth' });
  const out: Record<string, number[]> = {};
  for (const e of entries) if (e.tensor.storage.dtype !== 'int64') out[e.name] = [...stateDictTensorF32(e)];
  return out;
}

const EXPECTED = {
  'a.weight': [1, 2, 3, 4, 5, 6],
  'b.weight': [10, 40, 20, 50, 30, 60],
  'b.bias': [70, 80],
  'c.running_var': [0.5, -1.25, 3],
};

describe('readTorchStateDict', () => {
  it('reads the legacy format: names in order, shapes, dtypes, strided views', () => {
    const bytes = writeLegacyStateDict(spec());
    const sd = readTorchStateDict(bytes, { label: 'x.pth' });
    expect(sd.format).toBe('legacy');
    expect(sd.entries.map((e) => [e.name, e.tensor.size, e.tensor.storage.dtype])).toEqual([
      ['a.weight', [2, 3], 'float32'], ['b.weight', [3, 2], 'float32'], ['b.bias', [2], 'float32'],
      ['c.running_var', [3], 'float64'], ['c.num_batches_tracked', [], 'int64'],
    ]);
    expect(values(bytes)).toEqual(EXPECTED);
  });

  it('reads the zip format, under any archive name, with the same tensors', () => {
    for (const archive of ['archive', 'pt_inception-2015-12-05-6726825d']) {
      const bytes = writeZipStateDict(spec(), archive);
      expect(readTorchStateDict(bytes).format).toBe('zip');
      expect(values(bytes)).toEqual(EXPECTED);
    }
  });

  it('re-writes a legacy file in the zip format (the test helper) with identical tensors', () => {
    const zip = legacyToZip(writeLegacyStateDict(spec()));
    expect(readTorchStateDict(zip).format).toBe('zip');
    expect(values(zip)).toEqual(EXPECTED);
  });

  it("accepts state_dict()'s OrderedDict with its _metadata attribute, in both formats", () => {
    expect(values(writeLegacyStateDict(spec(true)))).toEqual(EXPECTED);
    expect(values(writeZipStateDict(spec(true)))).toEqual(EXPECTED);
  });

  it('refuses a GLOBAL outside the state_dict allow-list, naming it', () => {
    const w = new PickleWriter(2);
    w.proto(2).global('os', 'system').str('echo hi').raw(0x85, 0x52).stop();
    const zip = zipSync({ 'archive/data.pkl': [w.finish(), { level: 0 }] });
    expect(() => readTorchStateDict(zip, { label: 'evil.pth' })).toThrow(/evil\.pth.*refusing GLOBAL os\.system/);
  });

  it('refuses calling a storage class outside a persistent id', () => {
    const w = new PickleWriter(2);
    w.proto(2).global('torch', 'FloatStorage').raw(0x29, 0x52).stop();
    const zip = zipSync({ 'archive/data.pkl': [w.finish(), { level: 0 }] });
    expect(() => readTorchStateDict(zip)).toThrow(/refusing REDUCE on torch\.FloatStorage/);
  });

  /** The zip file's records, with `change` applied, re-packed (stored unless `deflate` names a record). */
  function repack(change: (files: Record<string, Uint8Array>) => void, deflate = ''): Uint8Array {
    const files = unzipSync(writeZipStateDict(spec()));
    change(files);
    return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [v, { level: k === deflate ? 6 : 0 }]])));
  }

  it('refuses a compressed zip entry, naming it', () => {
    expect(() => readTorchStateDict(repack(() => {}, 'archive/data/77'), { label: 'z.pth' }))
      .toThrow(/z\.pth: zip archive: entry 'archive\/data\/77' is compressed/);
    expect(values(repack(() => {}))).toEqual(EXPECTED);
  });

  it('refuses a zip whose storage record is missing or has the wrong size', () => {
    expect(() => readTorchStateDict(repack((f) => { delete f['archive/data/77']; })))
      .toThrow(/storage '77' has no record 'archive\/data\/77'/);
    expect(() => readTorchStateDict(repack((f) => { f['archive/data/77'] = f['archive/data/77']!.subarray(0, 28); })))
      .toThrow(/storage '77' \(8 x torch\.FloatStorage\) needs 32 bytes, its record has 28/);
    expect(() => readTorchStateDict(repack((f) => { f['archive/byteorder'] = new TextEncoder().encode('big'); })))
      .toThrow(/byte order 'big'/);
  });

  it('refuses a truncated legacy file, naming the storage being read', () => {
    const bytes = writeLegacyStateDict(spec());
    expect(() => readTorchStateDict(bytes.subarray(0, bytes.length - 3), { label: 'cut.pth' }))
      .toThrow(/cut\.pth: truncated: .*elements of storage '12'/);
  });

  it('refuses trailing bytes, a non-torch file, and a dict holding something other than tensors', () => {
    const bytes = writeLegacyStateDict(spec());
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect(() => readTorchStateDict(longer)).toThrow(/4 unexpected byte\(s\) after the last storage/);
    expect(() => readTorchStateDict(new TextEncoder().encode('hello'), { label: 'h.txt' })).toThrow(/h\.txt: not a torch\.save file/);
    const w = new PickleWriter(2);
    w.proto(2).value({ epoch: 3 }).stop();
    const zip = zipSync({ 'archive/data.pkl': [w.finish(), { level: 0 }] });
    const err = (() => { try { readTorchStateDict(zip, { label: 'ckpt.pth' }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(SnapshotError);
    expect((err as Error).message).toMatch(/ckpt\.pth: entry 'epoch' is a number, not a tensor/);
    expect(() => readTorchStateDict(zipSync({ 'archive/other': [new Uint8Array(1), { level: 0 }] }))).toThrow(PickleError);
  });

  it('refuses an integer tensor where F32 values are asked for', () => {
    const { entries } = readTorchStateDict(writeLegacyStateDict(spec()));
    expect(() => stateDictTensorF32(entries[4]!)).toThrow(/c\.num_batches_tracked' is int64/);
  });
});
