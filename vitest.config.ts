import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of the workspace packages (the CLI tests run the built CLI).
    alias: [
      { find: /^@edm\/core$/, replacement: src('core') },
      { find: /^@edm\/models$/, replacement: src('models') },
      { find: /^@edm\/metrics$/, replacement: src('metrics') },
      { find: /^@edm\/backend-node$/, replacement: src('backend-node') },
      { find: /^@edm\/backend-wasm$/, replacement: src('backend-wasm') },
      { find: /^@edm\/backend-webgpu$/, replacement: src('backend-webgpu') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs-core's ESM deep imports (gradient and chained-op registration, packages/core/src/tf-setup.ts) use
    // extensionless specifiers: let Vite transform them instead of handing them to Node.
    server: { deps: { inline: [/@tensorflow\/tfjs-core\/dist\/(?!tf-core)/] } },
    pool: 'forks',
  },
});
