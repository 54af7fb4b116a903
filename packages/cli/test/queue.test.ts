// edm worker and the --queue forms of edm generate / edm metrics on a real BullMQ queue: Debian's redis-server
// started here on a free loopback port (no persistence, so a restart loses everything Redis held), the built
// CLI's workers as separate processes. Faults: a worker SIGKILLed while it holds a job, Redis stopped and
// started again mid-request, a worker whose checkpoint differs from the submitter's, Ctrl-C and SIGTERM of a
// worker in the middle of a job. What must hold: every seed's PNG present once with the bytes of a
// single-process `edm generate`, and `edm metrics --queue` equal to the single-machine values.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith, redisServer, requireSystemDep } from '../../../test/system-deps';
import { CLI, requireBuiltCli, runCli, tempDir, type RunResult } from './helpers';

const MODEL = new URL('../models/mnist-cond.safetensors', import.meta.url).pathname;

/** A free loopback port (never Redis's default 6379, which may be in use). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => (port === 6379 ? freePort().then(resolve, reject) : resolve(port)));
    });
  });
}

/** Resolves when `check()` is true (polled), or rejects after `seconds` naming `what`. */
async function until(what: string, check: () => boolean, seconds = 90): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > seconds * 1000) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A process of ours whose output is collected. */
interface Proc {
  child: ChildProcess;
  out: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(cmd: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(cmd, args, { env: { ...process.env, EDM_BACKEND: '', ...env } });
  const p: Proc = { child, out: '', exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))) };
  child.stdout!.on('data', (d: Buffer) => (p.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (p.out += d.toString()));
  return p;
}

