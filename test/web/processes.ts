// Running the tools the end-to-end test compares against: the Vite build of the app and the built CLI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Runs `node args...` in `cwd`; resolves with stdout, rejects with the exit code and the output's tail. */
export function runNode(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; what: string }): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) ok(out);
      else fail(new Error(`${options.what} exited with ${code}:\n${(out + err).slice(-3000)}`));
    });
  });
}

/**
 * Builds examples/web into `outDir` with Vite, shipping `ship.model` and `ship.guide` (EDM_WEB_MODEL and
 * EDM_WEB_GUIDE); where one is not given, what the app ships by default (an empty variable counts as unset,
 * so none leaks in from this process's environment).
 */
export async function buildWebApp(root: string, outDir: string, ship: { model?: string; guide?: string }): Promise<void> {
  const vite = join(createRequire(join(root, 'package.json')).resolve('vite/package.json'), '..', 'bin', 'vite.js');
  await runNode([vite, 'build', 'examples/web', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: root, env: { EDM_WEB_MODEL: ship.model ?? '', EDM_WEB_GUIDE: ship.guide ?? '', VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    what: 'vite build examples/web',
  });
}

/** Fails with what to run when the workspace packages the test needs are not built. */
export function requireBuilt(root: string, files: string[]): void {
  const missing = files.filter((f) => !existsSync(join(root, f)));
  if (missing.length) throw new Error(`not built: ${missing.join(', ')}; run \`npm run build\` first (\`npm test\` does)`);
}
