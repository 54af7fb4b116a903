// `edm convert` (packages/cli/src/commands/convert.ts): the Node streaming helper and the command, run
// through the CLI's own dispatcher. The file is written whole or not at all: on a bad input no output and
// no temporary file remain, and an existing output is left untouched.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import convertCommand, { convertFile } from '../../cli/src/commands/convert';
import { main } from '../../cli/src/command/program';
import { CliError } from '../../cli/src/command/errors';
import { convertSnapshot } from '../src/convert/index';
import { decodeSafetensors } from '../src/io/safetensors';
import { PickleWriter, Tup, writeSnapshot } from './convert-pickle-writer';

const fixture = fileURLToPath(new URL('../../../test/fixtures/pickles/edm-ddpmpp-tiny.pkl', import.meta.url));
const pkl = new Uint8Array(readFileSync(fixture));
const dir = mkdtempSync(join(tmpdir(), 'edm-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `edm <argv>` with captured output. */
async function edm(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void) => ({ write: (s: string) => { append(s); return true; }, isTTY: false }) as unknown as NodeJS.WriteStream;
  const code = await main([convertCommand], argv, '0.0.0', {
    stdout: stream((s) => { out += s; }), stderr: stream((s) => { err += s; }), env: {},
  });
  return { code, out, err };
}

const onlyFiles = (): string[] => readdirSync(dir).sort();

describe('convertFile', () => {
  it('streams the fixture into the same bytes as convertSnapshot, leaving no temporary file', async () => {
    const out = join(dir, 'tiny.safetensors');
    const phases = new Set<string>();
    const summary = await convertFile(fixture, out, { onProgress: (p) => phases.add(p.phase) });
    const written = new Uint8Array(readFileSync(out));
    expect(Buffer.compare(Buffer.from(written), Buffer.from(convertSnapshot(pkl, { label: fixture })))).toBe(0);
    expect(summary.tensorCount).toBe(296);
    expect(summary.byteLength).toBe(written.byteLength);
    expect([...phases]).toEqual(['read', 'write']);
    expect(onlyFiles()).toEqual(['tiny.safetensors']);
    rmSync(out);
  });

  it.each([
    ['a truncated pickle', pkl.subarray(0, 50000), /truncated: .* but the data ends at offset 50000/],
    ['a disallowed GLOBAL', new PickleWriter().proto(4).global('os', 'system').value(new Tup(['rm -rf /'])).raw(0x52).stop().finish(),
      /refusing GLOBAL os.system/],
    ['a non-snapshot pickle', new PickleWriter().proto(4).value([1, 2, 3]).stop().finish(), /not an EDM network snapshot/],
  ])('%s: a CliError naming the file, no output, an existing output untouched', async (_what, bytes, message) => {
    const input = join(dir, 'bad.pkl');
    writeFileSync(input, bytes);
    const out = join(dir, 'bad.safetensors');
    await expect(convertFile(input, out)).rejects.toThrow(CliError);
    await expect(convertFile(input, out)).rejects.toThrow(message);
    await expect(convertFile(input, out)).rejects.toThrow(input);
    expect(onlyFiles()).toEqual(['bad.pkl']);
    writeFileSync(out, 'previous checkpoint');
    await expect(convertFile(input, out)).rejects.toThrow(message);
    expect(readFileSync(out, 'utf8')).toBe('previous checkpoint');
    expect(onlyFiles()).toEqual(['bad.pkl', 'bad.safetensors']);
    rmSync(input);
    rmSync(out);
  });

  it('stops on abort and removes the partial file', async () => {
    const controller = new AbortController();
    const out = join(dir, 'aborted.safetensors');
    let writes = 0;
    const done = convertFile(fixture, out, {
      signal: controller.signal,
      onProgress: (p) => { if (p.phase === 'write' && ++writes === 10) controller.abort(); },
    });
    await expect(done).rejects.toThrow(/interrupted; no checkpoint written/);
    expect(onlyFiles()).toEqual([]);
  });
});

describe('edm convert', () => {
  it('converts, prints a one-line summary and reports progress on stderr', async () => {
    const out = join(dir, 'cli.safetensors');
    const r = await edm(['convert', fixture, out, '--key', 'ema']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/cli\.safetensors: EDMPrecond \+ SongUNet, 296 tensors, [\d.]+ k parameters, [\d.]+ MiB$/);
    expect(r.err).toContain(`converting ${fixture}`);
    const { metadata } = decodeSafetensors(new Uint8Array(readFileSync(out)));
    expect(JSON.parse(metadata['edm.network']!).kwargs.dropout).toBe(0.13);
    rmSync(out);
  });

  it('warns when the written checkpoint has options this @edm/models cannot load', async () => {
    const input = join(dir, 'future.pkl');
    writeFileSync(input, writeSnapshot({
      className: 'VEPrecond',
      modules: [['model', { className: 'SongUNet', params: [['w', { storage: [1, 2], size: [2] }]] }]],
      initKwargs: [['model_type', 'SongUNet'], ['img_resolution', 4], ['img_channels', 3], ['new_option', 1]],
    }));
    const out = join(dir, 'future.safetensors');
    const r = await edm(['convert', input, out]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: .*future\.safetensors was written, but this version of @edm\/models cannot load it: .*unknown kwarg 'new_option'/);
    expect(onlyFiles()).toEqual(['future.pkl', 'future.safetensors']);
    rmSync(input);
    rmSync(out);
  });

  it('exits 1 with a clear message for an unsupported entry, 2 for a missing argument', async () => {
    const out = join(dir, 'x.safetensors');
    const r = await edm(['convert', fixture, out, '--key', 'loss_fn']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/edm convert: .*edm-ddpmpp-tiny\.pkl: entry 'loss_fn': unsupported class EDMLoss/);
    expect(onlyFiles()).toEqual([]);
    const missing = await edm(['convert', fixture]);
    expect(missing.code).toBe(2);
    const nofile = await edm(['convert', join(dir, 'nope.pkl'), out]);
    expect(nofile.code).toBe(1);
    expect(nofile.err).toMatch(/nope\.pkl: no such file/);
  });
});
