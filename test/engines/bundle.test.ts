// @edm/backend-node after bundling: an app bundled by esbuild with tfjs and tfjs-backend-wasm inlined still
// finds the .wasm files (resolved at run time from the installed package), and, moved away from any
// node_modules, runs with EDM_WASM_PATH (on one thread per core, the threaded build's scripts found next to
// the .wasm files; on one thread where only the .wasm files were shipped) and fails with a message naming it
// without.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const APP = `
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend } from '@edm/backend-node';
const report = await useNodeBackend({ backend: 'wasm', strict: true });
const x = tf.tensor4d(Array.from({ length: 32 }, (_, i) => i / 32), [1, 4, 4, 2]);
const w = tf.variable(tf.ones([3, 3, 2, 2]));
const { grads } = tf.variableGrads(() => tf.sum(tf.conv2d(x, w, 1, 'same')));
console.log(JSON.stringify({ engine: report.engine, backend: tf.getBackend(), threads: report.threads, grad: Array.from(await Object.values(grads)[0].data()) }));
`;

/** The app's JSON line. */
function lastLine(r: ReturnType<typeof run>): { engine: string; backend: string; threads: number; grad: number[] } {
  return JSON.parse((r as { out: string }).out.trim().split('\n').at(-1)!);
}

function run(file: string, env: Record<string, string> = {}): { ok: true; out: string } | { ok: false; err: string } {
  try {
    return { ok: true, out: execFileSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: 'pipe' }) };
  } catch (e) {
    return { ok: false, err: String((e as { stderr?: string }).stderr ?? e) };
  }
}

describe('@edm/backend-node bundled with esbuild', () => {
  let code = '';
  beforeAll(async () => {
    if (!existsSync(join(root, 'packages/backend-node/dist/index.js'))) {
      throw new Error('packages/backend-node/dist is missing: build first (npm run build; npm test does)');
    }
    const result = await build({
      stdin: { contents: APP, resolveDir: root, loader: 'ts' },
      bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent',
      external: ['webgpu'], // Dawn's native addon stays a package
      tsconfigRaw: { compilerOptions: {} }, // resolve @edm packages as a user would: their dist
      // tfjs's CommonJS bundles use require and __dirname: the usual ESM-bundle shim. __dirname is then the
      // bundle's folder, where the .wasm files are not: the point of this test.
      banner: { js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; " +
        "import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); " +
        'const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);' },
    });
    code = result.outputFiles[0]!.text;
    expect(code).toContain('setWasmPaths');
  });

  it('finds the .wasm files from inside the repository (installed package resolved at run time)', () => {
    const dir = join(root, 'test/.output/bundle');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'app.mjs'), code);
    const r = run(join(dir, 'app.mjs'));
    expect(r.ok, r.ok ? '' : r.err).toBe(true);
    const out = JSON.parse((r as { out: string }).out.trim().split('\n').at(-1)!) as { engine: string; backend: string; grad: number[] };
    expect([out.engine, out.backend]).toEqual(['wasm', 'wasm']);
    // d/dw sum(conv2d(x, w, same)) = sum of x over the window each tap sees: tap (1,1) sees every pixel.
    const centre = (1 * 3 + 1) * 4; // [kh=1, kw=1, in=0, out=0]
    expect(out.grad[centre]).toBeCloseTo(Array.from({ length: 16 }, (_, i) => (2 * i) / 32).reduce((a, b) => a + b), 4);
  });

  it('outside any node_modules: runs with EDM_WASM_PATH, and without it fails naming EDM_WASM_PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edm-bundle-'));
    writeFileSync(join(dir, 'app.mjs'), code);
    const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    const withPath = run(join(dir, 'app.mjs'), { EDM_WASM_PATH: wasmDir, EDM_WASM_THREADS: '' });
    expect(withPath.ok, withPath.ok ? '' : withPath.err).toBe(true);
    // The threaded build's scripts sit next to the .wasm files' folder: the default, one thread per core, runs.
    expect(lastLine(withPath).threads).toBe(Math.min(8, availableParallelism()));
    const without = run(join(dir, 'app.mjs'));
    expect(without.ok).toBe(false);
    expect((without as { err: string }).err).toMatch(/wasmPath or EDM_WASM_PATH/);
  });

  it('with the .wasm files alone: one thread by default, and threads asked for by number fail naming the scripts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edm-bundle-'));
    writeFileSync(join(dir, 'app.mjs'), code);
    const wasmOnly = join(dir, 'wasm');
    mkdirSync(wasmOnly);
    const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    for (const f of readdirSync(wasmDir).filter((name) => name.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(wasmOnly, f));
    const auto = run(join(dir, 'app.mjs'), { EDM_WASM_PATH: wasmOnly, EDM_WASM_THREADS: '' });
    expect(auto.ok, auto.ok ? '' : auto.err).toBe(true);
    expect(lastLine(auto).threads).toBe(1);
    const two = run(join(dir, 'app.mjs'), { EDM_WASM_PATH: wasmOnly, EDM_WASM_THREADS: '2' });
    expect(two.ok).toBe(false);
    expect((two as { err: string }).err).toMatch(/2 threads need tfjs-backend-wasm's threaded build, wasm-out\/tfjs-backend-wasm-threaded-simd\.js/);
  });
});
