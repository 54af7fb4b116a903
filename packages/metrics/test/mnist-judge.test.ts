// The MNIST digit judge: its file round-trips, bad files are refused naming the tensor, training is seeded
// (same seed, same weights) and learns (a tiny run separates two easy classes). The shipped judge's accuracy on
// the held-out digits is tested where the digits live (packages/cli/test/mnist-judge-shipped.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '@edm/backend-node';
import { encodeSafetensors, float32ToBytes } from '@edm/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { MNIST_JUDGE_FORMAT, MNIST_JUDGE_PARAMS, MnistJudge, judgeAccuracy, trainMnistJudge } from '../src/index';

// wasm: tfjs's cpu backend takes minutes over the convolution gradients of even a tiny training run.
beforeAll(async () => {
  await useNodeBackend({ backend: 'wasm', strict: true });
});

/** n synthetic digits: class 0 a ring, class 1 a vertical bar, jittered by a seeded offset. */
function toyDigits(n: number): { pixels: Uint8Array; labels: Int32Array } {
  const pixels = new Uint8Array(n * 784);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    labels[i] = c;
    const ox = (i * 7) % 5 - 2;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const r = Math.hypot(x - 14 - ox, y - 14);
        const on = c === 0 ? Math.abs(r - 7) < 1.5 : Math.abs(x - 14 - ox) < 2 && Math.abs(y - 14) < 9;
        pixels[i * 784 + y * 28 + x] = on ? 255 : 0;
      }
    }
  }
  return { pixels, labels };
}

describe('MnistJudge', () => {
  it('saves and loads: the same features and probabilities', async () => {
    const judge = MnistJudge.create(3);
    const digits = toyDigits(5);
    const a = await judge.judge(digits.pixels);
    const loaded = await MnistJudge.load(await judge.save({ note: 'x' }), 'judge.safetensors');
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/);
    // As a FeatureDetector (images in [0, 1]): the same features.
    const x = tf.div(tf.tensor4d(digits.pixels, [5, 28, 28, 1], 'float32'), 255) as tf.Tensor4D;
    const f = loaded.features(x);
    expect(Math.max(...(await f.data()).map((v, i) => Math.abs(v - a.features[i]!)))).toBeLessThan(1e-5);
    expect(() => loaded.features(tf.zeros([1, 32, 32, 1]) as tf.Tensor4D)).toThrow('the MNIST judge reads 28 x 28 x 1 digits, got images of 32 x 32 x 1');
    tf.dispose([x, f]);
    const b = await loaded.judge(digits.pixels);
    expect(b.features).toEqual(a.features);
    expect(b.probs).toEqual(a.probs);
    expect(a.features.length).toBe(5 * 128);
    judge.dispose();
    loaded.dispose();
  });

  it('refuses another file, naming the format or the tensor', async () => {
    const judge = MnistJudge.create(0);
    const bytes = await judge.save();
    judge.dispose();
    const tensors = (drop?: string, reshape?: string) => new Map(MNIST_JUDGE_PARAMS.filter((p) => p.name !== drop).map((p) => {
      const shape = p.name === reshape ? [...p.shape.slice(0, -1), p.shape.at(-1)! + 1] : p.shape;
      return [p.name, { dtype: 'F32' as const, shape, data: float32ToBytes(new Float32Array(shape.reduce((x, y) => x * y, 1))) }];
    }));
    await expect(MnistJudge.load(encodeSafetensors(tensors(), {}), 'f')).rejects.toThrow(/f: not an MNIST judge file/);
    const meta = { 'edm.format': MNIST_JUDGE_FORMAT };
    await expect(MnistJudge.load(encodeSafetensors(tensors('conv3.bias'), meta), 'f')).rejects.toThrow("f: tensor 'conv3.bias' is missing");
    await expect(MnistJudge.load(encodeSafetensors(tensors(undefined, 'features.weight'), meta), 'f'))
      .rejects.toThrow("f: tensor 'features.weight' has shape [576, 129], expected [576, 128]");
    await expect(MnistJudge.load(bytes.subarray(0, bytes.length - 4), 'f')).rejects.toThrow(/^f: /);
  });

  it('judge() refuses pixels that are not 28x28 digits', async () => {
    const judge = MnistJudge.create(0);
    await expect(judge.judge(new Uint8Array(785))).rejects.toThrow('expected N x 784 pixel bytes (28x28 grayscale), got 785 bytes');
    judge.dispose();
  });

  it('trains: seeded, and it learns two easy classes', async () => {
    const digits = toyDigits(64);
    const opts = { epochs: 8, batch: 16, seed: 5 };
    const before = tf.memory().numTensors;
    const a = await trainMnistJudge(digits, opts);
    const b = await trainMnistJudge(digits, opts);
    const wa = await a.params.get('classify.weight')!.data();
    const wb = await b.params.get('classify.weight')!.data();
    expect(wb).toEqual(wa);
    expect(await judgeAccuracy(a, digits)).toBe(1);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
