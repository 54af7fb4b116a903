// Our own checks on configurations the NVlabs fixtures do not cover: NCSN++ (Fourier embedding, skip and
// residual encoders, skip decoder, [1,3,3,1] filter), VP/VE/iDDPM preconditioning, conditional nets with
// augment labels, deeper 16x16 nets; parameter names and shapes, the paper's parameter counts, save/load
// round trips, training-mode dropout and label dropout, initialisation, and tensor leaks.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { randomize } from './randomize';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, loadNetwork, saveNetwork, type Network, type NetworkConfig } from '../src/index';
import { declareNetwork } from '../src/network';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function shapes(net: Network): Record<string, number[]> {
  return Object.fromEntries(net.specs().map((s) => [s.name, s.torchShape]));
}

const song = (extra: Record<string, unknown>, precond: NetworkConfig['class_name'] = 'EDMPrecond'): NetworkConfig => ({
  class_name: precond,
  kwargs: { img_resolution: 8, img_channels: 3, model_type: 'SongUNet', model_channels: 16, channel_mult: [1, 2], num_blocks: 1, attn_resolutions: [8], ...extra },
});
const adm = (extra: Record<string, unknown>, precond: NetworkConfig['class_name'] = 'EDMPrecond'): NetworkConfig => ({
  class_name: precond,
  kwargs: { img_resolution: 8, img_channels: 3, model_type: 'DhariwalUNet', model_channels: 32, channel_mult: [1, 2], num_blocks: 1, attn_resolutions: [4], ...extra },
});

const NCSNPP = { img_resolution: 16, channel_mult: [1, 2, 2], embedding_type: 'fourier', channel_mult_noise: 2, encoder_type: 'residual', decoder_type: 'standard', resample_filter: [1, 3, 3, 1], dropout: 0.1 };

const CASES: [string, NetworkConfig][] = [
  ['NCSN++ (Fourier, residual encoder, [1,3,3,1]) EDM', song(NCSNPP)],
  ['NCSN++ skip encoder + skip decoder, VE', song({ ...NCSNPP, encoder_type: 'skip', decoder_type: 'skip' }, 'VEPrecond')],
  ['DDPM++ VP, deeper 16x16 (3 levels, 2 blocks, attention at 8)', song({ img_resolution: 16, channel_mult: [1, 2, 2], num_blocks: 2 }, 'VPPrecond')],
  ['DDPM++ conditional with augment labels', song({ label_dim: 10, augment_dim: 9 })],
  ['ADM iDDPM', adm({}, 'iDDPMPrecond')],
  ['ADM conditional with augment labels, VP', adm({ label_dim: 10, augment_dim: 9 }, 'VPPrecond')],
];

