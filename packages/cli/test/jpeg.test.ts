// JPEG input: decoding through the CLI's image path (decodeImage), errors that name the file, folders that mix
// PNG and JPEG, and one `edm dataset` run of the built CLI. Fixtures are made here: RGB photos-like images with
// jpeg-js's encoder (baseline, YCbCr), and grayscale / progressive / CMYK files with the small flat-block writer
// below (jpeg-js cannot encode those), whose pixels are known exactly.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'jpeg-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDatasetFiles } from '../src/data/layout';
import { decodeImage, type Image8 } from '../src/io/image';
import { decodeJpeg, readJpegFrame } from '../src/io/jpeg';
import { decodePng, encodePng } from '../src/io/png';
import { requireBuiltCli, runCli, tempDir } from './helpers';

/** A smooth RGB test picture (gradients and a soft disc), w x h. */
function picture(w: number, h: number): Image8 {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const r = Math.hypot(x - w / 2, y - h / 2) / (w / 2);
      const i = (y * w + x) * 3;
      data[i] = Math.round((255 * x) / (w - 1));
      data[i + 1] = Math.round((255 * y) / (h - 1));
      data[i + 2] = Math.round(255 / (1 + Math.exp(8 * (r - 0.6))));
    }
  }
  return { width: w, height: h, channels: 3, data };
}

/** jpeg-js's encoder wants RGBA. */
function encodeRgb(img: Image8, quality: number): Uint8Array {
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let p = 0; p < img.width * img.height; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = img.data[p * 3 + c]!;
    rgba[p * 4 + 3] = 255;
  }
  return new Uint8Array(encode({ width: img.width, height: img.height, data: rgba }, quality).data);
}

const meanAbsError = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

/**
 * Writes a JPEG whose 8x8 blocks are flat: `blocks[c][k]` is the sample of component c in block k (raster order,
 * width and height multiples of 8). Quantization 1 everywhere, so block DC = 8 (v - 128) and the decoded block
 * is exactly v. DC categories get 4-bit codes (category k -> k), the only AC symbol is EOB ('0').
 * Baseline: one interleaved scan. Progressive: an interleaved DC scan, then one AC scan (1..63) per component.
 */
function flatJpeg(width: number, height: number, blocks: number[][], progressive: boolean, adobe = false): Uint8Array {
  const out: number[] = [0xff, 0xd8];
  const segment = (code: number, body: number[]) => out.push(0xff, code, (body.length + 2) >> 8, (body.length + 2) & 255, ...body);
  if (adobe) segment(0xee, [0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, 0]); // Adobe, transform 0 (CMYK)
  segment(0xdb, [0, ...new Array(64).fill(1)]);
  const nf = blocks.length;
  segment(progressive ? 0xc2 : 0xc0, [8, height >> 8, height & 255, width >> 8, width & 255, nf,
    ...blocks.flatMap((_, c) => [c + 1, 0x11, 0])]);
  const dcBits = new Array(16).fill(0);
  dcBits[3] = 12; // 12 codes of length 4
  segment(0xc4, [0x00, ...dcBits, ...Array.from({ length: 12 }, (_, k) => k)]);
  const acBits = new Array(16).fill(0);
  acBits[0] = 1; // one code of length 1: EOB
  segment(0xc4, [0x10, ...acBits, 0x00]);
  const scan = (comps: number[], ss: number, se: number, body: (put: (v: number, n: number) => void) => void) => {
    segment(0xda, [comps.length, ...comps.flatMap((c) => [c + 1, 0x00]), ss, se, 0]);
    let acc = 0;
    let nbits = 0;
    const put = (v: number, n: number) => {
      for (let b = n - 1; b >= 0; b--) {
        acc = (acc << 1) | ((v >> b) & 1);
        if (++nbits === 8) {
          out.push(acc);
          if (acc === 0xff) out.push(0);
          acc = 0;
          nbits = 0;
        }
      }
    };
    body(put);
    if (nbits > 0) put(0x7f, 8 - nbits); // pad with 1s
  };
  const putDc = (put: (v: number, n: number) => void, diff: number) => {
    const size = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
    put(size, 4);
    if (size > 0) put(diff > 0 ? diff : diff + (1 << size) - 1, size);
  };
  const nBlocks = blocks[0]!.length;
  const all = blocks.map((_, c) => c);
  scan(all, 0, progressive ? 0 : 63, (put) => {
    const pred = blocks.map(() => 0);
    for (let k = 0; k < nBlocks; k++) {
      for (let c = 0; c < nf; c++) {
        const dc = 8 * (blocks[c]![k]! - 128);
        putDc(put, dc - pred[c]!);
        pred[c] = dc;
        if (!progressive) put(0, 1); // EOB
      }
    }
  });
  if (progressive) for (const c of all) scan([c], 1, 63, (put) => { for (let k = 0; k < nBlocks; k++) put(0, 1); });
  out.push(0xff, 0xd9);
  return Uint8Array.from(out);
}

