// models/shipped.json's reader: the shipped model, its autoguidance guide, the weight it is sampled with and the
// MNIST digit judge, said once in that file. Plain ESM beside it, so that both readers use this one: the CLI
// (bundled into dist/cli.js) and the web app's Vite plugin, which runs in Node from @edm/cli's folder and cannot
// load the CLI's TypeScript.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** The file names shipped.json must give (each a file in the models folder). */
const FILES = ['model', 'guide', 'judge'];

/**
 * Reads and checks `<modelsDir>/shipped.json`: `model`, `guide` and `judge` file names in that folder, `guidance`
 * a positive number. Errors name the file and the field, with what was found.
 * @param {string} modelsDir
 * @returns {import('./shipped.d.mts').Shipped}
 */
export function readShippedJson(modelsDir) {
  const path = join(modelsDir, 'shipped.json');
  let s;
  try {
    s = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read the shipped model's description (${e.message}); reinstall @edm/cli`);
  }
  if (s === null || typeof s !== 'object') throw new Error(`${path}: expected an object, got ${JSON.stringify(s)}`);
  for (const key of FILES) {
    const v = s[key];
    if (typeof v !== 'string' || v === '' || basename(v) !== v) {
      throw new Error(`${path}: '${key}' must be a file name in ${modelsDir}, got ${JSON.stringify(v)}`);
    }
  }
  if (typeof s.guidance !== 'number' || !(s.guidance > 0)) {
    throw new Error(`${path}: 'guidance' must be a positive number, got ${JSON.stringify(s.guidance)}`);
  }
  return { model: s.model, guide: s.guide, judge: s.judge, guidance: s.guidance };
}
