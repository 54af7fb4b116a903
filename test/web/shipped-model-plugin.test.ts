// The web app's Vite plugin (examples/web/plugins/shipped-model.ts): which model and autoguidance guide it
// ships and at what weight, read from a models folder's shipped.json (a temporary one here, and this
// checkout's), with the EDM_WEB_MODEL / EDM_WEB_GUIDE overrides and clear errors for bad paths and a bad
// shipped.json; the virtual module the app imports; both files emitted into the build.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliModelsDir, findShipped, shippedModel } from '../../examples/web/plugins/shipped-model';

let dir: string;
let models: string;
let other: string;

/** A models folder: shipped.json naming m.safetensors and g.safetensors at weight 2.5, and the given files. */
function modelsFolder(name: string, files: string[], json: object = { model: 'm.safetensors', guide: 'g.safetensors', guidance: 2.5, judge: 'j.safetensors' }): string {
  const d = join(dir, name);
  mkdirSync(d);
  writeFileSync(join(d, 'shipped.json'), JSON.stringify(json));
  for (const f of files) writeFileSync(join(d, f), `bytes of ${f}`);
  return d;
}

/** The virtual module's default export, as the app receives it. */
function virtualModule(options: Parameters<typeof shippedModel>[0]): unknown {
  const plugin = shippedModel(options);
  const load = plugin.load as (id: string) => string;
  const code = load('\0virtual:edm-shipped-model');
  expect(code.startsWith('export default ')).toBe(true);
  return JSON.parse(code.slice('export default '.length, -1));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edm-web-plugin-'));
  models = modelsFolder('models', ['m.safetensors', 'g.safetensors']);
  other = join(dir, 'other.safetensors');
  writeFileSync(other, 'another model');
  writeFileSync(join(dir, 'guide2.safetensors'), 'another guide');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/web shipped-model plugin', () => {
  it('ships the model and guide shipped.json names, at its weight; no guide where its file is absent', () => {
    expect(findShipped({}, models)).toEqual({ model: join(models, 'm.safetensors'), guide: join(models, 'g.safetensors'), guidance: 2.5 });
    expect(virtualModule({ env: {}, modelsDir: models })).toEqual({
      path: 'models/m.safetensors', name: 'm.safetensors', bytes: 'bytes of m.safetensors'.length,
      guide: { path: 'models/g.safetensors', name: 'g.safetensors', bytes: 'bytes of g.safetensors'.length }, guidance: 2.5,
    });
    const noGuide = modelsFolder('no-guide', ['m.safetensors']);
    expect(findShipped({}, noGuide)).toEqual({ model: join(noGuide, 'm.safetensors'), guide: null, guidance: 2.5 });
    expect(virtualModule({ env: {}, modelsDir: noGuide })).toMatchObject({ name: 'm.safetensors', guide: null });
    const none = modelsFolder('none', []);
    expect(findShipped({}, none)).toEqual({ model: null, why: `${join(none, 'm.safetensors')} does not exist` });
    expect(virtualModule({ env: {}, modelsDir: none })).toBeNull();
  });

  it('EDM_WEB_MODEL ships another model without the shipped guide; EDM_WEB_GUIDE names a guide, with either model', () => {
    const guide2 = join(dir, 'guide2.safetensors');
    expect(findShipped({ EDM_WEB_MODEL: other }, models)).toEqual({ model: other, guide: null, guidance: 2.5 });
    expect(findShipped({ EDM_WEB_MODEL: other, EDM_WEB_GUIDE: guide2 }, models)).toEqual({ model: other, guide: guide2, guidance: 2.5 });
    expect(findShipped({ EDM_WEB_GUIDE: guide2 }, models)).toEqual({ model: join(models, 'm.safetensors'), guide: guide2, guidance: 2.5 });
    // Without @edm/cli there is no shipped.json: a model by EDM_WEB_MODEL only, and no weight for a guide.
    expect(findShipped({}, null)).toEqual({ model: null, why: 'the @edm/cli workspace package is not installed' });
    expect(findShipped({ EDM_WEB_MODEL: other }, null)).toEqual({ model: other, guide: null, guidance: null });
    expect(() => findShipped({ EDM_WEB_MODEL: other, EDM_WEB_GUIDE: guide2 }, null)).toThrow(
      "EDM_WEB_GUIDE: the guidance weight comes from @edm/cli's models/shipped.json, and @edm/cli is not installed");
  });

  it('refuses a bad path, a bad shipped.json and a guide named like the model, saying which', () => {
    expect(() => findShipped({ EDM_WEB_MODEL: join(dir, 'missing.safetensors') }, models)).toThrow(
      `EDM_WEB_MODEL: '${join(dir, 'missing.safetensors')}' is not a file (expected a .safetensors checkpoint)`);
    expect(() => findShipped({ EDM_WEB_GUIDE: dir }, models)).toThrow(`EDM_WEB_GUIDE: '${dir}' is not a file (expected a .safetensors checkpoint)`);
    const json = (name: string, body: object) => join(modelsFolder(name, ['m.safetensors'], body), 'shipped.json');
    const noWeight = json('no-weight', { model: 'm.safetensors', guide: 'g.safetensors', judge: 'j.safetensors', guidance: '3' });
    expect(() => findShipped({}, join(dir, 'no-weight'))).toThrow(`${noWeight}: 'guidance' must be a positive number, got "3"`);
    const pathName = json('path-name', { model: '../m.safetensors', guide: 'g.safetensors', judge: 'j.safetensors', guidance: 3 });
    // The judge is the CLI's, but shipped.json is one file with one reader (@edm/cli's models/shipped.mjs).
    const noJudge = json('no-judge', { model: 'm.safetensors', guide: 'g.safetensors', guidance: 3 });
    expect(() => findShipped({}, join(dir, 'no-judge'))).toThrow(`${noJudge}: 'judge' must be a file name in ${join(dir, 'no-judge')}, got undefined`);
    expect(() => findShipped({}, join(dir, 'path-name'))).toThrow(
      `${pathName}: 'model' must be a file name in ${join(dir, 'path-name')}, got "../m.safetensors"`);
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'shipped.json'), '{ "model": ');
    expect(() => findShipped({}, broken)).toThrow(new RegExp(`^${join(broken, 'shipped.json')}: cannot read the shipped model's description \\(`));
    const sameName = join(dir, 'same-name');
    mkdirSync(sameName);
    writeFileSync(join(sameName, 'm.safetensors'), 'a guide named like the model');
    expect(() => findShipped({ EDM_WEB_GUIDE: join(sameName, 'm.safetensors') }, models)).toThrow(/have the same file name; both are served from models\/ by name: rename one$/);
  });

  it('emits the model and the guide into the build', () => {
    const emitted: { fileName: string; source: string }[] = [];
    const plugin = shippedModel({ env: {}, modelsDir: models });
    (plugin.generateBundle as (this: unknown) => void).call({
      emitFile: (f: { fileName: string; source: Uint8Array }) => emitted.push({ fileName: f.fileName, source: Buffer.from(f.source).toString() }),
    });
    expect(emitted).toEqual([
      { fileName: 'models/m.safetensors', source: 'bytes of m.safetensors' },
      { fileName: 'models/g.safetensors', source: 'bytes of g.safetensors' },
    ]);
  });

  it('reads this checkout\'s packages/cli/models/shipped.json by default', () => {
    const cliModels = fileURLToPath(new URL('../../packages/cli/models', import.meta.url));
    expect(cliModelsDir()).toBe(cliModels);
    const json = JSON.parse(readFileSync(join(cliModels, 'shipped.json'), 'utf8')) as { model: string; guide: string; guidance: number };
    // The model is tracked; the guide ships where its file is (as `edm generate` applies it only then).
    const guide = join(cliModels, json.guide);
    expect(findShipped({})).toEqual({ model: join(cliModels, json.model), guide: existsSync(guide) ? guide : null, guidance: json.guidance });
  });
});
