// edm metrics end to end (the built CLI on wasm): its three forms on a small weights file whose Inception
// output is known (no download), the stand-in FID weights on the fixture images when ../shared is there (the
// CLI's features equal pytorch-fid's, rows in sorted file-name order), and bad inputs: exit 2 for a wrong
// command line, 1 for bad files, messages naming the problem, nothing written on failure.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, tensorToFloat32 } from '@edm/models';
import { encodePng } from '../src/io/png';
import { writeZipStateDict } from '../../models/test/torch-save-writer';
import { constantSpec, EXPECTED_FEATURE } from '../../metrics/test/helpers/constant-inception';
import { describeWithFidWeights, FID_WEIGHTS_PATH, fidReference, refValues } from '../../metrics/test/helpers/fid-fixture';
import { maxAbsDiff } from '../../backend-wasm/test/helpers';
import { requireBuiltCli, runCli, tempDir, type RunResult } from './helpers';

let dir: string;
const ok = (r: RunResult) => expect(r.code, r.stderr).toBe(0);
const W = ['--detector', 'inception:const.pth', '--backend', 'wasm'];

function png(path: string, size: number, channels: 1 | 3, seed: number): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const data = Uint8Array.from({ length: size * size * channels }, (_, i) => (i * 37 + seed * 101) % 256);
  writeFileSync(path, encodePng({ width: size, height: size, channels, data }));
}

beforeAll(() => {
  requireBuiltCli();
  dir = tempDir('edm-metrics-');
  writeFileSync(join(dir, 'const.pth'), writeZipStateDict(constantSpec()));
  // The same architecture with other weights (another hash).
  writeFileSync(join(dir, 'other.pth'), writeZipStateDict(constantSpec((e) => e.map((x) => (x.name === 'fc.bias' ? { ...x, storage: 'one' } : x)))));
  png(join(dir, 'imgs', 'b.png'), 8, 3, 1);
  png(join(dir, 'imgs', 'a.png'), 8, 3, 2);
  png(join(dir, 'imgs', 'sub', 'c.png'), 8, 3, 3);
  png(join(dir, 'imgs', 'd.png'), 8, 3, 4);
  png(join(dir, 'imgs', 'e.png'), 8, 3, 5);
  png(join(dir, 'mixed', 'a.png'), 8, 3, 1);
  png(join(dir, 'mixed', 'b.png'), 9, 3, 2);
});

