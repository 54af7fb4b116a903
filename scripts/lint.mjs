#!/usr/bin/env node
// Project rules that a type checker cannot see (run from a package folder, or the root for all):
// - @edm/core and the browser-facing packages import no Node built-ins (they must bundle for browsers);
// - nothing but packages/core/src/tf-setup.ts deep-imports tfjs-core (the one tfjs fix, scripts/build.mjs);
// - core never imports a backend or another @edm package (data flows cli -> models/backends -> core).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const here = resolve('.');
const pkgDirs = here === root
  ? readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d))
  : [here];
const browserSafe = new Set(['core', 'models', 'metrics', 'backend-webgpu']);

const files = (dir) => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|mts)$/.test(f) ? [p] : [];
});
const importRe = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]/g;
const nodeBuiltins = new Set(['fs', 'path', 'os', 'url', 'crypto', 'child_process', 'worker_threads', 'zlib',
  'stream', 'util', 'events', 'module', 'process', 'buffer', 'http', 'https', 'net', 'readline', 'perf_hooks']);

const problems = [];
for (const dir of pkgDirs) {
  const name = dir.split('/').pop();
  let srcFiles = [];
  try { srcFiles = files(join(dir, 'src')); } catch { continue; }
  for (const file of srcFiles) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const rel = relative(root, file);
      if (spec.startsWith('@tensorflow/tfjs-core/') && rel !== 'packages/core/src/tf-setup.ts') {
        problems.push(`${rel}: deep import '${spec}' (only packages/core/src/tf-setup.ts may do that)`);
      }
      const isNode = spec.startsWith('node:') || nodeBuiltins.has(spec.split('/')[0]);
      if (browserSafe.has(name) && isNode && !/\.node\.ts$/.test(file)) {
        problems.push(`${rel}: imports Node built-in '${spec}' (this package must bundle for browsers)`);
      }
      if (name === 'core' && (spec.startsWith('@edm/') || /^@tensorflow\/tfjs-(backend|node)/.test(spec))) {
        problems.push(`${rel}: core imports '${spec}' (core depends on tfjs-core only)`);
      }
    }
  }
}
if (problems.length) {
  console.error(`lint: ${problems.length} problem(s)\n` + problems.join('\n'));
  process.exit(1);
}
console.log(`lint: ok (${pkgDirs.length} package(s))`);
