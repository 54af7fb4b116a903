// The FID Inception weights loader on small synthetic files (no download needed): every tensor of the
// architecture as a stride-0 view of a one-element storage, so a complete file is a few hundred KB. A file
// of another architecture or format is refused naming the first tensor that does not fit.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '@edm/backend-node';
import { FidInception, readInceptionWeights } from '../src/index';
import { floatStorage, writeLegacyStateDict, writeZipStateDict, type EntrySpec } from '../../models/test/torch-save-writer';
import { constantSpec, EXPECTED_FEATURE } from './helpers/constant-inception';

describe('FID Inception weights loader', () => {
  beforeAll(async () => {
    await useNodeBackend({ backend: 'wasm', threads: 2, strict: true });
  });

  let constantHash = '';

  it('loads both formats of a complete file to the same hash; the forward pass gives the known features', async () => {
    const legacy = await readInceptionWeights(writeLegacyStateDict(constantSpec()), 'const.pth');
    expect(legacy.format).toBe('legacy');
    expect(legacy.convs.size).toBe(94);
    const conv = legacy.convs.get('Mixed_7c.branch3x3dbl_3b')!;
    expect(conv.spec.kernel).toEqual([3, 1]);
    expect(conv.filter.length).toBe(3 * 384 * 384);
    constantHash = legacy.hash;
    const net = await FidInception.load(writeZipStateDict(constantSpec()), 'const-zip.pth');
    try {
      expect(net.format).toBe('zip');
      expect(net.hash).toBe(legacy.hash);
      const x = tf.randomUniform([1, 8, 8, 1]) as tf.Tensor4D;
      const f = net.features(x);
      expect(f.shape).toEqual([1, 2048]);
      const values = await f.data();
      expect(Math.max(...values.map((v) => Math.abs(v - EXPECTED_FEATURE)))).toBeLessThan(1e-6);
      tf.dispose([x, f]);
    } finally {
      net.dispose();
    }
  });

  it('a different hash for different weights', async () => {
    expect(constantHash).toMatch(/^[0-9a-f]{64}$/);
    const b = await readInceptionWeights(writeLegacyStateDict(constantSpec((e) => e.map((x) => (x.name === 'fc.bias' ? { ...x, storage: 'one' } : x)))));
    expect(b.hash).not.toBe(constantHash);
  });

  it('names the first tensor that does not fit: a wrong shape, expected vs got', async () => {
    const bytes = writeLegacyStateDict(constantSpec((e) => e.map((x) => (x.name === 'Mixed_6b.branch7x7_2.conv.weight'
      ? { ...x, size: [128, 128, 7, 1] } : x))));
    await expect(readInceptionWeights(bytes, 'other.pth')).rejects.toThrow(
      "other.pth: not the FID Inception-v3 weights (pt_inception-2015-12-05): tensor 'Mixed_6b.branch7x7_2.conv.weight' has shape [128, 128, 7, 1], expected [128, 128, 1, 7]");
  });

  it("refuses torchvision's Inception-v3 (AuxLogits, 1000 classes): the first unexpected tensor", async () => {
    const bytes = writeZipStateDict(constantSpec((e) => {
      const at = e.findIndex((x) => x.name.startsWith('Mixed_7a'));
      const aux: EntrySpec = { name: 'AuxLogits.conv0.conv.weight', storage: 'zero', size: [128, 768, 1, 1], stride: [0, 0, 0, 0] };
      return [...e.slice(0, at), aux, ...e.slice(at)].map((x) => (x.name === 'fc.weight' ? { ...x, size: [1000, 2048] } : x));
    }));
    await expect(readInceptionWeights(bytes, 'inception_v3_google.pth')).rejects.toThrow(/unexpected tensor 'AuxLogits\.conv0\.conv\.weight' \[128, 768, 1, 1\]/);
  });

  it('refuses a missing tensor, an integer tensor and a non-finite value, naming them', async () => {
    const missing = writeLegacyStateDict(constantSpec((e) => e.filter((x) => x.name !== 'Conv2d_4a_3x3.bn.running_var')));
    await expect(readInceptionWeights(missing, 'm.pth')).rejects.toThrow(/tensor 'Conv2d_4a_3x3\.bn\.running_var' \[192\] is missing/);
    const spec = constantSpec();
    spec.storages.set('long', { storageType: 'LongStorage', bytes: new Uint8Array(8) });
    spec.entries = spec.entries.map((x) => (x.name === 'fc.bias' ? { ...x, storage: 'long' } : x));
    await expect(readInceptionWeights(writeLegacyStateDict(spec), 'i.pth')).rejects.toThrow(/tensor 'fc\.bias' is int64, expected floating point/);
    const nan = constantSpec();
    nan.storages.set('nan', floatStorage([NaN]));
    nan.entries = nan.entries.map((x) => (x.name === 'Mixed_5b.branch_pool.bn.bias' ? { ...x, storage: 'nan' } : x));
    await expect(readInceptionWeights(writeZipStateDict(nan), 'n.pth')).rejects.toThrow(/tensor 'Mixed_5b\.branch_pool\.bn\.bias' holds a non-finite value/);
  });

  it('refuses a file that is not a torch.save file, naming it', async () => {
    await expect(readInceptionWeights(new TextEncoder().encode('<html>404</html>'), 'weights.pth')).rejects.toThrow(/weights\.pth: not a torch\.save file/);
  });
});