/** Debian's redis-server on `port`, without persistence (a restart starts empty); resolves once it accepts connections. */
async function startRedis(port: number): Promise<Proc> {
  const r = start(redisServer()!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await until(`redis-server on port ${port}`, () => /Ready to accept connections/.test(r.out) || r.child.exitCode !== null, 20);
  if (r.child.exitCode !== null) throw new Error(`redis-server did not start: ${r.out}`);
  return r;
}

/** An `edm worker` of the built CLI (one wasm thread: three of them share this machine's cores). */
async function startWorker(url: string, lock = 4): Promise<Proc> {
  const w = start(process.execPath, [CLI, 'worker', '--queue', url, '--lock', String(lock)], { EDM_WASM_THREADS: '1' });
  await until('a worker to start', () => /taking jobs from/.test(w.out) || w.child.exitCode !== null, 60);
  if (w.child.exitCode !== null) throw new Error(`worker exited: ${w.out}`);
  return w;
}

/** Ids of the jobs `w` took and did not finish. */
const unfinished = (w: Proc): string[] => [...w.out.matchAll(/took job (\S+)/g)].map((m) => m[1]!)
  .filter((id) => !w.out.includes(`finished job ${id}:`));
const finishedCount = (ws: Proc[]) => ws.reduce((a, w) => a + (w.out.match(/finished job /g) ?? []).length, 0);

/** Submitters running in the background (killed at the end if a test failed while they wait). */
const submitters = new Set<ChildProcess>();

/** Runs the built CLI in `dir` in the background, collecting its output. */
function background(args: string[], dir: string): { result: Promise<RunResult>; text: () => string } {
  let text = '';
  const result = runCli(args, dir, (s, child) => {
    submitters.add(child);
    text = s;
  });
  return { result, text: () => text };
}

const pngs = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.png')).sort();

describeWith('redis', 'edm worker and --queue (BullMQ on Redis)', () => {
  let dir: string;
  let port: number;
  let url: string;
  let redis: Proc;
  const procs: Proc[] = [];

  beforeAll(async () => {
    requireSystemDep('redis'); // under CI=true the suite runs without it: fail saying what is missing
    requireBuiltCli();
    dir = tempDir('edm-queue-');
    port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = await startRedis(port);
    procs.push(redis);
  });
  afterAll(() => {
    for (const c of [...procs.map((p) => p.child), ...submitters]) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  const seeds = '0-29';
  const gen = ['--seeds', seeds, '--steps', '8', '--batch', '4'];

  it('3 workers, one SIGKILLed holding a job, Redis stopped and restarted: every PNG once, bytes as single-process edm generate', async () => {
    const base = await runCli(['generate', ...gen, '--outdir', 'base'], dir);
    expect(base.code, base.stderr).toBe(0);
    const workers = await Promise.all([startWorker(url), startWorker(url), startWorker(url)]);
    procs.push(...workers);
    // 3 seeds a job with batch 4: the jobs' batches are not the single process's (per-seed noise makes that moot).
    const submit = background(['generate', '--queue', url, ...gen, '--job-seeds', '3', '--outdir', 'q'], dir);

    // SIGKILL the first worker as soon as it holds a job; another worker takes that job once its lock expires.
    const [victim, ...others] = workers as [Proc, Proc, Proc];
    await until('the first worker to take a job', () => unfinished(victim).length > 0);
    victim.child.kill('SIGKILL');
    const lost = unfinished(victim)[0]!;
    await until(`job ${lost} to be taken again after the kill`, () => others.some((w) => w.out.includes(`took job ${lost} `)));

    // Then Redis goes away and comes back empty: both sides say so, the submitter queues the lost jobs again.
    await until('a few more jobs to finish', () => finishedCount(others) >= 4);
    redis.child.kill('SIGTERM');
    await redis.exited;
    await new Promise((r) => setTimeout(r, 2500));
    redis = await startRedis(port);
    procs.push(redis);

    const r = await submit.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote 30 PNGs in q/);
    expect(r.stderr).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable/);
    expect(r.stderr).toMatch(/is reachable again after/);
    expect(r.stderr).toMatch(/is no longer in Redis .*: queued again/);
    expect(others.map((w) => w.out).join('')).toMatch(/is unreachable/);
    // Every seed once, nothing half-written, the single process's bytes.
    const names = readdirSync(join(dir, 'q'));
    expect(names.filter((f) => f.startsWith('.edm-tmp-'))).toEqual([]);
    expect(pngs(join(dir, 'q'))).toEqual(pngs(join(dir, 'base')));
    expect(pngs(join(dir, 'q'))).toHaveLength(30);
    for (const f of pngs(join(dir, 'base'))) {
      expect(readFileSync(join(dir, 'q', f)).equals(readFileSync(join(dir, 'base', f))), f).toBe(true);
    }
    expect(readFileSync(join(dir, 'q', 'dataset.json'), 'utf8')).toBe(readFileSync(join(dir, 'base', 'dataset.json'), 'utf8'));
  });

  it('edm metrics --queue equals the single-machine FID and KID (1e-6 relative) and accuracy', async () => {
    const args = ['--net', MODEL, '--seeds', '0-23', '--steps', '4', '--batch', '8', '--detector-batch', '8', '--ref', 'mnist-heldout',
      '--metrics', 'fid,kid,accuracy', '--floor', 'none', '--json'];
    const single = await runCli(['metrics', ...args], dir);
    expect(single.code, single.stderr).toBe(0);
    const queued = await runCli(['metrics', '--queue', url, '--job-seeds', '8', ...args], dir);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stderr).toMatch(/merged 3 shards from \d worker/);
    const a = JSON.parse(single.stdout.trim().split('\n').pop()!);
    const b = JSON.parse(queued.stdout.trim().split('\n').pop()!);
    process.stdout.write(`fid single ${a.fid} queued ${b.fid}; kid ${a.kid} ${b.kid}\n`);
    expect(Math.abs(b.fid / a.fid - 1)).toBeLessThan(1e-6);
    expect(Math.abs(b.kid / a.kid - 1)).toBeLessThan(1e-6);
    expect(b.accuracy).toBe(a.accuracy);
    expect(b.accuracy_per_class).toEqual(a.accuracy_per_class);
    expect(b.images).toBe(24);
  });

  it('idle workers exit 0 on SIGTERM', async () => {
    const idle = procs.filter((p) => p !== redis && p.child.exitCode === null && p.child.signalCode === null && /taking jobs/.test(p.out));
    expect(idle.length).toBeGreaterThan(0);
    for (const w of idle) w.child.kill('SIGTERM');
    for (const w of idle) expect((await w.exited).code, w.out).toBe(0);
  });

  it('a worker whose checkpoint differs refuses the job; after the bounded attempts the submitter names the seeds', async () => {
    const net = join(dir, 'net.safetensors');
    copyFileSync(MODEL, net);
    const submit = background(['generate', '--queue', url, '--net', net, '--seeds', '0-3', '--job-seeds', '4', '--attempts', '2',
      '--steps', '2', '--outdir', 'refused'], dir);
    await until('the request to be queued', () => /queued 1 jobs/.test(submit.text()));
    // The file changes after the submitter hashed it (one byte of the last tensor: still a valid checkpoint).
    const bytes = readFileSync(net);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(net, bytes);
    const w = await startWorker(url);
    procs.push(w);
    const r = await submit.result;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/4 of 4 seeds failed/);
    expect(r.stderr).toMatch(/seeds 0-3: .*refused: --net .*net\.safetensors on this worker has SHA-256 \w+\.\.\., the submitter's has \w+\.\.\.: the file differs/);
    expect(r.stderr).toMatch(/attempt 1 of 2 failed/);
    expect(w.out).toMatch(/job \S+ failed: refused/);
    w.child.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
  });

  it('Ctrl-C hands the job in hand back to the queue (exit 130); SIGTERM finishes it, then exits 0', async () => {
    const submit = background(['generate', '--queue', url, '--net', MODEL, '--seeds', '0-7', '--job-seeds', '8', '--batch', '2',
      '--steps', '18', '--outdir', 'signals'], dir);
    const first = await startWorker(url);
    procs.push(first);
    await until('the job to be taken', () => unfinished(first).length > 0);
    first.child.kill('SIGINT');
    const e1 = await first.exited;
    expect(e1.code, first.out).toBe(130);
    expect(first.out).toMatch(/handed job \S+ back to the queue/);
    const second = await startWorker(url);
    procs.push(second);
    await until('the job to be taken again', () => unfinished(second).length > 0);
    second.child.kill('SIGTERM');
    const e2 = await second.exited;
    expect(e2.code, second.out).toBe(0);
    expect(second.out).toMatch(/finishing 1 job\(s\) in hand/);
    expect(second.out).toMatch(/finished job \S+: 8 images/);
    const r = await submit.result;
    expect(r.code, r.stderr).toBe(0);
    expect(pngs(join(dir, 'signals'))).toHaveLength(8);
  });

  it('usage: --queue needs --outdir; --job-seeds needs --queue; a bad URL is named', async () => {
    const noOut = await runCli(['generate', '--queue', url, '--grid', 'g.png'], dir);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--queue needs --outdir DIR/);
    const noQueue = await runCli(['generate', '--job-seeds', '4', '--outdir', 'x'], dir);
    expect(noQueue.code).toBe(2);
    expect(noQueue.stderr).toMatch(/--job-seeds needs --queue URL/);
    const badUrl = await runCli(['worker', '--queue', 'http://127.0.0.1:1'], dir);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/--queue: only redis:\/\/ URLs are supported/);
  });
});
