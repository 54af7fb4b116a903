// Checkpoint loading: every malformed input fails with a clear error naming the field or tensor (expected vs
// got) and leaves no tensor behind; the converter's expected checkpoint (a 4-block DDPM++ with dropout)
// loads and reproduces the pickled network's D_x.
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createNetwork, decodeSafetensors, encodeSafetensors, float32ToBytes, loadNetwork, saveNetwork,
  type SafetensorsTensor,
} from '../src/index';
import { loadFixture, maxAbsDiff, nhwc, raw, toNCHW } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base = () => loadFixture('edm_ddpmpp');

/** The fixture with its metadata and tensors edited. */
function edited(edit: (m: Record<string, string>, t: Map<string, SafetensorsTensor>) => void): Uint8Array {
  const { metadata, tensors } = decodeSafetensors(base().bytes);
  const m = { ...metadata };
  const t = new Map(tensors);
  edit(m, t);
  return encodeSafetensors(t, m);
}

function withKwargs(edit: (k: Record<string, unknown>) => void, className?: string): Uint8Array {
  return edited((m) => {
    const net = JSON.parse(m['edm.network']!);
    edit(net.kwargs);
    if (className !== undefined) net.class_name = className;
    m['edm.network'] = JSON.stringify(net);
  });
}

async function expectLoadError(bytes: Uint8Array, pattern: RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  await expect(loadNetwork(bytes, { source: 'bad.safetensors' })).rejects.toThrow(pattern);
  expect(tf.memory().numTensors).toBe(before);
}

describe('loadNetwork errors (never a partial network)', () => {
  it('truncated file and bad header', async () => {
    const bytes = base().bytes;
    await expectLoadError(bytes.subarray(0, 4), /bad.safetensors: truncated file/);
    await expectLoadError(bytes.subarray(0, 1000), /bad.safetensors: bad header: header length \d+ exceeds/);
    await expectLoadError(bytes.subarray(0, bytes.length - 100), /out of range \(data section is \d+ bytes; truncated file\?\)/);
    const garbage = bytes.slice(0, 64);
    garbage.fill(0x7b, 8); // '{{{{...'
    new DataView(garbage.buffer).setBigUint64(0, 56n, true);
    await expectLoadError(garbage, /bad header: not valid UTF-8 JSON/);
  });

  it('metadata: format, missing or invalid edm.network', async () => {
    await expectLoadError(edited((m) => { delete m['edm.format']; }), /metadata 'edm.format' must be "1", got none/);
    await expectLoadError(edited((m) => { m['edm.format'] = '2'; }), /metadata 'edm.format' must be "1", got "2"/);
    await expectLoadError(edited((m) => { delete m['edm.network']; }), /metadata 'edm.network' is missing/);
    await expectLoadError(edited((m) => { m['edm.network'] = '{"class_name": '; }), /metadata 'edm.network' is not valid JSON/);
  });

  it('unknown class_name, model_type or kwarg (named, allowed values listed); bad kwarg values', async () => {
    await expectLoadError(withKwargs(() => {}, 'FooPrecond'),
      /unknown class_name "FooPrecond" \(allowed: EDMPrecond, VPPrecond, VEPrecond, iDDPMPrecond, training.networks_edm2.Precond\)/);
    await expectLoadError(withKwargs((k) => { k.model_type = 'UNet3D'; }),
      /EDMPrecond: kwarg 'model_type' must be one of 'SongUNet', 'DhariwalUNet', got "UNet3D"/);
    await expectLoadError(withKwargs((k) => { k.channel_multt = [1, 2]; }),
      /EDMPrecond: unknown kwarg 'channel_multt' for model_type SongUNet \(allowed: .*channel_mult, .*resample_filter\)/);
    await expectLoadError(withKwargs((k) => { k.beta_d = 19.9; }), /unknown kwarg 'beta_d'/);
    await expectLoadError(withKwargs((k) => { k.encoder_type = 'fancy'; }),
      /SongUNet: kwarg 'encoder_type' must be one of 'standard', 'skip', 'residual', got "fancy"/);
    await expectLoadError(withKwargs((k) => { k.model_channels = 1.5; }), /kwarg 'model_channels' must be an integer >= 1, got 1.5/);
  });

  it('missing, extra and misshapen tensors (named, expected vs got shape)', async () => {
    await expectLoadError(edited((_m, t) => { t.delete('model.enc.8x8_block0.qkv.weight'); }),
      /missing tensor 'model.enc.8x8_block0.qkv.weight' \(expected shape \[48, 16, 1, 1\]\)/);
    await expectLoadError(edited((_m, t) => { t.set('model.enc.8x8_block9.weight', t.get('model.map_layer0.bias')!); }),
      /unexpected tensor 'model.enc.8x8_block9.weight'/);
    await expectLoadError(edited((_m, t) => {
      t.set('model.map_layer0.weight', { dtype: 'F32', shape: [16, 64], data: t.get('model.map_layer0.weight')!.data });
    }), /tensor 'model.map_layer0.weight' has shape \[16, 64\], expected \[64, 16\]/);
    // A kwarg that changes the architecture: every tensor then mismatches; the first is named.
    await expectLoadError(withKwargs((k) => { k.model_channels = 32; }), /tensor 'model.map_layer0.weight' has shape \[64, 16\], expected \[128, 32\]/);
    await expectLoadError(edited((_m, t) => {
      t.set('model.map_layer0.bias', { dtype: 'I32', shape: [64], data: t.get('model.map_layer0.bias')!.data });
    }), /tensor 'model.map_layer0.bias'.*expected a floating-point dtype/);
  });

  it('NaN and Inf weights (tensor named)', async () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      await expectLoadError(edited((_m, t) => {
        const v = new Float32Array(16 * 3 * 3 * 3);
        v[5] = bad;
        t.set('model.enc.8x8_conv.weight', { dtype: 'F32', shape: [16, 3, 3, 3], data: float32ToBytes(v) });
      }), new RegExp(`tensor 'model.enc.8x8_conv.weight' holds a non-finite value \\(${String(bad)} at flat index 5\\)`));
    }
  });

  it('accepts F64 weights (converted to float32) and ignores fixture.* tensors', async () => {
    const bytes = edited((_m, t) => {
      const w = raw(base(), 'model.map_layer0.bias').values;
      t.set('model.map_layer0.bias', { dtype: 'F64', shape: [64], data: new Uint8Array(Float64Array.from(w).buffer) });
    });
    const net = await loadNetwork(bytes);
    expect(Array.from(net.tensors().get('model.map_layer0.bias')!.dataSync())).toEqual(Array.from(raw(base(), 'model.map_layer0.bias').values));
    net.dispose();
  });
});

