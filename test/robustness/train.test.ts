// A training run folder under faults and misuse, run as a user would (the built CLI), under caps and measured
// (harness.ts): a torn stats.jsonl line (a disk-full or killed append), two runs or two resumes of one folder,
// a stale lock of a killed run, a hand-edited or damaged training state (step -1, nimg 1e12, another seed, a
// changed batch, Inf/NaN/negative values), and the temporary files a killed run left. Each resume either
// continues with a warning naming the file, or is refused naming what is wrong, within 512 MB and 10 s of CPU.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from '../../packages/models/src/io/safetensors';
import { describeRun, expectWithinBounds, requireBuiltCli, runCli, tempDir, type Run } from './harness';

let dir: string;
// 64 MNIST digits at 16x16, a DDPM++ with 45,833 parameters, 10 steps of batch 8, a tick (and the state) per 5.
const TRAIN = ['--data', 'd16.zip', '--cond', '--cbase', '8', '--cres', '1,2', '--blocks', '1', '--attn', 'none',
  '--batch', '8', '--batch-gpu', '4', '--duration', '0.00008', '--tick', '0.04', '--snap', '100', '--dump', '1',
  '--snap-grid', '0', '--lr', '0.01', '--lr-rampup', '0', '--ema', '0.0001', '--dropout', '0', '--augment', '0', '--seed', '3',
  '--nosubdir', '--backend', 'wasm'];
/** TRAIN with `--duration` set to `mimg`. */
const trainFor = (mimg: string) => TRAIN.map((a, i) => (TRAIN[i - 1] === '--duration' ? mimg : a));
/** One step more than the base run. */
const ONE_MORE = ['--duration', '0.000088'];
const ok = (r: Run) => expect(r.code, `${describeRun(r)}\n${r.stderr}`).toBe(0);

/** A copy of the finished base run (10 steps, state at step 10). */
function copyBase(name: string): string {
  cpSync(join(dir, 'base'), join(dir, name), { recursive: true });
  return join(dir, name);
}

/** Rewrites a run's training state with its counters and tensors edited. */
function editState(run: string, edit: (counters: Record<string, number>, tensors: Map<string, SafetensorsTensor>) => void): void {
  const path = join(run, 'training-state.safetensors');
  const { metadata, tensors } = decodeSafetensors(new Uint8Array(readFileSync(path)), path);
  const counters = JSON.parse(metadata['edm.state']!);
  const copy = new Map([...tensors].map(([k, t]) => [k, { ...t, data: t.data.slice() }]));
  edit(counters, copy);
  writeFileSync(path, encodeSafetensors(copy, { ...metadata, 'edm.state': JSON.stringify(counters) }));
}

/** Sets element 0 of the first tensor whose name starts with `prefix` to `value`; returns its name. */
function poke(tensors: Map<string, SafetensorsTensor>, prefix: string, value: number): string {
  const [name, t] = [...tensors].find(([k]) => k.startsWith(prefix))!;
  new DataView(t.data.buffer, t.data.byteOffset).setFloat32(0, value, true);
  return name;
}

beforeAll(async () => {
  requireBuiltCli();
  dir = tempDir();
  ok(await runCli(['dataset', '--source', 'mnist', '--dest', 'd16.zip', '--max-images', '64', '--resolution', '16'], dir));
  ok(await runCli(['train', ...TRAIN, '--outdir', 'base'], dir, { seconds: 180 }));
}, 300_000);

describe('stats.jsonl', () => {
  it('a torn last line (a full disk) does not block the resume: dropped with a warning naming the file', async () => {
    const run = copyBase('torn');
    writeFileSync(join(run, 'stats.jsonl'), readFileSync(join(run, 'stats.jsonl'), 'utf8') + '{"tick":3,"kimg":0.12,"step":15,"loss":0.4');
    const r = await runCli(['train', '--resume', 'torn', ...ONE_MORE, '--backend', 'wasm'], dir);
    expectWithinBounds(r, 'resume after a torn stats line');
    ok(r);
    expect(r.stderr).toMatch(/warning: torn\/stats\.jsonl: line 4 is not complete JSON \(a write cut short by a full disk or a kill\?\): dropped/);
    const lines = readFileSync(join(run, 'stats.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((s) => s.step)).toEqual([1, 6, 10, 11]);
  });
});

describe('one process per run folder', () => {
  it('a second run into the same folder, and a second resume, are refused naming the first; SIGKILL leaves the lock', async () => {
    let kill: ((s: NodeJS.Signals) => void) | undefined;
    let started: () => void;
    const running = new Promise<void>((resolve) => { started = resolve; });
    // A long run holding the lock of 'locked' (1000 steps), killed once the second attempts are done.
    const first = runCli(['train', ...trainFor('0.008'), '--outdir', 'locked'], dir, {
      onStart: (k) => { kill = k; },
      onStderr: (text) => { if (/run folder: locked/.test(text)) started(); },
      seconds: 120,
    });
    await running;
    const second = await runCli(['train', ...TRAIN, '--outdir', 'locked'], dir);
    expectWithinBounds(second, 'a second run into a locked folder');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/locked is in use by another run: edm train .* \(pid \d+ on .*, since .*\); wait for it to end or stop it; if it is gone, delete locked\/run\.lock/);
    kill!('SIGKILL');
    const killed = await first;
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'locked', 'run.lock'))).toBe(true); // SIGKILL leaves it
    copyBase('resumed-twice');
    const resuming = runCli(['train', '--resume', 'resumed-twice', '--duration', '0.008', '--backend', 'wasm'], dir, {
      onStart: (k) => { kill = k; },
      seconds: 120,
    });
    await new Promise((r) => setTimeout(r, 1500));
    const again = await runCli(['train', '--resume', 'resumed-twice', '--backend', 'wasm'], dir);
    expectWithinBounds(again, 'a second --resume of one folder');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/resumed-twice is in use by another run: edm train --resume resumed-twice/);
    kill!('SIGINT');
    expect((await resuming).code).toBe(130);
  }, 240_000);

  it("a lock whose process is gone (killed, machine restarted) is taken over with a warning, and released at the end", async () => {
    const run = copyBase('stale-lock');
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has exited
    writeFileSync(join(run, 'run.lock'), JSON.stringify({ pid: gone, host: hostname(), started: '2020-01-01T00:00:00.000Z', command: 'edm train --resume stale-lock' }));
    const r = await runCli(['train', '--resume', 'stale-lock', ...ONE_MORE, '--backend', 'wasm'], dir);
    expectWithinBounds(r, 'taking over a stale lock');
    ok(r);
    expect(r.stderr).toContain(`warning: stale-lock/run.lock: took over the lock of pid ${gone}, which is no longer running (edm train --resume stale-lock, since 2020-01-01T00:00:00.000Z)`);
    expect(existsSync(join(run, 'run.lock'))).toBe(false);
  }, 240_000);
});

