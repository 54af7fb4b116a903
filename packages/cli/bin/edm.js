#!/usr/bin/env node
// The `edm` command npm links. It is committed (not built) so that `npm ci` on a fresh clone links it:
// npm links a workspace's bin only if the file exists at install time, and dist/ exists only after the build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write('edm: the CLI is not built yet (packages/cli/dist/cli.js is missing): run `npm run build` ' +
    'in the repository root first\n');
  process.exit(1);
}
await import(built.href);
