// The browser packages bundle for browsers with no Node polyfills: esbuild (platform 'browser', which
// polyfills nothing and honours packages' "browser" maps, as browser bundlers do) bundles each package as an
// app would import it; any import of a Node built-in (fs, path, node:*...) that remains fails the build and
// is reported with the file that imports it. A negative control proves the check catches a Node import.
import { fileURLToPath } from 'node:url';
import { build, type BuildFailure, type Message } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The Node built-ins esbuild could not resolve for the browser, as "name (imported by file)". */
function nodeBuiltinErrors(errors: readonly Message[]): string[] {
  return errors.flatMap((e) => {
    const m = /^Could not resolve "([^"]+)"/.exec(e.text);
    const isNode = e.notes.some((n) => /built into node|Node\.js/i.test(n.text)) || m?.[1]?.startsWith('node:');
    return m && isNode ? [`${m[1]} (imported by ${e.location?.file ?? '?'})`] : [];
  });
}

/** Bundles `source` (module text) for the browser; returns the Node built-ins it pulled in and the size. */
async function bundleForBrowser(source: string, conditions: string[] = []): Promise<{ builtins: string[]; bytes: number }> {
  try {
    const result = await build({
      stdin: { contents: source, resolveDir: root, loader: 'ts', sourcefile: 'app.ts' },
      bundle: true, platform: 'browser', format: 'esm', write: false, minify: true, logLevel: 'silent', conditions,
    });
    return { builtins: [], bytes: result.outputFiles.reduce((a, f) => a + f.contents.byteLength, 0) };
  } catch (e) {
    const errors = (e as BuildFailure).errors ?? [];
    const found = nodeBuiltinErrors(errors);
    if (found.length === 0) throw e;
    return { builtins: found, bytes: 0 };
  }
}

describe('browser bundles pull in no Node built-in', () => {
  for (const pkg of ['@edm/core', '@edm/models', '@edm/backend-webgpu']) {
    it(`${pkg}, as an app imports it (built dist)`, async () => {
      const { builtins: pulled, bytes } = await bundleForBrowser(`export * from '${pkg}';`);
      expect(pulled).toEqual([]);
      expect(bytes).toBeGreaterThan(10_000); // tfjs-core alone is far larger: the bundle really contains the package
    });
    it(`${pkg}, from its TypeScript sources (the 'source' export condition)`, async () => {
      const { builtins: pulled } = await bundleForBrowser(`export * from '${pkg}';`, ['source']);
      expect(pulled).toEqual([]);
    });
  }

  it('the check catches a Node built-in (negative control)', async () => {
    const { builtins: pulled } = await bundleForBrowser(
      `import { readFileSync } from 'node:fs'; import { join } from 'path'; export const f = () => readFileSync(join('a', 'b'));`);
    expect(pulled.sort()).toEqual(['node:fs (imported by app.ts)', 'path (imported by app.ts)']);
  });
});
