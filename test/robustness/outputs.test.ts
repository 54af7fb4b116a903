// Output paths of `edm generate` checked before any sampling (the built CLI, under caps, measured): --outdir
// naming a file, --grid under a file, a read-only destination, a symlink loop; and a write failing for lack of
// space (EFBIG through `ulimit -f`) names the file and leaves no temporary file.
import { existsSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectWithinBounds, requireBuiltCli, runCli, tempDir, unwritableFolder, type RunOptions } from './harness';

let dir: string;

beforeAll(() => {
  requireBuiltCli();
  dir = tempDir();
  writeFileSync(join(dir, 'afile'), 'not a folder');
  symlinkSync('loop2', join(dir, 'loop1'));
  symlinkSync('loop1', join(dir, 'loop2'));
});

const generate = (args: string[], opts: RunOptions = {}) =>
  runCli(['generate', '--seeds', '0-3', '--steps', '4', '--backend', 'wasm', ...args], dir, opts);

describe('edm generate: outputs checked before sampling', () => {
  it.each([
    ['--outdir naming a file', ['--outdir', 'afile'], '--outdir: afile is a file; expected a folder'],
    ['--grid under a file', ['--grid', 'afile/g.png'], 'is a file, so nothing can be created under it'],
    ['--outdir through a symlink loop', ['--outdir', 'loop1/out'], '--outdir: '],
  ])('%s', async (what, args, message) => {
    const r = await generate(args);
    expectWithinBounds(r, what);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/EEXIST|ENOTDIR|generated \d/);
  });

  it('--grid in a read-only folder', async () => {
    const readOnly = unwritableFolder();
    if (!readOnly) return;
    const r = await generate(['--grid', `${readOnly}/edm-robustness.png`]);
    expectWithinBounds(r, '--grid in a read-only folder');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--grid: cannot write in ${readOnly}:`);
  });

  it('a symlink loop is named as one', async () => {
    const r = await generate(['--outdir', 'loop1/out']);
    expect(r.stderr).toContain('too many levels of symbolic links (a symlink loop) (ELOOP)');
  });

  it('a full disk while writing the grid names the file and leaves nothing', async () => {
    const r = await generate(['--grid', 'g.png'], { fileSizeLimitKiB: 1 });
    expectWithinBounds(r, 'EFBIG while writing the grid');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('g.png: file too large for this file system (EFBIG)');
    expect(existsSync(join(dir, 'g.png'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.edm-tmp-'))).toEqual([]);
  });
});
