// Helpers for the CLI tests: they run the built CLI (dist/cli.js) under plain `node`, as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Fails early with a clear message when the CLI was not built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npx turbo run build --filter=@edm/cli' first`);
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'edm-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Result of a CLI run. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` in `cwd`; resolves when it exits. */
export function runCli(args: string[], cwd: string, onStderr?: (text: string, child: ChildProcess) => void,
  env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, EDM_BACKEND: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
