// `edm dataset` (and `edm train --data`) on hostile inputs and faults, run as a user would (the built CLI),
// under caps and measured (harness.ts): zip bombs (1 GiB in 1 MiB, a ZIP64 entry claiming 3 GiB, an entry
// lying about its size; made by hand in milliseconds, bombs.ts), PNGs that are empty, cut, text or claim
// 100000x100000, a PNG decompression bomb; Ctrl-C and a full disk (EFBIG, `ulimit -f`) while writing; an
// existing destination; a partial dataset folder given to `edm train`. Each ends within 512 MB and 10 s with a
// clear message, and nothing partial is left.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deflated, deflatedZeros, pngFile, zipFile, zlibZeros } from './bombs';
import { expectWithinBounds, requireBuiltCli, runCli, tempDir, type RunOptions } from './harness';

let dir: string;
const temps = () => readdirSync(dir).filter((f) => f.startsWith('.edm-tmp-'));

/** A valid 4x4 gray PNG. */
function smallPng(v = 128): Uint8Array {
  const png = new PNG({ width: 4, height: 4 });
  png.data.fill(v);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  return new Uint8Array(PNG.sync.write(png, { colorType: 0 }));
}

beforeAll(() => {
  requireBuiltCli();
  dir = tempDir();
});

const dataset = (args: string[], opts: RunOptions = {}) => runCli(['dataset', ...args], dir, opts);

describe('zip bombs', () => {
  const gib = Math.floor((2 ** 30 - 1) / 258);
  const labels = (name: string) => deflated('dataset.json', new TextEncoder().encode(JSON.stringify({ labels: [[name, 0]] })));

  it('a 1 MiB zip holding a 1 GiB entry: refused from its declared size, for edm dataset and edm train', async () => {
    const bomb = deflatedZeros(gib);
    const name = '00000/img00000000.png';
    writeFileSync(join(dir, 'bomb.zip'), zipFile([{ name, data: bomb.data, method: 8, size: bomb.size }, labels(name)]));
    expect(readFileSync(join(dir, 'bomb.zip')).length).toBeLessThan(1.1 * 2 ** 20);
    const r = await dataset(['--source', 'bomb.zip', '--dest', 'bomb-out.zip']);
    expectWithinBounds(r, 'edm dataset on a 1 GiB zip bomb');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bomb.zip: 00000/img00000000.png: declares 1024.0 MiB uncompressed, more than the 256.0 MiB limit');
    const t = await runCli(['train', '--data', 'bomb.zip', '--dry-run'], dir);
    expectWithinBounds(t, 'edm train --data on a 1 GiB zip bomb');
    expect(t.code).toBe(1);
    expect(t.stderr).toContain('declares 1024.0 MiB uncompressed');
    expect(existsSync(join(dir, 'bomb-out.zip'))).toBe(false);
  });

  it.each([
    ['a ZIP64 entry claiming 3 GiB (from a 3 MiB stream) is refused before inflating', 'zip64', 3 * 2 ** 30, undefined,
      /zip64\.zip: a\.png: declares 3072\.0 MiB uncompressed/],
    ['a high compression ratio is refused (40 MiB from 40 KiB)', 'ratio', 40 * 2 ** 20, undefined,
      /ratio\.zip: a\.png: compression ratio 10\d\d:1 \(40\.0 MiB from 0\.039 MiB\), more than 200:1: a zip bomb\? refusing/],
    ['an entry declaring 1 MiB that inflates to 1 GiB stops where the lie shows', 'liar', 2 ** 30, 2 ** 20,
      /liar\.zip: a\.png: inflates past its declared 1048576 bytes: a zip bomb or a damaged zip; refusing/],
  ])('%s', async (what, name, zeros, declared, message) => {
    const bomb = deflatedZeros(Math.floor(zeros / 258));
    writeFileSync(join(dir, `${name}.zip`), zipFile([{ name: 'a.png', data: bomb.data, method: 8, size: declared ?? bomb.size }]));
    const r = await dataset(['--source', `${name}.zip`, '--dest', `${name}-out.zip`]);
    expectWithinBounds(r, what);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });
});

