#!/usr/bin/env node
// Builds one workspace package (run from its folder): esbuild bundles of src/ into dist/ plus .d.ts files
// from tsc. What to build is read from the package's own package.json, field "edmBuild":
//   { "entries": { "index": "src/index.ts" },       // dist/index.js: ESM, every bare import left external
//     "nodeEntries": { "index.node": "src/index.ts" }, // dist/index.node.js: for plain Node (see below)
//     "bin": { "cli": "src/cli.ts" } }                 // dist/cli.js: ESM for Node, with a shebang
//
// The one tfjs-core fix (DEVELOPERS.md): tfjs-core's CommonJS bundle, which plain Node loads, registers no
// gradients and no chained ops, and its ESM files use extensionless imports Node cannot resolve. A
// "nodeEntries" build therefore bundles the deep `@tensorflow/tfjs-core/dist/...` side-effect imports
// (gradient and chained-op registration, see packages/core/src/tf-setup.ts) while leaving the bare
// `@tensorflow/tfjs-core` import external. tfjs keeps its engine and registries on the global object, so
// the bundled registrations land in the same engine the CommonJS bundle uses.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const cfg = pkg.edmBuild ?? { entries: { index: 'src/index.ts' } };
const require = createRequire(import.meta.url);

const isBare = (p) => !p.startsWith('.') && !p.startsWith('/');
const isTfjsCoreDeep = (p) => p.startsWith('@tensorflow/tfjs-core/');

/** Every bare import external, except (when bundleTfjsDeep) tfjs-core's deep side-effect files. */
const externals = (bundleTfjsDeep) => ({
  name: 'edm-externals',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point' || !isBare(args.path)) return undefined;
      if (bundleTfjsDeep && isTfjsCoreDeep(args.path)) return undefined;
      if (bundleTfjsDeep && args.importer.includes('node_modules/@tensorflow/tfjs-core/')) return undefined;
      return { path: args.path, external: true };
    });
  },
});

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, format: 'esm', sourcemap: true, target: 'es2022', logLevel: 'warning' };
const jobs = [];
for (const [out, entry] of Object.entries(cfg.entries ?? {})) {
  jobs.push(build({ ...common, entryPoints: { [out]: entry }, outdir: 'dist', platform: cfg.platform ?? 'neutral',
    mainFields: ['module', 'main'], plugins: [externals(false)] }));
}
for (const [out, entry] of Object.entries(cfg.nodeEntries ?? {})) {
  jobs.push(build({ ...common, entryPoints: { [out]: entry }, outdir: 'dist', platform: 'node',
    mainFields: ['module', 'main'], plugins: [externals(true)] }));
}
for (const [out, entry] of Object.entries(cfg.bin ?? {})) {
  jobs.push(build({ ...common, entryPoints: { [out]: entry }, outdir: 'dist', platform: 'node',
    banner: { js: '#!/usr/bin/env node' }, plugins: [externals(false)] }));
}
await Promise.all(jobs);

if (existsSync('tsconfig.build.json')) {
  const tsc = join(require.resolve('typescript/package.json'), '..', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