/** JFIF YCbCr -> RGB, as a decoder does (rounded, clamped). */
const ycc2rgb = (y: number, cb: number, cr: number) => [y + 1.402 * (cr - 128), y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128), y + 1.772 * (cb - 128)]
  .map((v) => Math.min(255, Math.max(0, Math.round(v))));

describe('JPEG decoding (jpeg-js behind decodeImage)', () => {
  it('reads a quality-100 RGB JPEG within JPEG tolerance, and a lower quality one less closely', () => {
    const src = picture(37, 22); // not a multiple of 8: partial blocks at the edges
    const q100 = decodeImage(encodeRgb(src, 100), 'photo.jpg');
    expect([q100.width, q100.height, q100.channels, q100.data.length]).toEqual([37, 22, 3, 37 * 22 * 3]);
    const e100 = meanAbsError(q100.data, src.data);
    expect(e100).toBeLessThan(3); // measured about 0.6 / 255
    const e50 = meanAbsError(decodeImage(encodeRgb(src, 50), 'photo.jpeg').data, src.data);
    expect(e50).toBeGreaterThan(e100);
    expect(e50).toBeLessThan(12);
  });

  it('reads grayscale as 1 channel and colour as 3, baseline and progressive, with exact flat-block values', () => {
    const gray = [[0, 77, 128, 255]]; // a 16x16 image of four 8x8 blocks
    const ycc = [[40, 128, 200, 235], [128, 90, 160, 128], [128, 200, 100, 60]];
    for (const progressive of [false, true]) {
      const g = decodeImage(flatJpeg(16, 16, gray, progressive), 'g.jpg');
      expect(readJpegFrame(flatJpeg(16, 16, gray, progressive), 'g.jpg')).toMatchObject({ components: 1, progressive });
      expect([g.width, g.height, g.channels]).toEqual([16, 16, 1]);
      // Pixel (x, y) is in block (x >> 3) + 2 (y >> 3).
      for (const [x, y] of [[0, 0], [15, 0], [3, 12], [15, 15]] as const) {
        expect(g.data[y * 16 + x]).toBe(gray[0]![(x >> 3) + 2 * (y >> 3)]);
      }
      const c = decodeImage(flatJpeg(16, 16, ycc, progressive), 'c.jpg');
      expect([c.width, c.height, c.channels]).toEqual([16, 16, 3]);
      for (let k = 0; k < 4; k++) {
        const x = (k % 2) * 8 + 4;
        const y = (k >> 1) * 8 + 4;
        const want = ycc2rgb(ycc[0]![k]!, ycc[1]![k]!, ycc[2]![k]!);
        const got = [...c.data.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3)];
        got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1));
      }
    }
  });

  it('recognises the content: a PNG named .jpg reads as PNG, a JPEG named .png as JPEG', () => {
    const png = encodePng({ width: 2, height: 1, channels: 1, data: Uint8Array.from([3, 250]) });
    expect([...decodeImage(png, 'mislabelled.jpg').data]).toEqual([3, 250]);
    expect(decodeImage(flatJpeg(8, 8, [[90]], false), 'mislabelled.png').data[0]).toBe(90);
  });

  it('names the file and what was expected for corrupt, truncated, CMYK and too large files', () => {
    const good = encodeRgb(picture(16, 16), 90);
    expect(() => decodeImage(Uint8Array.from([1, 2, 3, 4]), 'x.jpg')).toThrow(/^x\.jpg: not a JPEG \(bad SOI marker: expected FF D8, got 01 02\)$/);
    expect(() => decodeImage(new Uint8Array(0), 'empty.jpeg')).toThrow(/empty\.jpeg: not a JPEG \(bad SOI marker/);
    expect(() => decodeImage(good.subarray(0, Math.floor(good.length * 0.7)), 'cut.jpg')).toThrow(/^cut\.jpg: truncated \(/);
    expect(() => decodeImage(good.subarray(0, 40), 'head.jpg')).toThrow(/^head\.jpg: truncated \(segment FF .. at byte \d+ needs \d+ bytes/);
    const cmyk = flatJpeg(8, 8, [[10], [20], [30], [40]], false, true);
    expect(() => decodeImage(cmyk, 'print.jpg')).toThrow(/^print\.jpg: unsupported JPEG colour model CMYK\/YCCK \(4 components\); expected grayscale/);
    const lossless = Uint8Array.from(flatJpeg(8, 8, [[10]], false));
    lossless[lossless.indexOf(0xc0, 2)] = 0xc3; // SOF0 -> SOF3
    expect(() => decodeImage(lossless, 'l.jpg')).toThrow(/^l\.jpg: unsupported JPEG kind \(lossless\); expected baseline or progressive/);
    expect(() => decodeJpeg(good, 'big.jpg', { maxResolutionInMP: 0.0001 })).toThrow(
      /^big\.jpg: the JPEG is 16x16 \(0\.0 MP\), over the decoder's limit of 0\.0001 MP$/);
    expect(() => decodeJpeg(good, 'mem.jpg', { maxMemoryUsageInMB: 0.001 })).toThrow(
      /^mem\.jpg: decoding this 16x16 JPEG needs more than the decoder's memory limit of 0\.001 MB \(maxMemoryUsageInMB limit exceeded/);
    expect(() => decodeImage(Uint8Array.from([1, 2]), 'x.webp')).toThrow(/x\.webp: unsupported image file; expected PNG \(\.png\) or JPEG/);
  });
});

describe('dataset folders mixing PNG and JPEG', () => {
  it('reads .png, .jpg and .jpeg together; mixed channels still name the file', () => {
    const dir = tempDir();
    const src = picture(16, 16);
    writeFileSync(join(dir, 'a.png'), encodePng(src));
    writeFileSync(join(dir, 'b.jpg'), encodeRgb(src, 100));
    writeFileSync(join(dir, 'c.JPEG'), encodeRgb(src, 100));
    const ds = readDatasetFiles(dir);
    expect([ds.count, ds.width, ds.height, ds.channels]).toEqual([3, 16, 16, 3]);
    expect(ds.names).toEqual(['a.png', 'b.jpg', 'c.JPEG']);
    expect([...ds.pixels.subarray(0, 768)]).toEqual([...src.data]);
    expect(meanAbsError(ds.pixels.subarray(768, 1536), src.data)).toBeLessThan(3);
    writeFileSync(join(dir, 'd.jpg'), flatJpeg(16, 16, [[1, 2, 3, 4]], true));
    expect(() => readDatasetFiles(dir)).toThrow(/d\.jpg is 16x16 with 1 channel\(s\), but a\.png is 16x16 with 3/);
    writeFileSync(join(dir, 'd.jpg'), 'not a jpeg');
    expect(() => readDatasetFiles(dir)).toThrow(/d\.jpg: not a JPEG \(bad SOI marker/);
    writeFileSync(join(dir, 'd.jpg'), encodeRgb(src, 100));
    writeFileSync(join(dir, 'e.gif'), 'x');
    expect(() => readDatasetFiles(dir)).toThrow(/e\.gif: only PNG and JPEG images are supported/);
  });
});

describe('edm dataset (built CLI) on a folder with a .jpg and a .png', () => {
  beforeAll(() => requireBuiltCli());
  it('writes dataset.json and PNGs; the JPEG becomes the PNG of its decoded pixels', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    const src = picture(24, 16);
    const jpg = encodeRgb(src, 100);
    writeFileSync(join(dir, 'src', 'a.jpg'), jpg);
    writeFileSync(join(dir, 'src', 'b.png'), encodePng(src));
    const r = await runCli(['dataset', '--source', 'src', '--dest', 'out'], dir);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/out: 2 images, 24x16, 3 channel\(s\), no labels/);
    expect(readdirSync(join(dir, 'out', '00000')).sort()).toEqual(['img00000000.png', 'img00000001.png']);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'dataset.json'), 'utf8'))).toEqual({ labels: null });
    const a = decodePng(readFileSync(join(dir, 'out', '00000', 'img00000000.png')), 'a');
    const b = decodePng(readFileSync(join(dir, 'out', '00000', 'img00000001.png')), 'b');
    expect(a).toEqual(decodeJpeg(jpg, 'a.jpg'));
    expect(meanAbsError(a.data, src.data)).toBeLessThan(3);
    expect(b).toEqual(src);
  }, 20_000);
});
