// Vite plugin: ships a checkpoint with the app, and the autoguidance guide it is sampled with. By default the
// CLI's shipped MNIST model and guide at the weight `edm generate` uses without --net, all three named in
// @edm/cli's models/shipped.json; the guide ships only where its file exists, as the CLI applies it only then.
// EDM_WEB_MODEL=/path/to/file.safetensors ships another model, and then no guide unless EDM_WEB_GUIDE=/path
// names one; EDM_WEB_GUIDE alone replaces the shipped guide.
// Dev server: served at /models/<name>. Build: copied into dist/models/<name>. The app reads what was
// shipped from the virtual module `virtual:edm-shipped-model` (null when there is none).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import type { Plugin } from 'vite';
// @edm/cli's reader of models/shipped.json (plain ESM beside it: the CLI uses the same one).
import { readShippedJson } from '@edm/cli/models/shipped.mjs';

export { readShippedJson };

const VIRTUAL_ID = 'virtual:edm-shipped-model';
const RESOLVED_ID = '\0' + VIRTUAL_ID;

/** What ships: the model's and the guide's paths and the guidance weight, or no model (with why). */
export type Found =
  | { model: string; guide: string; guidance: number }
  /** `guidance` is null only where @edm/cli (so shipped.json) is not installed. */
  | { model: string; guide: null; guidance: number | null }
  | { model: null; why: string };

/** @edm/cli's models/ folder (next to its package.json), or null when the package is not installed. */
export function cliModelsDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@edm/cli/package.json')), 'models');
  } catch {
    return null;
  }
}

/** The file an environment variable names (absolute), undefined when it is unset; a clear error when it is no file. */
function envFile(env: NodeJS.ProcessEnv, name: 'EDM_WEB_MODEL' | 'EDM_WEB_GUIDE'): string | undefined {
  const given = env[name];
  if (!given) return undefined;
  const p = resolve(given);
  if (!existsSync(p) || !statSync(p).isFile()) {
    throw new Error(`${name}: '${given}' is not a file (expected a .safetensors checkpoint)`);
  }
  return p;
}

/** What this checkout ships, from the environment and `modelsDir` (@edm/cli's models/, null: not installed). */
export function findShipped(env: NodeJS.ProcessEnv = process.env, modelsDir: string | null = cliModelsDir()): Found {
  const envModel = envFile(env, 'EDM_WEB_MODEL');
  const envGuide = envFile(env, 'EDM_WEB_GUIDE');
  if (modelsDir === null) {
    if (envModel === undefined) return { model: null, why: 'the @edm/cli workspace package is not installed' };
    if (envGuide !== undefined) {
      throw new Error('EDM_WEB_GUIDE: the guidance weight comes from @edm/cli\'s models/shipped.json, and @edm/cli is not installed');
    }
    return { model: envModel, guide: null, guidance: null };
  }
  const json = readShippedJson(modelsDir);
  const shippedModel = join(modelsDir, json.model);
  const model = envModel ?? (existsSync(shippedModel) ? shippedModel : undefined);
  if (model === undefined) return { model: null, why: `${shippedModel} does not exist` };
  // The shipped guide belongs to the shipped model: another model gets a guide only by EDM_WEB_GUIDE.
  const shippedGuide = join(modelsDir, json.guide);
  const guide = envGuide ?? (envModel === undefined && existsSync(shippedGuide) ? shippedGuide : undefined);
  if (guide === undefined) return { model, guide: null, guidance: json.guidance };
  if (basename(guide) === basename(model)) {
    throw new Error(`the guide ${guide} and the model ${model} have the same file name; both are served from models/ by name: rename one`);
  }
  return { model, guide, guidance: json.guidance };
}

/** A shipped file as the app sees it: URL path relative to the page, file name, size in bytes. */
function asset(path: string): { path: string; name: string; bytes: number } {
  const name = basename(path);
  return { path: `models/${name}`, name, bytes: statSync(path).size };
}

/** The plugin; `options` replace the environment and @edm/cli's models/ folder (tests). */
export function shippedModel(options: { env?: NodeJS.ProcessEnv; modelsDir?: string | null } = {}): Plugin {
  const found = findShipped(options.env, options.modelsDir === undefined ? cliModelsDir() : options.modelsDir);
  const files = found.model === null ? [] : [found.model, ...(found.guide === null ? [] : [found.guide])];
  return {
    name: 'edm-shipped-model',
    configResolved(config) {
      if (found.model === null) {
        config.logger.warn(`edm: no checkpoint shipped (${found.why}); the app will ask for a file`);
        return;
      }
      config.logger.info(`edm: shipping checkpoint ${found.model} as ${asset(found.model).path}`);
      if (found.guide !== null) {
        config.logger.info(`edm: shipping autoguidance guide ${found.guide} as ${asset(found.guide).path}, weight ${found.guidance}`);
      }
    },
    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_ID : undefined;
    },
    load(id) {
      if (id !== RESOLVED_ID) return undefined;
      if (found.model === null) return 'export default null;';
      const info = { ...asset(found.model), guide: found.guide === null ? null : asset(found.guide), guidance: found.guidance };
      return `export default ${JSON.stringify(info)};`;
    },
    configureServer(server) {
      for (const file of files) {
        server.middlewares.use(`/${asset(file).path}`, (_req, res) => {
          res.setHeader('Content-Type', 'application/octet-stream');
          res.end(readFileSync(file));
        });
      }
    },
    generateBundle() {
      for (const file of files) this.emitFile({ type: 'asset', fileName: asset(file).path, source: readFileSync(file) });
    },
  };
}