describe('round trips', () => {
  it('save(load(fixture)) keeps every network tensor bit for bit, in the reference order', async () => {
    const f = base();
    const net = await loadNetwork(f.bytes);
    const saved = decodeSafetensors(saveNetwork(net));
    const names = [...f.tensors.keys()].filter((k) => !k.startsWith('fixture.'));
    expect([...saved.tensors.keys()]).toEqual(names);
    for (const k of names) {
      expect(saved.tensors.get(k)!.shape).toEqual(f.tensors.get(k)!.shape);
      expect(Buffer.from(saved.tensors.get(k)!.data).equals(Buffer.from(f.tensors.get(k)!.data)), k).toBe(true);
    }
    expect(saved.metadata['edm.format']).toBe('1');
    expect(JSON.parse(saved.metadata['edm.network']!)).toEqual(f.network);
    net.dispose();
  });

  it('non-finite kwargs are written and read like Python json (Infinity)', async () => {
    const net = createNetwork({ class_name: 'EDMPrecond', kwargs: { img_resolution: 8, img_channels: 1, model_type: 'SongUNet', model_channels: 16, channel_mult: [1], num_blocks: 1, attn_resolutions: [], sigma_max: Infinity } });
    const bytes = saveNetwork(net);
    expect(decodeSafetensors(bytes).metadata['edm.network']).toContain('"sigma_max":Infinity');
    const back = await loadNetwork(bytes);
    expect(back.sigmaMax).toBe(Infinity);
    expect(back.config.kwargs.sigma_max).toBe(Infinity);
    net.dispose();
    back.dispose();
  });
});

describe('the converter fixture (test/fixtures/pickles)', () => {
  it('edm-ddpmpp-tiny.expected.safetensors (4 blocks, dropout 0.13) loads and reproduces D_x (<= 1e-4)', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('../../../test/fixtures/pickles/edm-ddpmpp-tiny.expected.safetensors', import.meta.url)));
    const net = await loadNetwork(bytes);
    const { tensors } = decodeSafetensors(bytes);
    const f = { name: 'edm_ddpmpp' as const, bytes, tensors, metadata: {}, network: net.config, info: {} };
    const x = nhwc(f, 'fixture.x');
    const sigma = tf.tensor1d(raw(f, 'fixture.sigma').values);
    const d = net.forward(x, sigma);
    const err = maxAbsDiff(toNCHW(d), raw(f, 'fixture.D_x').values);
    console.log(`edm-ddpmpp-tiny: D_x max abs err ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, sigma, d]);
    net.dispose();
  });
});
