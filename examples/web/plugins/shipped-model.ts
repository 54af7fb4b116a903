// Vite plugin: ships a checkpoint with the app. By default the CLI's shipped MNIST model
// (@edm/cli's models/mnist-cond.safetensors); EDM_WEB_MODEL=/path/to/file.safetensors picks another.
// Dev server: served at /models/<name>. Build: copied into dist/models/<name>. The app reads what was
// shipped from the virtual module `virtual:edm-shipped-model` (null when there is none).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import type { Plugin } from 'vite';

const VIRTUAL_ID = 'virtual:edm-shipped-model';
const RESOLVED_ID = '\0' + VIRTUAL_ID;

/** Where the shipped checkpoint is, or null (with why) when this checkout has none. */
export function findShippedModel(env: NodeJS.ProcessEnv = process.env): { path: string } | { path: null; why: string } {
  if (env.EDM_WEB_MODEL) {
    const p = resolve(env.EDM_WEB_MODEL);
    if (!existsSync(p) || !statSync(p).isFile()) {
      throw new Error(`EDM_WEB_MODEL: '${env.EDM_WEB_MODEL}' is not a file (expected a .safetensors checkpoint)`);
    }
    return { path: p };
  }
  let cliDir: string;
  try {
    cliDir = dirname(createRequire(import.meta.url).resolve('@edm/cli/package.json'));
  } catch {
    return { path: null, why: 'the @edm/cli workspace package is not installed' };
  }
  const p = join(cliDir, 'models', 'mnist-cond.safetensors');
  return existsSync(p) ? { path: p } : { path: null, why: `${p} does not exist` };
}

/** The plugin; `log` reports which checkpoint is shipped. */
export function shippedModel(): Plugin {
  const found = findShippedModel();
  const name = found.path ? basename(found.path) : null;
  const urlPath = name ? `models/${name}` : null;
  return {
    name: 'edm-shipped-model',
    configResolved(config) {
      if (found.path !== null) config.logger.info(`edm: shipping checkpoint ${found.path} as ${urlPath}`);
      else config.logger.warn(`edm: no checkpoint shipped (${found.why}); the app will ask for a file`);
    },
    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_ID : undefined;
    },
    load(id) {
      if (id !== RESOLVED_ID) return undefined;
      if (!found.path) return 'export default null;';
      const info = { path: urlPath, name, bytes: statSync(found.path).size };
      return `export default ${JSON.stringify(info)};`;
    },
    configureServer(server) {
      if (!found.path || !urlPath) return;
      const path = found.path;
      server.middlewares.use(`/${urlPath}`, (_req, res) => {
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(readFileSync(path));
      });
    },
    generateBundle() {
      if (!found.path || !urlPath) return;
      this.emitFile({ type: 'asset', fileName: urlPath, source: readFileSync(found.path) });
    },
  };
}
