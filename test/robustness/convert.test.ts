// `edm convert` on hostile snapshots, run as a user would (the built CLI), each under a memory and time cap
// and measured (harness.ts): a "billion laughs" entry, 5,000-deep nesting, stride-0 broadcasts that would
// expand to gigabytes, a million values, control characters in a GLOBAL, an unwritable output; and Ctrl-C /
// SIGTERM during a 1 GiB conversion (a sparse file made here in milliseconds). Every case ends within the
// issue's bounds (512 MB, 10 s) with a clear message and no file left behind.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors } from '../../packages/models/src/io/safetensors';
import {
  broadcastSnapshot, fixtureWithEntry, manyDicts, nestedDeep, nestedTwice, raw, SMALL_VP_KWARGS, writeSparseSnapshot,
} from '../../packages/models/test/convert-hostile';
import { PickleWriter, writeSnapshot } from '../../packages/models/test/convert-pickle-writer';
import { expectWithinBounds, requireBuiltCli, runCli, tempDir, unwritableFolder, type Run } from './harness';

let dir: string;
const files = () => readdirSync(dir).sort();

beforeAll(() => {
  requireBuiltCli();
  dir = tempDir();
});

/** Writes `bytes` as `name` in the test folder and converts it to `out`. */
async function convert(name: string, bytes: Uint8Array, out = 'out.safetensors', extra: string[] = []): Promise<Run> {
  writeFileSync(join(dir, name), bytes);
  return runCli(['convert', name, out, ...extra], dir);
}

describe('edm convert: hostile pickles', () => {
  it('a 1.7 MB snapshot with a 2^60-list "billion laughs" entry converts without that entry', async () => {
    const r = await convert('laughs.pkl', fixtureWithEntry('bomb', nestedTwice(60)), 'laughs.safetensors');
    expectWithinBounds(r, 'billion laughs (60 levels)');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("not converted: 1 other snapshot entry ('bomb')");
    const out = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'laughs.safetensors'))));
    expect(out.tensors.size).toBe(296);
    expect(out.metadata['edm.snapshot']!.length).toBeLessThan(4096);
    expect(files().filter((f) => f.startsWith('.edm-tmp-'))).toEqual([]);
  });

  it('5,000 levels of nesting in dataset_kwargs: refused with the path', async () => {
    const pkl = writeSnapshot({ className: 'VPPrecond', modules: [['model', { className: 'SongUNet' }]], initKwargs: SMALL_VP_KWARGS },
      { extra: [['dataset_kwargs', raw(nestedDeep(5000))]] });
    const r = await convert('deep.pkl', pkl, 'deep.safetensors');
    expectWithinBounds(r, 'nesting 5,000 deep');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/deep\.pkl: entry dataset_kwargs(\[0\])+: nested more than 100 levels deep \(the limit\): refusing/);
    expect(existsSync(join(dir, 'deep.safetensors'))).toBe(false);
  });

  it('a (100000, 100000) stride-0 view the config declares as (4, 10): refused before allocating', async () => {
    const r = await convert('shape.pkl', broadcastSnapshot('map_label.weight', [100_000, 100_000], true), 'shape.safetensors');
    expectWithinBounds(r, '(100000, 100000) broadcast');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("shape.pkl: tensor 'model.map_label.weight' has shape (100000, 100000), but VPPrecond with these kwargs declares (4, 10)");
  });

  it('a 20000 x 20000 broadcast of one float (1.6 GB as F32) with an undeclarable config: refused by the size bound', async () => {
    const r = await convert('amplify.pkl', broadcastSnapshot('w', [20_000, 20_000], false), 'amplify.safetensors');
    expectWithinBounds(r, '20000x20000 broadcast');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tensor 'model\.w' of shape \(20000, 20000\) \(a broadcast of its 1-element storage, stride \(0, 0\)\) takes the checkpoint past \d+ bytes/);
    expect(existsSync(join(dir, 'amplify.safetensors'))).toBe(false);
  });

  it('a million and one values: refused with the offset', async () => {
    const r = await convert('values.pkl', fixtureWithEntry('dicts', manyDicts(1_000_001)), 'values.safetensors');
    expectWithinBounds(r, '1,000,001 values');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/values\.pkl: offset \d+: EMPTY_DICT: the pickle builds more than 1,000,000 values/);
  });

  it('a GLOBAL with ESC/BEL sequences is printed escaped', async () => {
    const r = await convert('esc.pkl', new PickleWriter(4).proto(4).globalText('os\x1b]0;owned\x07\x1b[2J', 'system').stop().finish());
    expectWithinBounds(r, 'control characters');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing GLOBAL os\\u001b]0;owned\\u0007\\u001b[2J.system');
    expect(r.stderr).not.toMatch(/[\x07\x1b\x9b]/);
  });

  it('an output under a file or in an unwritable folder is refused before the input is read', async () => {
    writeFileSync(join(dir, 'afile'), 'x');
    writeFileSync(join(dir, 'ok.pkl'), fixtureWithEntry('x', (w) => w.none()));
    const under = await runCli(['convert', 'ok.pkl', 'afile/net.safetensors'], dir);
    expectWithinBounds(under, 'output under a file');
    expect(under.code).toBe(1);
    expect(under.stderr).toMatch(/afile\/net\.safetensors: folder afile does not exist|afile is a file/);
    const readOnly = unwritableFolder();
    if (!readOnly) return;
    const ro = await runCli(['convert', 'ok.pkl', `${readOnly}/edm-robustness.safetensors`], dir);
    expect(ro.code).toBe(1);
    expect(ro.stderr).toMatch(/output: cannot write in \/sys: (permission denied|read-only file system|operation not permitted)/);
    expect(ro.stderr).not.toMatch(/converting/);
  });
});

describe('edm convert: Ctrl-C and SIGTERM', () => {
  it.each([
    ['SIGINT', ['SIGINT'] as NodeJS.Signals[]],
    ['SIGTERM', ['SIGTERM'] as NodeJS.Signals[]],
    ['two SIGINTs', ['SIGINT', 'SIGINT'] as NodeJS.Signals[]],
  ])('%s during a 1 GiB conversion: exit 130, no output, no temporary file', async (name, signals) => {
    const base = name.replace(/\s/g, '-');
    writeSparseSnapshot(join(dir, `${base}.pkl`), 64, 16 << 20);
    let sent = false;
    let watch: NodeJS.Timeout | undefined;
    // Once the temporary output holds data, the conversion is writing: interrupt it then.
    const r = await runCli(['convert', `${base}.pkl`, `${base}.safetensors`], dir, {
      onStart: (kill) => {
        watch = setInterval(() => {
          const tmp = readdirSync(dir).find((f) => f.startsWith('.edm-tmp-') && f.endsWith(`${base}.safetensors`));
          if (!sent && tmp && statSync(join(dir, tmp), { throwIfNoEntry: false })?.size) {
            sent = true;
            for (const s of signals) kill(s);
          }
        }, 20);
      },
    });
    clearInterval(watch);
    expectWithinBounds(r, `${name} during a 1 GiB conversion`);
    expect(sent, r.stderr).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(existsSync(join(dir, `${base}.safetensors`))).toBe(false);
    expect(files().filter((f) => f.startsWith('.edm-tmp-'))).toEqual([]);
  });
});
