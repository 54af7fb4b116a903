// edm convert on hostile snapshots (limits.ts): memo references written as copies ("billion laughs"),
// values nested thousands of levels deep, stride-0 broadcasts and shapes the config does not declare, huge
// value and tensor counts, control characters in names. Each is refused with a clear message, or converted
// without the parts the converter does not need, fast and in little memory.
import { describe, expect, it } from 'vitest';
import { bytesSource, convertSnapshot, PickleError, readSnapshot, SnapshotError } from '../src/convert/index';
import { decodeSafetensors } from '../src/io/safetensors';
import {
  broadcastSnapshot, deepModules, fixtureWithEntry, longList, manyDicts, manyTensors, nestedDeep, nestedTwice, raw,
  SMALL_VP_KWARGS,
} from './convert-hostile';
import { PickleWriter, writeSnapshot, type ModuleSpec } from './convert-pickle-writer';

const label = 'hostile.pkl';
const convert = (pkl: Uint8Array) => decodeSafetensors(convertSnapshot(pkl, { label }), 'converted');
const small = (kwargs: [string, unknown][]): ModuleSpec => ({
  className: 'VPPrecond',
  modules: [['model', { className: 'SongUNet', params: [['w', { storage: [1, 2], size: [2] }]] }]],
  initKwargs: kwargs,
});

describe('memo references are never expanded into copies', () => {
  it('an extra entry holding 2^60 lists through the memo is not converted at all', () => {
    const pkl = fixtureWithEntry('bomb', nestedTwice(60));
    expect(readSnapshot(bytesSource(pkl), { label }).skipped).toEqual(['bomb']);
    const out = convert(pkl);
    expect(out.tensors.size).toBe(296);
    expect(out.metadata['edm.snapshot']).not.toContain('bomb');
    expect(out.metadata['edm.snapshot']!.length).toBeLessThan(4096);
  });

  it('dataset_kwargs holding 2^60 lists is summarised with references, in a few hundred bytes', () => {
    const pkl = writeSnapshot(small(SMALL_VP_KWARGS), { extra: [['dataset_kwargs', raw(nestedTwice(60))]] });
    const s = JSON.parse(convert(pkl).metadata['edm.snapshot']!);
    // level k at path P is [level k-1 (at P[0]), a reference to it]; level 0 is []
    const expected = (k: number, path: string): unknown => (k === 0 ? [] : [expected(k - 1, `${path}[0]`), `<same list as ${path}[0]>`]);
    expect(s.dataset_kwargs).toEqual(expected(60, 'dataset_kwargs'));
    expect(JSON.stringify(s.dataset_kwargs).length).toBeLessThan(20_000);
  });

  it('network kwargs that expand past 1 MiB are refused, naming the kwarg', () => {
    const pkl = writeSnapshot(small([...SMALL_VP_KWARGS, ['x', raw(nestedTwice(60))]]));
    const f = () => convertSnapshot(pkl, { label });
    expect(f).toThrow(SnapshotError);
    expect(f).toThrow(/hostile\.pkl: entry 'ema': VPPrecond kwargs\.x(\[[01]\])+: more than 1048576 bytes of JSON metadata \(the limit\): refusing/);
  });
});

describe('deep nesting', () => {
  it('a value nested 5,000 levels deep in dataset_kwargs or the kwargs is refused with its path', () => {
    const inData = writeSnapshot(small(SMALL_VP_KWARGS), { extra: [['dataset_kwargs', raw(nestedDeep(5000))]] });
    expect(() => convertSnapshot(inData, { label })).toThrow(/hostile\.pkl: entry dataset_kwargs(\[0\]){101}: nested more than 100 levels deep \(the limit\): refusing/);
    const inKwargs = writeSnapshot(small([...SMALL_VP_KWARGS, ['x', raw(nestedDeep(5000))]]));
    expect(() => convertSnapshot(inKwargs, { label })).toThrow(/VPPrecond kwargs\.x(\[0\]){100}: nested more than 100 levels deep/);
  });

  it('in an entry the converter does not need, it is skipped', () => {
    expect(convert(fixtureWithEntry('deep', nestedDeep(100_000))).tensors.size).toBe(296);
  });

  it('modules nested past 100 levels are refused', () => {
    expect(() => convertSnapshot(deepModules(150), { label })).toThrow(/modules nested more than 100 levels deep \(the limit\): refusing/);
  });
});

