// Test harness for the browser test: bundle the page with esbuild (from the packages' built dist), serve it
// and the fixture on 127.0.0.1, and launch Debian's chromium through playwright-core (never a downloaded
// browser). Everything missing fails with what to do.
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { CHROMIUM, missingSystemDep } from '../system-deps';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Throws a clear message when chromium or a package's built dist is missing. */
export function checkPrerequisites(): void {
  const missing = missingSystemDep('chromium');
  if (missing) throw new Error(`browser test: ${CHROMIUM} is missing: ${missing}`);
  for (const pkg of ['core', 'models', 'backend-webgpu']) {
    if (!existsSync(join(root, 'packages', pkg, 'dist', 'index.js'))) {
      throw new Error(`browser test: packages/${pkg}/dist/index.js is missing: build first (npm run build; npm test does)`);
    }
  }
}

/** Bundles page/main.ts for browsers; returns the JavaScript and the package files it was built from. */
export async function bundlePage(): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page/main.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Resolve workspace packages as a user's bundler does (package.json exports), not from our sources.
    tsconfigRaw: { compilerOptions: {} },
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

/** Serves the page, its bundle and the fixture on 127.0.0.1 (a secure origin for WebGPU). */
export async function servePage(code: string): Promise<{ url: string; server: Server }> {
  const fixture = readFileSync(join(root, 'test', 'fixtures', 'edm_ddpmpp.safetensors'));
  const files: Record<string, [string, string | Buffer]> = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>edm</title><script type="module" src="/main.js"></script>'],
    '/main.js': ['text/javascript', code],
    '/edm_ddpmpp.safetensors': ['application/octet-stream', fixture],
  };
  const server = createServer((req, res) => {
    const file = files[(req.url ?? '/').split('?')[0]!];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** Headless chromium with WebGPU enabled and a fresh profile. */
export async function launchChromium(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'edm-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-gpu-sandbox', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}