describe('--resume checks the training state', () => {
  it.each([
    ['step -1', (c: Record<string, number>) => { c.step = -1; }, "counter 'step' is -1, expected a whole number >= 0"],
    ['nimg 1e12', (c: Record<string, number>) => { c.nimg = 1e12; }, 'it has seen 1000000000000 images in 10 steps, but config.json\'s batch 8 makes that 80 (was the batch changed?)'],
    ['another seed', (c: Record<string, number>) => { c.seed = 4; }, "its seed 4 differs from config.json's seed 3"],
    ['a NaN loss sum', (c: Record<string, number>) => { c.tickLossSum = Number.NaN; }, "counter 'tickLossSum' is null, expected a finite number"],
  ])('counters: %s', async (what, edit, message) => {
    const run = copyBase(`counters-${what.replace(/\W+/g, '-')}`);
    editState(run, (c) => edit(c));
    const r = await runCli(['train', '--resume', run, ...ONE_MORE, '--backend', 'wasm'], dir);
    expectWithinBounds(r, `state with ${what}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`training-state.safetensors: ${message}; the training state is damaged or was edited`);
  });

  it('a batch changed by hand in config.json', async () => {
    const run = copyBase('batch-edited');
    const cfg = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    writeFileSync(join(run, 'config.json'), JSON.stringify({ ...cfg, batch: 16 }));
    const r = await runCli(['train', '--resume', run, '--backend', 'wasm'], dir);
    expectWithinBounds(r, 'config.json batch edited');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("it has seen 80 images in 10 steps, but config.json's batch 16 makes that 160 (was the batch changed?)");
  });

  it.each([
    ['Inf in the EMA weights', 'ema/', Number.POSITIVE_INFINITY, 'holds Infinity at flat index 0'],
    ['NaN in the weights', 'net/', Number.NaN, 'holds NaN at flat index 0'],
    ['NaN in Adam\'s first moments', 'adam_m/', Number.NaN, 'holds NaN at flat index 0'],
    ['a negative second moment', 'adam_v/', -1, "holds -1 at flat index 0 (Adam's second moments are never negative)"],
  ])('tensors: %s', async (what, prefix, value, message) => {
    const run = copyBase(`values-${prefix.replace('/', '')}-${String(value)}`);
    let name = '';
    editState(run, (_c, t) => { name = poke(t, prefix, value); });
    const r = await runCli(['train', '--resume', run, ...ONE_MORE, '--backend', 'wasm'], dir);
    expectWithinBounds(r, `state with ${what}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`training-state.safetensors: tensor '${name}' ${message}`);
    expect(r.stderr).not.toMatch(/loss is NaN/);
  });
});

describe('leftovers', () => {
  it('temporary files a killed run left are removed once a resume is under way', async () => {
    const run = copyBase('leftovers');
    writeFileSync(join(run, '.edm-tmp-999999-a1b2c3-network-snapshot-000000.safetensors'), 'half a snapshot');
    writeFileSync(join(run, '.edm-tmp-999999-d4e5f6-training-state.safetensors'), '');
    const r = await runCli(['train', '--resume', run, ...ONE_MORE, '--backend', 'wasm'], dir);
    expectWithinBounds(r, 'resume with stale temporary files');
    ok(r);
    expect(r.stderr).toContain('removed 2 temporary file(s) a stopped run left in');
    expect(readdirSync(run).filter((f) => f.startsWith('.edm-tmp-'))).toEqual([]);
  });
});
