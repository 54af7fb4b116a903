#!/usr/bin/env node
// Project rules that a type checker cannot see (run from a package folder, or the root for all):
// - @edm/core and the browser-facing packages import no Node built-ins (they must bundle for browsers);
// - nothing but packages/core/src/tf-setup.ts deep-imports tfjs-core (the one tfjs fix, scripts/build.mjs);
// - core never imports a backend or another @edm package (data flows cli -> models/backends -> core);
// - every file of a package (src/, bench/, test/, scripts/) imports only what that package declares
//   (dependencies, devDependencies, peerDependencies), itself, Node built-ins, or the workspace's tools that the
//   root package.json holds (TOOLS: vitest, tsx, esbuild, ...); the root test/ imports what the root package.json
//   declares and the workspace packages. An import that works only through npm's hoisting is a problem.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const here = resolve('.');
const pkgDirs = here === root
  ? readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d))
  : [here];
const browserSafe = new Set(['core', 'models', 'metrics', 'backend-webgpu', 'backend-wasm']);

// Files git would commit (tracked, or untracked and not ignored): build and test output such as test/.output is
// not the project's code. Outside a git checkout every file counts.
let committable = null;
try {
  committable = new Set(execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })
    .toString().split('\0').filter(Boolean).map((f) => join(root, f)));
} catch { /* not a git checkout */ }
const files = (dir) => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  if (f === 'node_modules' || f === 'dist' || f === 'fixtures') return [];
  if (statSync(p).isDirectory()) return files(p);
  return /\.(ts|tsx|mts|mjs)$/.test(f) && (!committable || committable.has(p)) ? [p] : [];
});
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const declared = (pkg) => new Set([pkg.name, ...Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies })]);
const rootPkg = readJson(join(root, 'package.json'));
/** Build and test tools every package may use from the root (the rest of the root's dependencies are its tests'). */
const TOOLS = ['vitest', 'tsx', 'typescript', 'esbuild', 'vite', 'playwright-core', '@types/node', 'turbo', '@changesets/cli'];
const shared = new Set(TOOLS.filter((t) => declared(rootPkg).has(t)));
const workspaceNames = ['packages', 'examples'].flatMap((w) => readdirSync(join(root, w))
  .filter((d) => existsSync(join(root, w, d, 'package.json'))).map((d) => readJson(join(root, w, d, 'package.json')).name));
/** The package a bare import specifier names (`@scope/name` or `name`), or null for relative, Node and virtual ones. */
function packageOf(spec) {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || spec.startsWith('virtual:') || spec.includes('${')) return null;
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  return builtinModules.includes(name) ? null : name;
}
/** Problems of `dir`'s files importing packages outside `allowed`. */
function undeclaredImports(dir, allowed, owner) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const file of files(dir)) {
    for (const m of readFileSync(file, 'utf8').matchAll(importRe)) {
      const name = packageOf(m[1] ?? m[2] ?? m[3]);
      if (name && !allowed.has(name) && !shared.has(name)) {
        out.push(`${relative(root, file)}: imports '${name}', which ${owner} does not declare (add it to its package.json)`);
      }
    }
  }
  return out;
}
// (The bare `import 'x'` form is not matched after '(', so WebAssembly text's `(import "env" ...)` is not an import.)
const importRe = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]|(?<!\()import\s+['"]([^'"]+)['"]/g;
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
for (const dir of pkgDirs) {
  if (!existsSync(join(dir, 'package.json'))) continue;
  const pkg = readJson(join(dir, 'package.json'));
  for (const sub of ['src', 'bench', 'test', 'scripts']) problems.push(...undeclaredImports(join(dir, sub), declared(pkg), pkg.name));
}
if (here === root) {
  for (const d of readdirSync(join(root, 'examples'))) {
    const dir = join(root, 'examples', d);
    if (!existsSync(join(dir, 'package.json'))) continue;
    const pkg = readJson(join(dir, 'package.json'));
    for (const sub of ['src', 'plugins', 'test']) problems.push(...undeclaredImports(join(dir, sub), declared(pkg), pkg.name));
  }
  problems.push(...undeclaredImports(join(root, 'test'), new Set([...declared(rootPkg), ...workspaceNames]), 'the root package.json'));
}
if (problems.length) {
  console.error(`lint: ${problems.length} problem(s)\n` + problems.join('\n'));
  process.exit(1);
}
console.log(`lint: ok (${pkgDirs.length} package(s))`);