describe('counts', () => {
  it('a list of 300,000 items in one APPENDS is read (no call-stack overflow)', () => {
    expect(convert(fixtureWithEntry('long', longList(300_000))).tensors.size).toBe(296);
  });

  it('a pickle building more than 1,000,000 values is refused with the offset', () => {
    const f = () => convertSnapshot(fixtureWithEntry('dicts', manyDicts(1_000_001)), { label });
    expect(f).toThrow(PickleError);
    expect(f).toThrow(/hostile\.pkl: offset \d+: EMPTY_DICT: the pickle builds more than 1,000,000 values \(the limit/);
  });

  it('more than 65,536 tensors (one memoised tensor referenced) are refused', () => {
    expect(() => convertSnapshot(manyTensors(65_537), { label })).toThrow(/more than 65536 tensors \(the limit\): refusing/);
  });
});

describe('shapes and amplification', () => {
  it('a tensor whose shape the config does not declare is refused before allocating (not "Invalid typed array length")', () => {
    const f = () => convertSnapshot(broadcastSnapshot('map_label.weight', [100_000, 100_000], true), { label });
    expect(f).toThrow(SnapshotError);
    expect(f).toThrow("hostile.pkl: tensor 'model.map_label.weight' has shape (100000, 100000), but VPPrecond with these kwargs declares (4, 10)");
  });

  it('a stride-0 broadcast is bounded by twice the input size when the config cannot be declared', () => {
    const pkl = broadcastSnapshot('w', [20_000, 20_000], false);
    expect(pkl.length).toBeLessThan(4096);
    expect(() => convertSnapshot(pkl, { label })).toThrow(
      /tensor 'model\.w' of shape \(20000, 20000\) \(a broadcast of its 1-element storage, stride \(0, 0\)\) takes the checkpoint past \d+ bytes of tensor data \(twice the input's size, plus 1 MiB\): refusing/,
    );
  });

  it('a small broadcast still converts (expanded element by element)', () => {
    const out = convert(broadcastSnapshot('w', [3, 4], false));
    expect(Array.from(new Float32Array(out.tensors.get('model.w')!.data.slice().buffer))).toEqual(new Array(12).fill(0.5));
  });
});

describe('control characters in names are escaped in messages', () => {
  it('a GLOBAL with ESC and BEL', () => {
    const pkl = new PickleWriter(4).proto(4).globalText('os\x1b]0;owned\x07', 'system').stop().finish();
    let message = '';
    try {
      convertSnapshot(pkl, { label });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('refusing GLOBAL os\\u001b]0;owned\\u0007.system');
    expect(message).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('a tensor name with a CSI sequence, and a megabyte-long entry name, give one short printable line', () => {
    const pkl = writeSnapshot({ ...small(SMALL_VP_KWARGS), modules: [['model', { className: 'SongUNet',
      params: [['w\x9b31m\x1b[2J', { storage: [1, 2], size: [2], storageType: 'LongStorage' }]] }]] });
    expect(() => convertSnapshot(pkl, { label })).toThrow("tensor 'model.w\\u009b31m\\u001b[2J' is int64");
    const long = fixtureWithEntry('x'.repeat(1 << 20), (w) => w.none());
    let message = '';
    try {
      convertSnapshot(long, { label, key: 'nope' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^hostile\.pkl: no entry 'nope' in the snapshot \(entries: 'ema', 'loss_fn', .*characters left out/);
    expect(message.length).toBeLessThan(2100);
  });
});
