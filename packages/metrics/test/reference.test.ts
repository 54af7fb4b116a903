// Reference statistics: the safetensors round trip, the seeded feature subset, refusal of another
// detector's reference naming both; and computeFeatures' batching, progress and size checks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Xoshiro128 } from '@edm/core';
import { decodeSafetensors, encodeSafetensors } from '@edm/models';
import {
  computeFeatures, decodeReference, encodeReference, featureStats, frechetDistance, makeReference,
  type FeatureDetector, type ImageSource,
} from '../src/index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const detector = { name: 'toy-detector', hash: 'ab'.repeat(32), featureDim: 3 };

function features(n: number, seed = 1): Float32Array {
  const rng = new Xoshiro128(seed);
  return Float32Array.from({ length: n * 3 }, () => rng.normal());
}

describe('reference statistics', () => {
  it('round-trips mean, covariance, features and metadata through safetensors', () => {
    const f = features(50);
    const ref = makeReference(detector, f, { dataset: 'toy' });
    const bytes = encodeReference(ref);
    const { metadata, tensors } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ 'edm.metrics.format': '1', detector: 'toy-detector', 'detector.hash': detector.hash, count: '50', dataset: 'toy' });
    expect([...tensors.keys()]).toEqual(['mu', 'sigma', 'features']);
    expect(tensors.get('sigma')!.shape).toEqual([3, 3]);
    const back = decodeReference(bytes, 'toy.safetensors', detector);
    expect(back.stats.count).toBe(50);
    expect([...back.stats.mean]).toEqual([...featureStats(f, 3).mean]);
    expect([...back.stats.cov]).toEqual([...featureStats(f, 3).cov]);
    expect([...back.features]).toEqual([...f]);
    expect(frechetDistance(back.stats, featureStats(f, 3))).toBeCloseTo(0, 10);
  });

  it('stores a seeded subset of the features in their order, the statistics still of all', () => {
    const f = features(100);
    const ref = makeReference(detector, f, { maxFeatures: 10, seed: 2 });
    expect(ref.features.length).toBe(30);
    expect(ref.stats.count).toBe(100);
    const rows = Array.from({ length: 10 }, (_, i) => {
      const row = ref.features.subarray(i * 3, i * 3 + 3);
      return Array.from({ length: 100 }, (_, j) => j).find((j) => f[j * 3] === row[0] && f[j * 3 + 1] === row[1])!;
    });
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(new Set(rows).size).toBe(10);
    expect([...makeReference(detector, f, { maxFeatures: 10, seed: 2 }).features]).toEqual([...ref.features]);
    expect([...makeReference(detector, f, { maxFeatures: 10, seed: 3 }).features]).not.toEqual([...ref.features]);
  });

  it("refuses a reference of another detector or other weights, naming both", () => {
    const bytes = encodeReference(makeReference(detector, features(5)));
    expect(() => decodeReference(bytes, 'ref.safetensors', { name: 'fid-inception-v3', hash: 'cd'.repeat(32), featureDim: 2048 }))
      .toThrow("ref.safetensors was made with detector 'toy-detector' (weights abababababab), not with 'fid-inception-v3' (weights cdcdcdcdcdcd)");
    expect(() => decodeReference(bytes, 'ref.safetensors', { ...detector, hash: 'ef'.repeat(32) }))
      .toThrow(/made with detector 'toy-detector' \(weights abababababab\), not with 'toy-detector' \(weights efefefefefef\)/);
  });

  it('refuses files that are not references, and fewer than 2 images', () => {
    const other = encodeSafetensors(new Map([['x', { dtype: 'F32', shape: [1], data: new Uint8Array(4) }]]), { 'edm.format': '1' });
    expect(() => decodeReference(other, 'net.safetensors')).toThrow(/net\.safetensors: not reference statistics/);
    expect(() => makeReference(detector, features(1), { dataset: 'one image' })).toThrow(/one image: the Frechet distance needs at least 2 images/);
  });
});

/** A detector whose features are each image's channel means (and that records the batches it saw). */
function meanDetector(batches: number[][]): FeatureDetector {
  return {
    name: 'mean', hash: '00', featureDim: 3, batchSize: 4,
    features: (x) => {
      batches.push(x.shape);
      return tf.tidy(() => (x.shape[3] === 1 ? tf.tile(tf.mean(x, [1, 2]), [1, 3]) : tf.mean(x, [1, 2])) as tf.Tensor2D);
    },
    dispose: () => {},
  };
}

describe('computeFeatures', () => {
  it('batches, progress, bytes / 255, rows in source order', async () => {
    const n = 10;
    const data = Uint8Array.from({ length: n * 2 * 2 * 3 }, (_, i) => (i * 7) % 256);
    const source: ImageSource = { count: n, read: (s, m) => ({ data: data.subarray(s * 12, (s + m) * 12), shape: [m, 2, 2, 3] }) };
    const batches: number[][] = [];
    const progress: number[] = [];
    const f = await computeFeatures(meanDetector(batches), source, { onProgress: (done) => progress.push(done) });
    expect(batches.map((b) => b[0])).toEqual([4, 4, 2]);
    expect(progress).toEqual([4, 8, 10]);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) {
      const px = [0, 1, 2, 3].map((p) => data[i * 12 + p * 3 + c]! / 255);
      expect(f[i * 3 + c]).toBeCloseTo(px.reduce((a, v) => a + v, 0) / 4, 6);
    }
  });

  it('refuses images of another size than the first, naming the image; asks the detector about the size', async () => {
    const source: ImageSource = { count: 6, read: (s, m) => ({ data: new Float32Array(m * (s >= 4 ? 9 : 4)), shape: [m, s >= 4 ? 3 : 2, s >= 4 ? 3 : 2, 1] }) };
    await expect(computeFeatures(meanDetector([]), source)).rejects.toThrow(/image 4 is 3 x 3 x 1, the first was 2 x 2 x 1/);
    const picky = { ...meanDetector([]), checkImageShape: (h: number, w: number, c: number) => { throw new Error(`needs 28 x 28 x 1, got ${h} x ${w} x ${c}`); } };
    await expect(computeFeatures(picky, source)).rejects.toThrow('needs 28 x 28 x 1, got 2 x 2 x 1');
  });
});
