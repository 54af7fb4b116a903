// The FID Inception-v3 against pytorch-fid: the stand-in weights file (real format and names) in torch's
// legacy format and re-written in its zip format, the five fixture images through the whole pipeline
// (resize, 2x - 1, grayscale to 3 channels), pool3 features within 1e-4 of the largest feature, block 0
// means likewise. On wasm (2 threads): a forward pass of a few images takes seconds, not a minute as on cpu.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '@edm/backend-node';
import { computeFeatures, FidInception, imagesInMemory } from '../src/index';
import { legacyToZip } from '../../models/test/torch-save-writer';
import { maxAbsDiff } from '../../backend-wasm/test/helpers';
import { describeWithFidWeights, fidReference, fidWeights, refValues } from './helpers/fid-fixture';

const ref = fidReference();
const rgb = Uint8Array.from(refValues(ref, 'images.rgb'));
const gray = Uint8Array.from(refValues(ref, 'images.gray'));
const pool3 = Float32Array.from(refValues(ref, 'features.pool3'));
const block0 = Float32Array.from(refValues(ref, 'features.block0_mean'));

describeWithFidWeights('FID Inception-v3 vs pytorch-fid (stand-in weights)', () => {
  let legacy: FidInception;
  beforeAll(async () => {
    await useNodeBackend({ backend: 'wasm', threads: 2, strict: true });
    legacy = await FidInception.load(fidWeights(), 'fid-inception-standin.pth');
  });

  it('legacy format: pool3 features of 3 RGB and 2 grayscale images, and block 0 means', async () => {
    expect(legacy.format).toBe('legacy');
    expect(legacy.featureDim).toBe(2048);
    const x = [
      tf.tensor4d(Float32Array.from(rgb, (v) => v / 255), [3, 32, 32, 3]),
      tf.tensor4d(Float32Array.from(gray, (v) => v / 255), [2, 28, 28, 1]),
    ];
    const feats: number[] = [];
    const means: number[] = [];
    for (const images of x) {
      const b = legacy.blocks(images);
      feats.push(...await b.pool3.data());
      means.push(...await tf.mean(b.block0, [1, 2]).data());
      expect(b.block0.shape.slice(1)).toEqual([73, 73, 64]);
      expect(b.block1.shape.slice(1)).toEqual([35, 35, 192]);
      expect(b.block2.shape.slice(1)).toEqual([17, 17, 768]);
      tf.dispose([images, b.block0, b.block1, b.block2, b.pool3]);
    }
    const f = maxAbsDiff(feats, pool3);
    const m = maxAbsDiff(means, block0);
    process.stdout.write(`pool3 max error ${f.diff.toExponential(2)} (largest feature ${f.scale.toFixed(3)}); block0 mean max error ${m.diff.toExponential(2)}\n`);
    expect(f.diff).toBeLessThanOrEqual(1e-4 * f.scale);
    expect(m.diff).toBeLessThanOrEqual(1e-4 * m.scale);
  });

  it('zip format (the same weights re-written): same hash, the same features, through computeFeatures on bytes', async () => {
    const zip = await FidInception.load(legacyToZip(fidWeights()), 'fid-inception-standin-zip.pth');
    try {
      expect(zip.format).toBe('zip');
      expect(zip.hash).toBe(legacy.hash);
      expect(zip.hash).toMatch(/^[0-9a-f]{64}$/);
      const progress: [number, number][] = [];
      const feats = await computeFeatures(zip, imagesInMemory(rgb, [3, 32, 32, 3]), {
        batchSize: 2, onProgress: (done, total) => progress.push([done, total]),
      });
      expect(progress).toEqual([[2, 3], [3, 3]]);
      const f = maxAbsDiff(feats, pool3.subarray(0, 3 * 2048));
      expect(f.diff).toBeLessThanOrEqual(1e-4 * f.scale);
    } finally {
      zip.dispose();
    }
  });
});

describe('FID Inception input checks', () => {
  it('refuses images with other than 1 or 3 channels', async () => {
    await useNodeBackend({ backend: 'wasm', threads: 2, strict: true });
    const source = imagesInMemory(new Uint8Array(2 * 4 * 4 * 2), [2, 4, 4, 2]);
    const detector = { name: 'x', hash: 'h', featureDim: 1, batchSize: 2, features: () => tf.zeros([2, 1]) as tf.Tensor2D, dispose: () => {} };
    await expect(computeFeatures(detector, source)).rejects.toThrow(/images must have 1 or 3 channels, got 2/);
  });
});
