// Runs the built CLI (packages/cli/dist/cli.js) on a hostile input under caps, and measures what the run
// cost: peak resident memory and CPU time as the process reports them at exit (measure.cjs, preloaded), and
// wall time. While it runs, /proc is polled (Linux): a run past the memory cap or the time cap is killed, so a
// regression fails the test in seconds instead of exhausting the machine (a 1.6 MiB pickle once took 4.2 GB).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/**
 * The built CLI. EDM_ROBUSTNESS_CLI names another build (for example one from before a fix, to measure what a
 * case cost then).
 */
export const CLI = process.env.EDM_ROBUSTNESS_CLI ?? fileURLToPath(new URL('../../packages/cli/dist/cli.js', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./measure.cjs', import.meta.url));

/** What the issue allows a hostile case: peak resident memory and time. */
export const BOUNDS = { peakMiB: 512, cpuSeconds: 10 };

/** Caps past which a run is killed (a failing case, not a measurement). */
export interface Caps {
  /** Resident memory, MiB. Default 1024. */
  rssMiB?: number;
  /** Wall time, seconds. Default 60. */
  seconds?: number;
}

/** A finished run. */
export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory, MiB (the larger of the process's own report and the polled high-water mark). */
  peakMiB: number;
  /** User + system CPU time, seconds (from the process's report; NaN when it could not report: killed). */
  cpuSeconds: number;
  wallSeconds: number;
  /** Why the harness killed it, if it did. */
  killed?: 'memory' | 'time';
}

/** Fails early with a clear message when the CLI was not built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (or npx turbo run build --filter=@edm/cli) first`);
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'edm-robust-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function statusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Options of {@link runCli}. */
export interface RunOptions extends Caps {
  /** Called with the stderr so far and a function sending the child a signal (when a line appears). */
  onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void;
  /** Called once the child runs, with a function sending it a signal. */
  onStart?: (kill: (signal: NodeJS.Signals) => void) => void;
  /** Largest file the child may write, KiB (`ulimit -f`: a write past it fails with EFBIG, as on a full disk). */
  fileSizeLimitKiB?: number;
  env?: Record<string, string>;
}

/** Runs `node dist/cli.js ...args` in `cwd` under the caps; resolves when it exits. */
export function runCli(args: string[], cwd: string, opts: RunOptions = {}): Promise<Run> {
  const rssCapKiB = (opts.rssMiB ?? 1024) * 1024;
  const seconds = opts.seconds ?? 60;
  const measureDir = mkdtempSync(join(tmpdir(), 'edm-measure-'));
  const measureFile = join(measureDir, 'usage.json');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const node = [process.execPath, '--require', PRELOAD, CLI, ...args];
    const env = { ...process.env, EDM_BACKEND: '', ...opts.env, EDM_MEASURE_OUT: measureFile };
    // With a file-size limit, a shell sets it and becomes node (exec: same pid, so /proc polling still works).
    const child = opts.fileSizeLimitKiB === undefined
      ? spawn(node[0]!, node.slice(1), { cwd, env })
      : spawn('/bin/sh', ['-c', `ulimit -f ${2 * opts.fileSizeLimitKiB} && exec "$@"`, 'sh', ...node], { cwd, env }); // POSIX sh: 512-byte blocks
    let stdout = '';
    let stderr = '';
    let polledKiB = 0;
    let killed: Run['killed'];
    const kill = (why: NonNullable<Run['killed']>) => {
      killed ??= why;
      child.kill('SIGKILL');
    };
    const poll = setInterval(() => {
      const pid = child.pid;
      if (pid === undefined) return;
      polledKiB = Math.max(polledKiB, statusKiB(pid, 'VmHWM'));
      if (statusKiB(pid, 'VmRSS') > rssCapKiB) kill('memory');
      if (performance.now() - t0 > seconds * 1000) kill('time');
    }, 50);
    opts.onStart?.((sig) => child.kill(sig));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr, (sig) => child.kill(sig));
    });
    child.on('error', (e) => {
      clearInterval(poll);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      const wallSeconds = (performance.now() - t0) / 1000;
      let self: { maxRssKiB: number; userUs: number; systemUs: number } | undefined;
      try {
        self = JSON.parse(readFileSync(measureFile, 'utf8'));
      } catch {
        self = undefined; // killed, or died before its exit handlers ran
      }
      rmSync(measureDir, { recursive: true, force: true });
      resolve({
        code, signal, stdout, stderr, killed, wallSeconds,
        peakMiB: Math.max(polledKiB, self?.maxRssKiB ?? 0) / 1024,
        cpuSeconds: self ? (self.userUs + self.systemUs) / 1e6 : NaN,
      });
    });
  });
}

/** One line for logs and commit messages: exit, peak memory, CPU and wall time. */
export function describeRun(r: Run): string {
  return `exit ${r.code ?? r.signal}${r.killed ? ` (killed: ${r.killed})` : ''}, peak ${r.peakMiB.toFixed(0)} MiB, ` +
    `cpu ${r.cpuSeconds.toFixed(2)} s, wall ${r.wallSeconds.toFixed(2)} s`;
}

/**
 * Asserts that a hostile case stayed within the issue's bounds: not killed, under 512 MB peak, under 10 s of
 * CPU (CPU rather than wall time, which other processes on a shared machine can stretch; wall is only
 * checked against the 60 s cap). Prints the measurement.
 */
export function expectWithinBounds(r: Run, what: string): void {
  console.log(`${what}: ${describeRun(r)}`);
  expect(r.killed, `${what}: ${describeRun(r)}\n${r.stderr}`).toBeUndefined();
  expect(r.peakMiB, `${what}: peak memory`).toBeLessThan(BOUNDS.peakMiB);
  expect(r.cpuSeconds, `${what}: CPU time`).toBeLessThan(BOUNDS.cpuSeconds);
  expect(r.stderr, `${what}: a stack trace`).not.toMatch(/\n\s+at /);
}

/**
 * A folder this process cannot write in, even as root (/sys: sysfs refuses new files), or undefined with one
 * loud line when there is none here (the read-only destination cases are then skipped).
 */
export function unwritableFolder(): string | undefined {
  const probe = '/sys/edm-robustness-probe';
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
  } catch {
    return '/sys';
  }
  console.warn('!!! SKIPPED: read-only destination cases: /sys is writable on this machine');
  return undefined;
}
