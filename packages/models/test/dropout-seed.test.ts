// Seeded training randomness (ForwardOptions.seed): dropout masks and label dropout repeat exactly for the same
// seed and differ for another, in both U-Nets; eval mode ignores the seed; bad seeds are rejected clearly.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { randomize } from './randomize';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, type Network, type NetworkConfig } from '../src/index';
import { trainingSeed } from '../src/layers/unet-block';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base = { img_resolution: 8, img_channels: 3, num_blocks: 1, label_dim: 10 };
const CASES: [string, NetworkConfig][] = [
  ['SongUNet', { class_name: 'EDMPrecond', kwargs: { ...base, model_type: 'SongUNet', model_channels: 16, channel_mult: [1, 2], attn_resolutions: [4] } }],
  ['DhariwalUNet', { class_name: 'EDMPrecond', kwargs: { ...base, model_type: 'DhariwalUNet', model_channels: 32, channel_mult: [1, 2], attn_resolutions: [4] } }],
];

describe.each(CASES)('%s', (_name, config) => {
  const n = 8;
  const setup = (extra: Record<string, unknown>) => {
    const net = createNetwork({ ...config, kwargs: { ...config.kwargs, ...extra } }, { seed: 1 });
    randomize(net, 20);
    const x = tf.randomNormal([n, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10).toFloat() as tf.Tensor2D);
    const sigma = tf.fill([n], 1.3) as tf.Tensor1D;
    const run = (options: { training?: boolean; seed?: number }) => {
      const d = net.forward(x, sigma, labels, null, options);
      const v = Array.from(d.dataSync());
      d.dispose();
      return v;
    };
    return { run, dispose: () => { tf.dispose([x, labels, sigma]); net.dispose(); } };
  };

  it('dropout: the same seed gives identical outputs, another seed differs, eval ignores it; no leaks', () => {
    const before = tf.memory().numTensors;
    const { run, dispose } = setup({ dropout: 0.3, label_dropout: 0 });
    const a = run({ training: true, seed: 7 });
    const b = run({ training: true, seed: 7 });
    const c = run({ training: true, seed: 8 });
    const evalOut = run({ training: false });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a).not.toEqual(evalOut);
    expect(run({ training: false, seed: 7 })).toEqual(evalOut);
    const mid = tf.memory().numTensors;
    run({ training: true, seed: 9 });
    expect(tf.memory().numTensors).toBe(mid);
    dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('label dropout: seeded like dropout (dropout 0, label_dropout 0.5)', () => {
    const { run, dispose } = setup({ dropout: 0, label_dropout: 0.5 });
    const a = run({ training: true, seed: 3 });
    expect(run({ training: true, seed: 3 })).toEqual(a);
    expect(run({ training: true, seed: 4 })).not.toEqual(a);
    dispose();
  });

  it('rejects a seed that is not an integer in [0, 2^32)', () => {
    const { run, dispose } = setup({ dropout: 0.1 });
    expect(() => run({ training: true, seed: -1 })).toThrow(`${_name}: option seed (training randomness) must be an integer in [0, 2^32), got -1`);
    expect(() => run({ training: true, seed: 1.5 })).toThrow('got 1.5');
    dispose();
  });
});

it('trainingSeed: distinct per (seed, draw index), undefined when unseeded', () => {
  const seen = new Set<number>();
  for (let s = 0; s < 50; s++) for (let i = 0; i < 40; i++) seen.add(trainingSeed(s, i)!);
  expect(seen.size).toBe(2000);
  expect(trainingSeed(undefined, 3)).toBeUndefined();
  expect(trainingSeed(0xffffffff, 0)).toBeLessThan(2 ** 32);
});
