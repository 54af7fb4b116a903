// The shipped MNIST model (models/mnist-cond.safetensors): the default of `edm generate` and `edm info`,
// found relative to the built CLI from any working directory (the README's main job).
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../src/io/png';
import { requireBuiltCli, runCli, tempDir } from './helpers';

const MODELS = fileURLToPath(new URL('../models/', import.meta.url));
const SHIPPED = JSON.parse(readFileSync(join(MODELS, 'shipped.json'), 'utf8')) as { model: string; guide: string; guidance: number; judge: string };
const MODEL = join(MODELS, SHIPPED.model);
const GUIDE = join(MODELS, SHIPPED.guide);

describe('the shipped model', () => {
  let dir: string;
  beforeAll(() => {
    requireBuiltCli();
    dir = tempDir();
  });

  it('is present and small, with its guide and judge (models/shipped.json names them)', () => {
    for (const f of [MODEL, GUIDE, join(MODELS, SHIPPED.judge)]) {
      expect(existsSync(f), `${f} is missing`).toBe(true);
      expect(readFileSync(f).length).toBeLessThan(4 * 2 ** 20);
    }
    expect(SHIPPED.guidance).toBeGreaterThan(1);
  });

  it('edm generate without --net is the shipped model guided by the shipped guide at the shipped weight', async () => {
    const common = ['--seeds', '3', '--steps', '4', '--backend', 'wasm'];
    const runs = {
      byDefault: [] as string[],
      spelled: ['--net', MODEL, '--guide', GUIDE, '--guidance', String(SHIPPED.guidance)],
      unguided: ['--guidance', '1'],
      otherWeight: ['--guidance', String(SHIPPED.guidance + 1)],
    };
    const png: Record<string, Buffer> = {};
    for (const [name, extra] of Object.entries(runs)) {
      const r = await runCli(['generate', ...common, ...extra, '--outdir', name], dir);
      expect(r.code, r.stderr).toBe(0);
      png[name] = readFileSync(join(dir, name, '000003.png'));
    }
    expect(png.byDefault!.equals(png.spelled!)).toBe(true);
    expect(png.byDefault!.equals(png.unguided!)).toBe(false);
    expect(png.byDefault!.equals(png.otherWeight!)).toBe(false);
  });

  it('edm info describes it by default', async () => {
    const r = await runCli(['info', '--json', '--backend', 'wasm'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      file: MODEL, class_name: 'training.networks_edm2.Precond', img_resolution: 28, img_channels: 1, label_dim: 10,
    });
  });

  it('edm generate draws digits from it by default, from any folder', async () => {
    const r = await runCli(['generate', '--seeds', '0-3', '--grid', 'grid.png', '--steps', '8', '--backend', 'wasm'], dir);
    expect(r.code, r.stderr).toBe(0);
    const grid = decodePng(readFileSync(join(dir, 'grid.png')), 'grid.png');
    expect([grid.width, grid.height, grid.channels]).toEqual([56, 56, 1]);
    // A digit on black: mostly dark pixels, and some bright ones.
    const dark = grid.data.filter((v) => v < 64).length / grid.data.length;
    expect(dark).toBeGreaterThan(0.5);
    expect(Math.max(...grid.data)).toBeGreaterThan(200);
  });

  it('edm generate uses one wasm thread per core by default: the same PNG bytes as one thread, and it exits on its own', async () => {
    const args = ['generate', '--seeds', '5-7', '--grid', 'grid.png', '--steps', '6', '--backend', 'wasm'];
    const one = tempDir();
    const auto = tempDir();
    const r1 = await runCli([...args, '--outdir', 'out'], one, undefined, { EDM_WASM_THREADS: '1' });
    const ra = await runCli([...args, '--outdir', 'out'], auto, undefined, { EDM_WASM_THREADS: '' });
    expect(r1.code, r1.stderr).toBe(0);
    expect(ra.code, ra.stderr).toBe(0);
    expect(r1.stderr).toMatch(/engine: wasm( \(|$)/m);
    const cores = Math.min(8, availableParallelism());
    if (cores > 1) expect(ra.stderr).toMatch(new RegExp(`engine: wasm, ${cores} threads`));
    for (const f of ['grid.png', 'out/000005.png', 'out/000007.png']) {
      expect(readFileSync(join(auto, f)).equals(readFileSync(join(one, f))), f).toBe(true);
    }
  });

  it('the ablation sampler options select the generalized sampler', async () => {
    const r = await runCli(['generate', '--seeds', '5', '--class', '3', '--outdir', 'abl', '--steps', '6', '--solver', 'euler',
      '--disc', 'vp', '--schedule', 'vp', '--scaling', 'vp', '--backend', 'wasm'], dir);
    expect(r.code, r.stderr).toBe(0);
    const e = await runCli(['generate', '--seeds', '5', '--class', '3', '--outdir', 'edm', '--steps', '6', '--backend', 'wasm'], dir);
    expect(e.code, e.stderr).toBe(0);
    expect(readFileSync(join(dir, 'abl', '000005.png')).equals(readFileSync(join(dir, 'edm', '000005.png')))).toBe(false);
  });
});