describe('paper configurations (parameter counts of EDM paper Table 7)', () => {
  it('CIFAR-10 DDPM++ 55.73M, FFHQ/AFHQ-64 DDPM++ 61.80M, ImageNet-64 ADM 295.90M', () => {
    const before = tf.memory().numTensors;
    const count = (c: NetworkConfig) => declareNetwork(c).parameterCount() / 1e6;
    const ddpmpp = { model_type: 'SongUNet', embedding_type: 'positional', encoder_type: 'standard', decoder_type: 'standard', channel_mult_noise: 1, resample_filter: [1, 1], model_channels: 128 };
    expect(count({ class_name: 'EDMPrecond', kwargs: { img_resolution: 32, img_channels: 3, ...ddpmpp, channel_mult: [2, 2, 2] } })).toBeCloseTo(55.73, 2);
    expect(count({ class_name: 'EDMPrecond', kwargs: { img_resolution: 64, img_channels: 3, ...ddpmpp, channel_mult: [1, 2, 2, 2] } })).toBeCloseTo(61.80, 2);
    expect(count({ class_name: 'EDMPrecond', kwargs: { img_resolution: 64, img_channels: 3, label_dim: 1000, model_type: 'DhariwalUNet', model_channels: 192, channel_mult: [1, 2, 3, 4] } })).toBeCloseTo(295.90, 2);
    // Declaring allocates nothing.
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('reference parameter names and shapes', () => {
  it('NCSN++ residual encoder: Fourier freqs, fused aux_residual with the [1,3,3,1] filter', () => {
    const net = createNetwork(song(NCSNPP), { seed: 1 });
    const s = shapes(net);
    expect(s['model.map_noise.freqs']).toEqual([16]); // noise channels 16 x 2, half of them
    expect(s['model.map_layer0.weight']).toEqual([64, 32]);
    // aux convs map to the channels of the level's down block (the previous level's width), as the reference.
    expect(s['model.enc.8x8_aux_residual.weight']).toEqual([16, 3, 3, 3]);
    expect(s['model.enc.4x4_aux_residual.weight']).toEqual([32, 16, 3, 3]);
    expect(s['model.enc.8x8_aux_residual.resample_filter']).toEqual([1, 1, 4, 4]);
    expect(s['model.enc.8x8_down.skip.weight']).toEqual([16, 16, 1, 1]); // resample_proj
    expect(s['model.dec.16x16_aux_conv.weight']).toEqual([3, 16, 3, 3]);
    expect(Object.keys(s).some((k) => k.includes('aux_skip') || k.includes('aux_up'))).toBe(false);
    // The filter buffer is outer([1,3,3,1]) / 64; the freqs are N(0, 16^2) draws.
    const f = Array.from(net.tensors().get('model.enc.8x8_aux_residual.resample_filter')!.dataSync());
    const taps = [1, 3, 3, 1];
    expect(f).toEqual(taps.flatMap((a) => taps.map((b) => (a * b) / 64)));
    expect(net.parameters().has('model.map_noise.freqs')).toBe(false);
    net.dispose();
  });

  it('NCSN++ skip encoder and decoder: aux_down/aux_skip and aux_up/aux_norm/aux_conv per level', () => {
    const net = createNetwork(song({ ...NCSNPP, encoder_type: 'skip', decoder_type: 'skip' }, 'VEPrecond'));
    const keys = net.specs().map((s) => s.name);
    const aux = keys.filter((k) => k.includes('_aux_'));
    expect(aux).toEqual([
      'model.enc.8x8_aux_down.resample_filter', 'model.enc.8x8_aux_skip.weight', 'model.enc.8x8_aux_skip.bias',
      'model.enc.4x4_aux_down.resample_filter', 'model.enc.4x4_aux_skip.weight', 'model.enc.4x4_aux_skip.bias',
      'model.dec.4x4_aux_norm.weight', 'model.dec.4x4_aux_norm.bias', 'model.dec.4x4_aux_conv.weight', 'model.dec.4x4_aux_conv.bias',
      'model.dec.8x8_aux_up.resample_filter', 'model.dec.8x8_aux_norm.weight', 'model.dec.8x8_aux_norm.bias',
      'model.dec.8x8_aux_conv.weight', 'model.dec.8x8_aux_conv.bias',
      'model.dec.16x16_aux_up.resample_filter', 'model.dec.16x16_aux_norm.weight', 'model.dec.16x16_aux_norm.bias',
      'model.dec.16x16_aux_conv.weight', 'model.dec.16x16_aux_conv.bias',
    ]);
    expect(shapes(net)['model.enc.8x8_aux_skip.weight']).toEqual([16, 3, 1, 1]);
    expect(shapes(net)['model.enc.4x4_aux_skip.weight']).toEqual([32, 3, 1, 1]);
    net.dispose();
  });

  it('iDDPM: buffer u first ([M+1]), backbone outputs 2 x img_channels', () => {
    const net = createNetwork(adm({ M: 100 }, 'iDDPMPrecond'));
    const specs = net.specs();
    expect(specs[0]!.name).toBe('u');
    expect(specs[0]!.torchShape).toEqual([101]);
    expect(shapes(net)['model.out_conv.weight']).toEqual([6, 32, 3, 3]);
    // u_M = 0 and decreasing.
    const u = Array.from(net.tensors().get('u')!.dataSync());
    expect(u[100]).toBe(0);
    for (let j = 0; j < 100; j++) expect(u[j]!).toBeGreaterThan(u[j + 1]!);
    net.dispose();
  });

  it('conditional ADM: map_label without bias, after map_layer1; map_augment without bias', () => {
    const net = createNetwork(adm({ label_dim: 10, augment_dim: 9 }));
    const keys = net.specs().map((s) => s.name);
    expect(keys.slice(0, 6)).toEqual([
      'model.map_augment.weight', 'model.map_layer0.weight', 'model.map_layer0.bias',
      'model.map_layer1.weight', 'model.map_layer1.bias', 'model.map_label.weight',
    ]);
    expect(shapes(net)['model.map_label.weight']).toEqual([128, 10]);
    expect(shapes(net)['model.map_augment.weight']).toEqual([32, 9]);
    net.dispose();
  });
});

describe.each(CASES)('%s', (_label, config) => {
  it('constructs, runs (finite, right shape), round-trips save/load bit-exactly, no leaks', async () => {
    const before = tf.memory().numTensors;
    const net = createNetwork(config, { seed: 3 });
    randomize(net, 10);
    const n = 2;
    const k = config.kwargs as { img_resolution: number; img_channels: number; label_dim?: number; augment_dim?: number };
    const x = tf.randomNormal([n, k.img_resolution, k.img_resolution, k.img_channels], 0, 1, 'float32', 1) as tf.Tensor4D;
    const labels = k.label_dim ? tf.tidy(() => tf.oneHot([1, 7], k.label_dim!).toFloat() as tf.Tensor2D) : null;
    const aug = k.augment_dim ? tf.randomNormal([n, k.augment_dim], 0, 1, 'float32', 2) as tf.Tensor2D : null;
    const sigma = tf.tensor1d([0.5, 3]);
    const d1 = net.forward(x, sigma, labels, aug);
    expect(d1.shape).toEqual(x.shape);
    expect(Array.from(d1.dataSync()).every(Number.isFinite)).toBe(true);

    const mid = tf.memory().numTensors;
    const d1b = net.forward(x, sigma, labels, aug);
    d1b.dispose();
    expect(tf.memory().numTensors).toBe(mid);

    const bytes = saveNetwork(net);
    const back = await loadNetwork(bytes);
    expect(back.config).toEqual(config);
    expect(back.specs().map((s) => [s.name, s.torchShape])).toEqual(net.specs().map((s) => [s.name, s.torchShape]));
    expect(back.parameterCount()).toBe(net.parameterCount());
    const d2 = back.forward(x, sigma, labels, aug);
    expect(Array.from(d2.dataSync())).toEqual(Array.from(d1.dataSync()));
    expect(saveNetwork(back)).toEqual(bytes);

    if (labels) {
      // Labels matter: another class gives another output.
      const other = tf.tidy(() => tf.oneHot([3, 2], k.label_dim!).toFloat() as tf.Tensor2D);
      const d3 = net.forward(x, sigma, other, aug);
      expect(Array.from(d3.dataSync())).not.toEqual(Array.from(d1.dataSync()));
      other.dispose();
      d3.dispose();
    }
    if (aug) {
      const d4 = net.forward(x, sigma, labels, null);
      expect(Array.from(d4.dataSync())).not.toEqual(Array.from(d1.dataSync()));
      d4.dispose();
    }
    tf.dispose([x, sigma, d1, d2, ...(labels ? [labels] : []), ...(aug ? [aug] : [])]);
    net.dispose();
    back.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000); // five forward passes and a save/load on a shared 2-core machine
});

describe('training mode', () => {
  it('dropout changes the output only in training mode', () => {
    const net = createNetwork(song({ dropout: 0.5 }));
    randomize(net, 20);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const a = net.forward(x, 1).dataSync();
    const b = net.forward(x, 1, null, null, { training: false }).dataSync();
    const c = net.forward(x, 1, null, null, { training: true }).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
    x.dispose();
    net.dispose();
  });

  it('label_dropout = 1 in training equals zero labels (classifier-free guidance training)', () => {
    for (const config of [song({ label_dim: 4, label_dropout: 1, dropout: 0 }), adm({ label_dim: 4, label_dropout: 1, dropout: 0 })]) {
      const net = createNetwork(config);
      randomize(net, 30);
      const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
      const labels = tf.tidy(() => tf.oneHot([1, 2], 4).toFloat() as tf.Tensor2D);
      const zeros = tf.zeros([2, 4]) as tf.Tensor2D;
      const dropped = net.forward(x, 1, labels, null, { training: true }).dataSync();
      const none = net.forward(x, 1, zeros, null, { training: false }).dataSync();
      const kept = net.forward(x, 1, labels, null, { training: false }).dataSync();
      expect(Array.from(dropped)).toEqual(Array.from(none));
      expect(Array.from(kept)).not.toEqual(Array.from(none));
      tf.dispose([x, labels, zeros]);
      net.dispose();
    }
  });
});

describe('initialisation (reference weight_init)', () => {
  it('SongUNet: xavier_uniform bounds, output layer init_weight 1e-5, zero biases; ADM: zero out_conv, kaiming_uniform sqrt(1/3)', () => {
    const song1 = createNetwork(song({}), { seed: 5 });
    const w = Array.from(song1.tensors().get('model.enc.8x8_block0.conv0.weight')!.dataSync());
    const bound = Math.sqrt(6 / (16 * 9 + 16 * 9));
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    expect(std).toBeCloseTo(bound / Math.sqrt(3), 2);
    const out = Array.from(song1.tensors().get('model.dec.8x8_aux_conv.weight')!.dataSync());
    expect(Math.max(...out.map(Math.abs))).toBeLessThanOrEqual(1e-5 * Math.sqrt(6 / (16 * 9 + 3 * 9)));
    expect(Math.max(...out.map(Math.abs))).toBeGreaterThan(0);
    expect(Array.from(song1.tensors().get('model.enc.8x8_conv.bias')!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(song1.tensors().get('model.enc.8x8_block0.norm0.weight')!.dataSync()).every((v) => v === 1)).toBe(true);
    // Same seed, same weights; another seed, other weights.
    const song2 = createNetwork(song({}), { seed: 5 });
    const song3 = createNetwork(song({}), { seed: 6 });
    expect(saveNetwork(song2)).toEqual(saveNetwork(song1));
    expect(saveNetwork(song3)).not.toEqual(saveNetwork(song1));
    [song1, song2, song3].forEach((n) => n.dispose());

    const a = createNetwork(adm({}));
    expect(Array.from(a.tensors().get('model.out_conv.weight')!.dataSync()).every((v) => v === 0)).toBe(true);
    const b = Array.from(a.tensors().get('model.map_layer0.bias')!.dataSync());
    const bBound = Math.sqrt(3 / 32) * Math.sqrt(1 / 3); // kaiming_uniform, fan_in 32, init_bias sqrt(1/3)
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bBound);
    expect(Math.max(...b.map(Math.abs))).toBeGreaterThan(0.5 * bBound);
    a.dispose();
  });
});
