// edm convert on hand-made snapshots (written opcode by opcode like CPython + torch write them, see
// convert-pickle-writer.ts): other preconditionings (VP, VE, iDDPM), ADM, conditional nets, an augment
// pipe, numpy scalars, strided / offset tensor views, float64 / float16 / bfloat16 storages, None
// parameters and non-persistent buffers. Expected values are computed here from the written elements.
import { describe, expect, it } from 'vitest';
import { convertSnapshot, readSnapshot, bytesSource } from '../src/convert/index';
import { decodeSafetensors, tensorToFloat32 } from '../src/io/safetensors';
import { snapshotHooks } from '../src/convert/allow-list';
import { Cursor } from '../src/convert/byte-source';
import { runPickle } from '../src/convert/pickle-machine';
import { PyDict, PyTuple } from '../src/convert/pickle-values';
import { PickleWriter, Raw, writeModule, writeSnapshot, type ModuleSpec, type TensorSpec } from './convert-pickle-writer';

/** Deterministic values in [-1, 1) (a 32-bit LCG), exactly representable as float32. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const t = (size: number[], seed: number, extra: Partial<TensorSpec> = {}): TensorSpec => ({
  storage: values(size.reduce((a, b) => a * b, 1), seed), size, ...extra,
});

const conv = (cout: number, cin: number, k: number, seed: number, extra: Partial<ModuleSpec> = {}): ModuleSpec => ({
  className: 'Conv2d',
  params: [['weight', t([cout, cin, k, k], seed)], ['bias', t([cout], seed + 1)]],
  attrs: [['in_channels', cin], ['out_channels', cout], ['up', false], ['down', false]],
  initKwargs: [['in_channels', cin], ['out_channels', cout], ['kernel', k],
    ['init_weight', new Raw((w) => w.numpyF8(Math.sqrt(1 / 3)))]],
  ...extra,
});

function convert(ema: ModuleSpec, opts: Parameters<typeof writeSnapshot>[1] = {}, key?: string) {
  const pkl = writeSnapshot(ema, opts);
  const out = convertSnapshot(pkl, { label: 'hand-made.pkl', ...(key && { key }) });
  const { metadata, tensors } = decodeSafetensors(out, 'converted');
  const f32 = (name: string): number[] => {
    const tt = tensors.get(name);
    if (!tt) throw new Error(`no tensor ${name}`);
    return Array.from(tensorToFloat32(tt, name));
  };
  return { metadata, tensors, f32, network: JSON.parse(metadata['edm.network']!), snapshot: JSON.parse(metadata['edm.snapshot']!) };
}

describe('other preconditionings and backbones', () => {
  it('VPPrecond + conditional SongUNet with ModuleDict, None bias and an augment pipe', () => {
    const ema: ModuleSpec = {
      className: 'VPPrecond',
      modules: [['model', {
        className: 'SongUNet',
        modules: [
          ['map_label', { className: 'Linear', params: [['weight', t([4, 10], 1)], ['bias', null]] }],
          ['map_augment', null],
          ['enc', {
            className: 'ModuleDict', container: true,
            modules: [['4x4_conv', conv(4, 3, 3, 10)], ['4x4_block0', {
              className: 'UNetBlock',
              attrs: [['skip_scale', new Raw((w) => w.numpyF8(Math.SQRT1_2))]],
              modules: [['norm0', { className: 'GroupNorm', params: [['weight', t([4], 20)], ['bias', t([4], 21)]] }],
                ['conv0', conv(4, 4, 3, 30, { buffers: [['resample_filter', t([1, 1, 2, 2], 40)]] })]],
              initKwargs: [['in_channels', 4], ['skip_scale', new Raw((w) => w.numpyF8(Math.SQRT1_2))]],
            }]],
          }],
        ],
        initKwargs: [['img_resolution', 4], ['label_dim', 10]],
      }]],
      attrs: [['label_dim', 10], ['beta_d', 19.9], ['beta_min', 0.1], ['M', 1000], ['epsilon_t', 1e-5],
        ['sigma_min', 0.002], ['sigma_max', Infinity]],
      initKwargs: [['model_type', 'SongUNet'], ['embedding_type', 'positional'], ['encoder_type', 'standard'],
        ['decoder_type', 'standard'], ['channel_mult_noise', 1], ['resample_filter', [1, 1]], ['model_channels', 4],
        ['channel_mult', [1]], ['dropout', 0.1], ['use_fp16', false], ['img_resolution', 4], ['img_channels', 3],
        ['label_dim', 10]],
    };
    const r = convert(ema, { augmentPipe: true });
    expect(r.network).toEqual({
      class_name: 'VPPrecond',
      kwargs: { model_type: 'SongUNet', embedding_type: 'positional', encoder_type: 'standard', decoder_type: 'standard',
        channel_mult_noise: 1, resample_filter: [1, 1], model_channels: 4, channel_mult: [1], dropout: 0.1,
        use_fp16: false, img_resolution: 4, img_channels: 3, label_dim: 10 },
    });
    expect([...r.tensors.keys()]).toEqual([
      'model.map_label.weight',
      'model.enc.4x4_conv.weight', 'model.enc.4x4_conv.bias',
      'model.enc.4x4_block0.norm0.weight', 'model.enc.4x4_block0.norm0.bias',
      'model.enc.4x4_block0.conv0.weight', 'model.enc.4x4_block0.conv0.bias', 'model.enc.4x4_block0.conv0.resample_filter',
    ]);
    expect(r.tensors.get('model.map_label.weight')!.shape).toEqual([4, 10]);
    expect(r.f32('model.map_label.weight')).toEqual(Array.from(values(40, 1)));
    expect(r.f32('model.enc.4x4_block0.conv0.resample_filter')).toEqual(Array.from(values(4, 40)));
    expect(r.snapshot.augment_pipe).toEqual({
      class_name: 'AugmentPipe', init_kwargs: { p: 0.12, xflip: 100000000 }, attributes: { p: 0.12, xflip: 100000000, yflip: 1 },
    });
  });

  it('iDDPMPrecond + conditional DhariwalUNet (ADM) with augment_dim: buffer u, bias-free label map', () => {
    const u = values(1001, 7).map(Math.abs);
    const ema: ModuleSpec = {
      className: 'iDDPMPrecond',
      buffers: [['u', { storage: u, size: [1001] }]],
      modules: [['model', {
        className: 'DhariwalUNet',
        modules: [
          ['map_noise', { className: 'PositionalEmbedding' }],
          ['map_augment', { className: 'Linear', params: [['weight', t([8, 9], 2)], ['bias', null]] }],
          ['map_layer0', { className: 'Linear', params: [['weight', t([32, 8], 3)], ['bias', t([32], 4)]] }],
          ['map_label', { className: 'Linear', params: [['weight', t([32, 1000], 5)], ['bias', null]] }],
          ['enc', { className: 'ModuleDict', container: true, modules: [['8x8_conv', conv(8, 3, 3, 50)]] }],
        ],
      }]],
      initKwargs: [['model_type', 'DhariwalUNet'], ['model_channels', 8], ['channel_mult', [1, 2]],
        ['augment_dim', 9], ['dropout', 0.1], ['use_fp16', true], ['img_resolution', 8], ['img_channels', 3],
        ['label_dim', 1000]],
    };
    const r = convert(ema);
    expect(r.network.class_name).toBe('iDDPMPrecond');
    expect(r.network.kwargs).toMatchObject({ model_type: 'DhariwalUNet', augment_dim: 9, label_dim: 1000, dropout: 0.1, use_fp16: true });
    expect([...r.tensors.keys()]).toEqual([
      'u', 'model.map_augment.weight', 'model.map_layer0.weight', 'model.map_layer0.bias', 'model.map_label.weight',
      'model.enc.8x8_conv.weight', 'model.enc.8x8_conv.bias',
    ]);
    expect(r.f32('u')).toEqual(Array.from(u));
    expect(r.tensors.get('model.map_label.weight')!.shape).toEqual([32, 1000]);
    expect(r.f32('model.map_label.weight')).toEqual(Array.from(values(32000, 5)));
  });

  it('VEPrecond: keeps training-only kwargs; --key selects another network entry', () => {
    const ema: ModuleSpec = {
      className: 'VEPrecond',
      modules: [['model', { className: 'SongUNet', modules: [['out', conv(3, 4, 3, 60)]] }]],
      initKwargs: [['model_type', 'SongUNet'], ['embedding_type', 'fourier'], ['encoder_type', 'residual'],
        ['decoder_type', 'standard'], ['channel_mult_noise', 2], ['resample_filter', [1, 3, 3, 1]], ['dropout', 0.13],
        ['sigma_min', 0.02], ['sigma_max', 100], ['img_resolution', 4], ['img_channels', 3], ['label_dim', 0]],
    };
    const net: ModuleSpec = { ...ema, modules: [['model', { className: 'SongUNet', modules: [['out', conv(3, 4, 3, 70)]] }]] };
    // a second network entry, as a training checkpoint could hold
    const pkl = writeSnapshot(ema, { extra: [['net', new Raw((w) => writeModule(w, net))]] });
    const fromEma = decodeSafetensors(convertSnapshot(pkl));
    const fromNet = decodeSafetensors(convertSnapshot(pkl, { key: 'net' }));
    expect(JSON.parse(fromEma.metadata['edm.network']!).kwargs).toMatchObject({ dropout: 0.13, sigma_max: 100, resample_filter: [1, 3, 3, 1] });
    expect(Array.from(tensorToFloat32(fromEma.tensors.get('model.out.weight')!))).toEqual(Array.from(values(108, 60)));
    expect(Array.from(tensorToFloat32(fromNet.tensors.get('model.out.weight')!))).toEqual(Array.from(values(108, 70)));
    expect(JSON.parse(fromNet.metadata['edm.snapshot']!).entry).toBe('net');
  });
});

describe('pickle protocols', () => {
  it('reads the same snapshot written with protocol 2 (latin-1 bytes, BINPUT, text GLOBALs), 3 and 4', () => {
    const ema: ModuleSpec = {
      className: 'EDMPrecond',
      modules: [['model', {
        className: 'SongUNet',
        modules: [['enc', { className: 'ModuleDict', container: true, modules: [['8x8_conv', conv(16, 3, 3, 80)]] }],
          ['norm', { className: 'GroupNorm', params: [['weight', t([16], 81)]], buffers: [['scratch', t([2], 82)], ['kept', t([300], 83)]],
            nonPersistent: ['scratch'], initKwargs: [['eps', new Raw((w) => w.numpyF8(1e-5))]] }]],
      }]],
      initKwargs: [['model_type', 'SongUNet'], ['img_resolution', 8], ['resample_filter', [1, 1]]],
    };
    const outputs = ([2, 3, 4] as const).map((protocol) => {
      const pkl = writeSnapshot(ema, { protocol, augmentPipe: true });
      expect(pkl[1]).toBe(protocol);
      return convertSnapshot(pkl);
    });
    const { tensors, metadata } = decodeSafetensors(outputs[2]!);
    expect([...tensors.keys()]).toEqual(['model.enc.8x8_conv.weight', 'model.enc.8x8_conv.bias', 'model.norm.weight', 'model.norm.kept']);
    expect(Array.from(tensorToFloat32(tensors.get('model.enc.8x8_conv.weight')!))).toEqual(Array.from(values(432, 80)));
    expect(JSON.parse(metadata['edm.network']!).kwargs).toEqual({ model_type: 'SongUNet', img_resolution: 8, resample_filter: [1, 1] });
    for (const out of outputs.slice(0, 2)) expect(Buffer.compare(Buffer.from(out), Buffer.from(outputs[2]!))).toBe(0);
  });
});

describe('tensor layouts and element types', () => {
  const wrap = (params: [string, TensorSpec][], buffers: [string, TensorSpec | null][] = [], nonPersistent: string[] = []): ModuleSpec => ({
    className: 'EDMPrecond',
    modules: [['model', { className: 'SongUNet', params, buffers, nonPersistent }]],
    initKwargs: [['model_type', 'SongUNet']],
  });

  it('copies strided and offset views out contiguously (element offset + sum i_k * stride_k)', () => {
    const storage = values(40, 9);
    // a transposed [3, 4] view of a [4, 3] block starting at element 5, and a [2, 3] slice with row stride 5
    const r = convert(wrap([
      ['transposed', { storage, size: [3, 4], stride: [1, 3], offset: 5 }],
      ['sliced', { storage, size: [2, 3], stride: [5, 1], offset: 30 }],
      ['broadcast', { storage, size: [2, 3], stride: [0, 1], offset: 1 }],
    ]));
    const expectFrom = (size: number[], stride: number[], offset: number): number[] => {
      const out: number[] = [];
      for (let i = 0; i < size[0]!; i++) for (let j = 0; j < size[1]!; j++) out.push(storage[offset + i * stride[0]! + j * stride[1]!]!);
      return out;
    };
    expect(r.tensors.get('model.transposed')!.shape).toEqual([3, 4]);
    expect(r.f32('model.transposed')).toEqual(expectFrom([3, 4], [1, 3], 5));
    expect(r.f32('model.sliced')).toEqual(expectFrom([2, 3], [5, 1], 30));
    expect(r.f32('model.broadcast')).toEqual(expectFrom([2, 3], [0, 1], 1));
  });

  it('converts float64, float16 and bfloat16 storages to F32', () => {
    const f64 = [0.1, -2.5, 1e-8, 3.141592653589793];
    // binary16 bit patterns: 1.0, -2.0, 0.5, 65504, 2^-24 (subnormal), -0
    const f16bits = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000];
    const bf = [1.5, -0.375, 256];
    const r = convert(wrap([
      ['double', { storage: f64, size: [4], storageType: 'DoubleStorage' }],
      ['half', { storage: f16bits, size: [6], storageType: 'HalfStorage' }],
      ['bfloat', { storage: bf, size: [3], storageType: 'BFloat16Storage' }],
    ]));
    expect(r.f32('model.double')).toEqual(Array.from(new Float32Array(f64)));
    expect(r.f32('model.half')).toEqual([1, -2, 0.5, 65504, 2 ** -24, -0]);
    expect(r.f32('model.bfloat')).toEqual(bf);
    expect(r.tensors.get('model.half')!.dtype).toBe('F32');
  });

  it('skips None buffers and non-persistent buffers, like state_dict()', () => {
    const r = convert(wrap([['w', t([2], 1)]], [['kept', t([3], 2)], ['gone', null], ['scratch', t([2], 3)]], ['scratch']));
    expect([...r.tensors.keys()]).toEqual(['model.w', 'model.kept']);
  });

  it('reads a 0-d tensor and an empty tensor', () => {
    const r = convert(wrap([['scalar', { storage: [2.5], size: [] }], ['empty', { storage: [], size: [0, 4] }]]));
    expect(r.tensors.get('model.scalar')!.shape).toEqual([]);
    expect(r.f32('model.scalar')).toEqual([2.5]);
    expect(r.tensors.get('model.empty')!.shape).toEqual([0, 4]);
  });

  it("writes a non-finite kwarg bare, as Python's json.dumps does and the loader reads", () => {
    const ema = wrap([['w', t([2], 1)]]);
    ema.initKwargs = [['model_type', 'SongUNet'], ['sigma_min', 0.002], ['sigma_max', Infinity]];
    const r = convertSnapshot(writeSnapshot(ema));
    const json = decodeSafetensors(r).metadata['edm.network']!;
    expect(json).toContain('"sigma_max":Infinity');
    // (1e999 parses to Infinity in plain JSON)
    expect(JSON.parse(json.replace(/:Infinity/g, ':1e999'))).toEqual({
      class_name: 'EDMPrecond', kwargs: { model_type: 'SongUNet', sigma_min: 0.002, sigma_max: Infinity },
    });
  });

  it('decodes numpy f8 scalars, negative ints, big ints and inf in the readable summary', () => {
    // (a later dataset_kwargs key replaces the one writeSnapshot writes)
    const pkl = writeSnapshot(wrap([['w', t([2], 1)]]), { extra: [['dataset_kwargs', new Raw((w) => {
      w.mark().numpyF8(Math.sqrt(0.5)).int(-1).long1(2n ** 70n).float(Infinity).raw(0x74);
    })]] });
    const s = readSnapshot(bytesSource(pkl));
    expect(s.others['dataset_kwargs']).toEqual([Math.sqrt(0.5), -1, (2n ** 70n).toString(), 'Infinity']);
  });

  it('reads the BINPUT / LONG_BINPUT memo and the DICT / LIST / POP / POP_MARK / DUP opcodes', () => {
    const w = new PickleWriter();
    w.proto(2).mark().str('ema').raw(0x72, 7, 0, 0, 0); // LONG_BINPUT 7
    w.raw(0x5d).mark().int(1).int(2).raw(0x65).raw(0x30); // a list, then POP
    w.mark().int(1).int(-2).raw(0x6c).binput(3); // LIST [1, -2], memo 3
    w.mark().str('k').raw(0x68, 3).str('d').raw(0x32).raw(0x64); // DICT {'k': memo 3, 'd': 'd'} (DUP)
    w.mark().int(9).raw(0x31); // POP_MARK
    w.raw(0x6a, 7, 0, 0, 0); // LONG_BINGET 7
    w.raw(0x74).stop();
    const v = runPickle(new Cursor(bytesSource(w.finish()), 0, w.finish().length, 'hand-made'), snapshotHooks('hand-made'));
    expect(v).toBeInstanceOf(PyTuple);
    const [ema, list, dict, again] = (v as PyTuple).items;
    expect(ema).toBe('ema');
    expect(again).toBe('ema');
    expect(list).toEqual([1, -2]);
    expect(dict).toBeInstanceOf(PyDict);
    expect((dict as PyDict).get('k')).toBe(list); // the memo gives the same object, not a copy
    expect([...(dict as PyDict).map.keys()]).toEqual(['k', 'd']);
  });
});