describe('PNGs that are not what they claim', () => {
  it.each([
    ['empty', new Uint8Array(0), 'empty file (0 bytes), not a PNG image'],
    ['text', new TextEncoder().encode('hello, this is not an image\n'), "not a PNG file (no PNG signature; it starts with text 'hello, this is not an im...')"],
    ['truncated', smallPng().subarray(0, 40), 'truncated PNG: the file ends at byte 40 before its IEND chunk'],
    ['huge header', pngFile(100_000, 100_000, 0, zlibZeros(10).data), "the PNG header says 100000x100000 (10000.0 MP), over the decoder's limit of 100 MP"],
  ])('%s', async (name, bytes, message) => {
    const folder = join(dir, `png-${name.replace(' ', '-')}`);
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.png'), smallPng());
    writeFileSync(join(folder, 'b.png'), bytes);
    const r = await dataset(['--source', folder, '--dest', `${folder}.zip`]);
    expectWithinBounds(r, `PNG: ${name}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`b.png: ${message}`);
  });

  it('a 7000x7219 RGB PNG of zeros (148 KiB, about 650 MB to decode) is refused by its decoding memory', async () => {
    // 7219 rows of 1 + 3 * 7000 bytes is 1 + 258 k bytes for whole k, as zlibZeros makes.
    const rows = 7219 * (1 + 3 * 7000);
    const idat = zlibZeros((rows - 1) / 258);
    expect(idat.size).toBe(rows);
    const folder = join(dir, 'png-bomb');
    mkdirSync(folder);
    writeFileSync(join(folder, 'b.png'), pngFile(7000, 7219, 2, idat.data));
    const r = await dataset(['--source', folder, '--dest', 'png-bomb.zip']);
    expectWithinBounds(r, 'PNG decompression bomb');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/b\.png: decoding this 7000x7219 PNG needs about \d+ MB, more than the decoder's memory limit of 512 MB/);
  });
});

describe('writing a dataset', () => {
  it('Ctrl-C while a folder is written: exit 130, no folder and no temporary folder; the rerun works', async () => {
    let sent = false;
    const r = await dataset(['--source', 'mnist', '--dest', 'digits'], {
      onStderr: () => {},
      onStart: (kill) => {
        const watch = setInterval(() => {
          const tmp = temps().find((f) => f.endsWith('-digits'));
          if (tmp && existsSync(join(dir, tmp, '00000'))) {
            sent = true;
            kill('SIGINT');
            clearInterval(watch);
          }
        }, 20);
      },
    });
    expectWithinBounds(r, 'Ctrl-C while writing a dataset folder');
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(existsSync(join(dir, 'digits'))).toBe(false);
    expect(temps()).toEqual([]);
    const again = await dataset(['--source', 'mnist', '--dest', 'digits', '--max-images', '20']);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(join(dir, 'digits')).sort()).toEqual(['00000', 'dataset.json']);
  });

  it('a write failing (file too large, EFBIG) names the file and leaves nothing', async () => {
    const r = await dataset(['--source', 'mnist', '--dest', 'full.zip', '--max-images', '2000'], { fileSizeLimitKiB: 64 });
    expectWithinBounds(r, 'EFBIG while writing a zip');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('full.zip: file too large for this file system (EFBIG)');
    expect(existsSync(join(dir, 'full.zip'))).toBe(false);
    expect(temps()).toEqual([]);
  });

  it('an existing zip or non-empty folder is replaced only with --overwrite', async () => {
    writeFileSync(join(dir, 'old.zip'), 'previous');
    const refused = await dataset(['--source', 'mnist', '--dest', 'old.zip', '--max-images', '10']);
    expectWithinBounds(refused, '--dest an existing zip');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--dest 'old.zip' already exists; add --overwrite to replace it");
    expect(readFileSync(join(dir, 'old.zip'), 'utf8')).toBe('previous');
    const replaced = await dataset(['--source', 'mnist', '--dest', 'old.zip', '--max-images', '10', '--overwrite']);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'old.zip')).subarray(0, 2).toString()).toBe('PK');
    mkdirSync(join(dir, 'olddir'));
    writeFileSync(join(dir, 'olddir', 'keep.txt'), 'x');
    const folder = await dataset(['--source', 'mnist', '--dest', 'olddir', '--max-images', '10']);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain("--dest 'olddir' already exists and is not an empty folder; add --overwrite to replace it");
    const over = await dataset(['--source', 'mnist', '--dest', 'olddir', '--max-images', '10', '--overwrite']);
    expect(over.code, over.stderr).toBe(0);
    expect(readdirSync(join(dir, 'olddir')).sort()).toEqual(['00000', 'dataset.json']);
    expect(temps()).toEqual([]);
  });

  it('edm train refuses a dataset folder whose writing stopped (images, no dataset.json)', async () => {
    const partial = join(dir, 'partial', '00000');
    mkdirSync(partial, { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(partial, `img0000000${i}.png`), smallPng(i * 40));
    const r = await runCli(['train', '--data', 'partial', '--dry-run'], dir);
    expectWithinBounds(r, 'edm train on a partial dataset folder');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("partial: 3 images named as 'edm dataset' writes them but no dataset.json: an incomplete dataset");
  });
});
