// Reading input files (src/io/read-file.ts): a whole file in parts (files over 2 GiB are read in parts of 1 GiB;
// here parts of 1000 bytes), and one message naming the path for a missing, empty, folder, looping or dangling
// input.
import { closeSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputFileSize, readInputFile, readOpenFile } from '../src/io/read-file';
import { tempDir } from './helpers';

describe('readOpenFile / inputFileSize', () => {
  const dir = tempDir();

  it('reads a file in parts, byte for byte', () => {
    const bytes = Uint8Array.from({ length: 3333 }, (_, i) => (i * 7) & 0xff);
    writeFileSync(join(dir, 'f.bin'), bytes);
    const fd = openSync(join(dir, 'f.bin'), 'r');
    try {
      expect(Buffer.from(readOpenFile(fd, 'f.bin', 1000)).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      closeSync(fd);
    }
    expect(Buffer.from(readInputFile(join(dir, 'f.bin'), 'file')).equals(Buffer.from(bytes))).toBe(true);
  });

  it('names a missing, empty, folder, looping or dangling input', () => {
    writeFileSync(join(dir, 'empty'), '');
    mkdirSync(join(dir, 'folder'));
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    symlinkSync('nowhere', join(dir, 'dangling'));
    const size = (name: string) => () => inputFileSize(join(dir, name), 'checkpoint');
    expect(size('missing')).toThrow(/checkpoint '.*missing' not found/);
    expect(size('dangling')).toThrow(/checkpoint '.*dangling' not found/);
    expect(size('empty')).toThrow(/checkpoint '.*empty' is empty/);
    expect(size('folder')).toThrow(/checkpoint '.*folder' is a folder; expected a file/);
    expect(size('loop-a')).toThrow(/checkpoint '.*loop-a': too many levels of symbolic links \(a symlink loop\) \(ELOOP\)/);
  });
});
