// Numeric parity of the EDM2 network (training.networks_edm2.Precond) with NVlabs/edm2 (test/fixtures/
// edm2_small.safetensors, written by the reference): D_x and u(sigma) in eval mode. The training step (loss,
// every gradient, forced weight normalisation) and the samplers are checked in test/edm2/ on the wasm engine,
// whose filter gradient takes a second where the cpu backend's takes a minute.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, decodeSafetensors, encodeSafetensors, loadNetwork, saveNetwork, type SafetensorsTensor } from '../src/index';
import { loadFixture, maxAbs, maxAbsDiff, nhwc, raw, toNCHW, type Fixture } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('EDM2 parity with NVlabs/edm2: edm2_small', () => {
  let f: Fixture;
  let startTensors = 0;

  beforeAll(() => {
    f = loadFixture('edm2_small');
    startTensors = tf.memory().numTensors;
  });
  afterAll(() => {
    expect(tf.memory().numTensors).toBe(startTensors);
  });

  it('D_x and logvar in eval mode (max abs error <= 1e-4)', async () => {
    const net = await loadNetwork(f.bytes, { source: 'edm2_small.safetensors' });
    expect(net.className).toBe('training.networks_edm2.Precond');
    const x = nhwc(f, 'fixture.x');
    const sigma = tf.tensor1d(raw(f, 'fixture.sigma').values);
    const labels = tf.tensor2d(raw(f, 'fixture.class_labels').values, [4, 10]);
    const d = net.forward(x, sigma, labels);
    const logvar = net.logvar!(sigma);
    const dErr = maxAbsDiff(toNCHW(d), raw(f, 'fixture.D_x').values);
    const lErr = maxAbsDiff(logvar.dataSync(), raw(f, 'fixture.logvar').values);
    console.log(`edm2_small: D_x max abs err ${dErr.toExponential(2)} (max |D_x| ${maxAbs(raw(f, 'fixture.D_x').values).toFixed(2)}), ` +
      `logvar max abs err ${lErr.toExponential(2)}`);
    expect(dErr).toBeLessThanOrEqual(1e-4);
    expect(lErr).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, sigma, labels, d, logvar]);
    net.dispose();
  });
});

describe('EDM2 checkpoints: errors name the tensor or kwarg; round trip', () => {
  /** edm2_small with its metadata and tensors edited. */
  function edited(edit: (m: Record<string, string>, t: Map<string, SafetensorsTensor>) => void): Uint8Array {
    const { metadata, tensors } = decodeSafetensors(loadFixture('edm2_small').bytes);
    const m = { ...metadata };
    const t = new Map(tensors);
    edit(m, t);
    return encodeSafetensors(t, m);
  }
  async function expectLoadError(bytes: Uint8Array, pattern: RegExp): Promise<void> {
    const before = tf.memory().numTensors;
    await expect(loadNetwork(bytes, { source: 'bad.safetensors' })).rejects.toThrow(pattern);
    expect(tf.memory().numTensors).toBe(before);
  }

  it('a missing tensor, a misshaped tensor, an unknown kwarg, a bad kwarg value', async () => {
    await expectLoadError(edited((_m, t) => { t.delete('unet.dec.8x8_in0.attn_qkv.weight'); }),
      /bad.safetensors: missing tensor 'unet.dec.8x8_in0.attn_qkv.weight' \(expected shape \[96, 32, 1, 1\]\)/);
    await expectLoadError(edited((_m, t) => { t.delete('logvar_fourier.phases'); }), /missing tensor 'logvar_fourier.phases' \(expected shape \[8\]\)/);
    await expectLoadError(edited((_m, t) => {
      const w = t.get('unet.enc.8x8_block0.conv_skip.weight')!;
      t.set('unet.enc.8x8_block0.conv_skip.weight', { ...w, shape: [16, 32, 1, 1] });
    }), /tensor 'unet.enc.8x8_block0.conv_skip.weight' has shape \[16, 32, 1, 1\], expected \[32, 16, 1, 1\]/);
    const kw = (edit: (k: Record<string, unknown>) => void) => edited((m) => {
      const net = JSON.parse(m['edm.network']!);
      edit(net.kwargs);
      m['edm.network'] = JSON.stringify(net);
    });
    await expectLoadError(kw((k) => { k.model_type = 'SongUNet'; }), /training.networks_edm2.Precond: unknown kwarg 'model_type' \(allowed: .*logvar_channels.*clip_act\)/);
    await expectLoadError(kw((k) => { k.res_balance = 2; }), /kwarg 'res_balance' must be a number in \[0, 1\], got 2/);
    // A different net (no attention): the checkpoint's attention tensors are unexpected.
    await expectLoadError(kw((k) => { k.attn_resolutions = []; }), /unexpected tensors 'unet.enc.8x8_block0.attn_qkv.weight'/);
  });

  it('createNetwork, saveNetwork and loadNetwork round-trip an EDM2 network bit for bit', async () => {
    const config = { class_name: 'training.networks_edm2.Precond' as const, kwargs: {
      img_resolution: 8, img_channels: 1, label_dim: 3, model_channels: 8, channel_mult: [1, 2], num_blocks: 1,
      attn_resolutions: [4], channels_per_head: 8, logvar_channels: 4, channel_mult_emb: null, clip_act: null,
    } };
    const net = createNetwork(config, { seed: 3 });
    const back = await loadNetwork(saveNetwork(net));
    expect(back.config).toEqual(config);
    for (const [name, v] of net.tensors()) expect(back.tensors().get(name)!.dataSync(), name).toEqual(v.dataSync());
    // The state_dict order of the reference: the U-Net's tensors, then the uncertainty head's.
    const names = net.specs().map((s) => s.name);
    expect(names[0]).toBe('unet.out_gain');
    expect(names.slice(-3)).toEqual(['logvar_fourier.freqs', 'logvar_fourier.phases', 'logvar_linear.weight']);
    net.dispose();
    back.dispose();
  });

  it('the fixture declares exactly the reference state_dict, in its order', () => {
    const f = loadFixture('edm2_small');
    const ref = [...f.tensors.keys()].filter((k) => !k.startsWith('fixture.'));
    const net = createNetwork(f.network as never);
    expect(net.specs().map((s) => s.name)).toEqual(ref);
    net.dispose();
  });
});