describe('edm metrics with a small known network', () => {
  it('features: [N, 2048] F32 rows of the known output, with the detector in the metadata', async () => {
    const r = await runCli(['metrics', 'features', ...W, '--images', 'imgs', '--out', 'f.safetensors'], dir);
    ok(r);
    expect(r.stdout).toMatch(/wrote f\.safetensors: features \[5, 2048\] of imgs by fid-inception-v3/);
    const { metadata, tensors } = decodeSafetensors(readFileSync(join(dir, 'f.safetensors')));
    expect(metadata).toMatchObject({ detector: 'fid-inception-v3', images: 'imgs' });
    expect(metadata['detector.hash']).toMatch(/^[0-9a-f]{64}$/);
    const f = tensors.get('features')!;
    expect([f.dtype, f.shape]).toEqual(['F32', [5, 2048]]);
    for (const v of tensorToFloat32(f)) expect(Math.abs(v - EXPECTED_FEATURE)).toBeLessThan(1e-6);
  });

  it('ref, then metrics of images and of samples of a checkpoint against it: a table, and JSON with fid, kid, precision and recall', async () => {
    ok(await runCli(['metrics', 'ref', '--data', 'imgs', '--out', 'ref.safetensors', ...W], dir));
    const { metadata } = decodeSafetensors(readFileSync(join(dir, 'ref.safetensors')));
    expect(metadata).toMatchObject({ 'edm.metrics.format': '1', detector: 'fid-inception-v3', count: '5', dataset: 'imgs' });
    const j = await runCli(['metrics', '--images', 'imgs', '--ref', 'ref.safetensors', '--metrics', 'fid,kid,pr', '--json', ...W], dir);
    ok(j);
    const res = JSON.parse(j.stdout);
    expect(res).toMatchObject({ detector: 'fid-inception-v3', images: 5, ref: 'ref.safetensors', ref_images: 5, precision: 1, recall: 1, kid_subset_size: 5 });
    expect(Math.abs(res.fid)).toBeLessThan(1e-6);
    expect(Math.abs(res.kid)).toBeLessThan(1e-6);
    const net = fileURLToPath(new URL('../models/mnist-cond.safetensors', import.meta.url));
    const n = await runCli(['metrics', '--net', net, '--seeds', '0-4', '--steps', '2', '--ref', 'ref.safetensors', '--metrics', 'fid,kid', '--json', ...W], dir);
    ok(n);
    expect(JSON.parse(n.stdout)).toMatchObject({ images: 5, source: net, ref_images: 5 });
    const t = await runCli(['metrics', '--images', 'imgs', '--ref', 'ref.safetensors', ...W], dir);
    ok(t);
    expect(t.stdout).toMatch(/^5 images \(imgs\) vs ref\.safetensors \(imgs, 5 images\), detector fid-inception-v3\nfid +0/);
  }, 300_000); // four CLI runs of the Inception: past the default 120 s on a loaded machine

  it('refuses a reference made with other weights, naming both', async () => {
    if (!existsSync(join(dir, 'ref.safetensors'))) ok(await runCli(['metrics', 'ref', '--data', 'imgs', '--out', 'ref.safetensors', ...W], dir));
    const r = await runCli(['metrics', '--images', 'imgs', '--ref', 'ref.safetensors', '--detector', 'inception:other.pth', '--backend', 'wasm'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ref\.safetensors was made with detector 'fid-inception-v3' \(weights [0-9a-f]{12}\), not with 'fid-inception-v3' \(weights [0-9a-f]{12}\)/);
    const none = await runCli(['metrics', '--images', 'imgs', '--ref', 'ref.safetensors', '--backend', 'wasm'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/made with fid-inception-v3: give --detector inception:FILE/);
  });

  it('images of mixed sizes: an error naming the file, nothing written', async () => {
    const r = await runCli(['metrics', 'features', ...W, '--images', 'mixed', '--out', 'm.safetensors'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mixed: b\.png is 9x9 with 3 channel\(s\), but a\.png is 8x8 with 3/);
    expect(existsSync(join(dir, 'm.safetensors'))).toBe(false);
  });

  it('bad command lines (exit 2) and bad inputs (exit 1)', async () => {
    const cases: [string[], number, RegExp][] = [
      [['metrics', 'ref', '--out', 'x.safetensors', ...W], 2, /'edm metrics ref' needs --data DATASET/],
      [['metrics', 'features', '--images', 'imgs', '--out', 'x.safetensors'], 2, /needs --detector inception:FILE or --detector mnist/],
      [['metrics', 'stats', '--images', 'imgs'], 2, /unknown action 'stats'/],
      [['metrics', '--images', 'imgs', '--net', 'n.safetensors', '--ref', 'r'], 2, /give --images DIR or --net CKPT, not both/],
      [['metrics', '--net', 'n.safetensors', '--ref', 'r'], 2, /--net needs --seeds LIST/],
      [['metrics', '--images', 'imgs', '--ref', 'ref.safetensors', '--metrics', 'fid,is'], 2, /unknown metric 'is'/],
      [['metrics', '--images', 'imgs', '--ref', 'r', '--steps', '10'], 2, /--steps is not an option of 'edm metrics --images'/],
      [['metrics', '--images', 'imgs', '--ref', 'r', '--detector', 'vgg'], 2, /--detector: expected inception:FILE .*, mnist or mnist:FILE, got 'vgg'/],
      [['metrics', 'features', '--detector', 'mnist', '--images', 'imgs', '--out', 'x.safetensors', '--backend', 'wasm'], 1, /imgs: the MNIST judge reads 28 x 28 x 1 digits, got images of 8 x 8 x 3/],
      [['metrics', 'features', '--detector', 'inception:missing.pth', '--images', 'imgs', '--out', 'x.safetensors', '--backend', 'wasm'], 1, /weights file 'missing\.pth' not found/],
      [['metrics', 'features', '--detector', 'inception:imgs/a.png', '--images', 'imgs', '--out', 'x.safetensors', '--backend', 'wasm'], 1, /imgs\/a\.png: not a torch\.save file/],
      [['metrics', '--images', 'imgs', '--ref', 'imgs/a.png', ...W], 1, /imgs\/a\.png/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args, dir);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(existsSync(join(dir, 'x.safetensors'))).toBe(false);
  });

  it('one image: fid needs 2 (a clear error, nothing else written)', async () => {
    png(join(dir, 'one', 'a.png'), 8, 3, 1);
    if (!existsSync(join(dir, 'ref.safetensors'))) ok(await runCli(['metrics', 'ref', '--data', 'imgs', '--out', 'ref.safetensors', ...W], dir));
    const r = await runCli(['metrics', '--images', 'one', '--ref', 'ref.safetensors', ...W], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fid: the Frechet distance needs at least 2 images, one gives 1/);
    const ref = await runCli(['metrics', 'ref', '--data', 'one', '--out', 'one.safetensors', ...W], dir);
    expect(ref.code).toBe(1);
    expect(existsSync(join(dir, 'one.safetensors'))).toBe(false);
  });
});

describeWithFidWeights('edm metrics features with the FID stand-in weights', () => {
  it("gives pytorch-fid's pool3 features, rows in sorted file-name order", async () => {
    const ref = fidReference();
    const rgb = Uint8Array.from(refValues(ref, 'images.rgb'));
    const pool3 = refValues(ref, 'features.pool3');
    // Written in the order 2, 0, 1 under names that sort 0, 1, 2.
    mkdirSync(join(dir, 'fixture'), { recursive: true });
    for (const [i, name] of [[2, 'img-c.png'], [0, 'img-a.png'], [1, 'img-b.png']] as const) {
      writeFileSync(join(dir, 'fixture', name), encodePng({ width: 32, height: 32, channels: 3, data: rgb.subarray(i * 3072, (i + 1) * 3072) }));
    }
    const r = await runCli(['metrics', 'features', '--detector', `inception:${FID_WEIGHTS_PATH}`, '--images', 'fixture', '--out', 'fx.safetensors', '--backend', 'wasm'], dir);
    ok(r);
    const f = tensorToFloat32(decodeSafetensors(readFileSync(join(dir, 'fx.safetensors'))).tensors.get('features')!);
    const { diff, scale } = maxAbsDiff(f, pool3.subarray(0, 3 * 2048));
    expect(diff).toBeLessThanOrEqual(1e-4 * scale);
  });
});
