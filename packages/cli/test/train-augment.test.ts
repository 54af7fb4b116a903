// edm train --augment (the paper's non-leaking augment pipe, its labels fed to a net with augment_dim 9) and
// seeded dropout, end to end on the built CLI: the config records them, a run killed with SIGKILL and resumed
// reproduces the uninterrupted run's loss curve and snapshot bit for bit with dropout 0.3 and augment 0.5,
// presets and defaults, and the refusals (--fp16, --augment out of range, --augment changed on resume).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readStats } from '../src/train/stats';
import { requireBuiltCli, runCli, tempDir, type RunResult } from './helpers';

let dir: string;
const SNAPSHOT = 'network-snapshot-000000.safetensors';
// 32 MNIST digits at 8x8, a small conditional DDPM++, 16 steps of batch 8 in 2 passes of 4, a tick per 4 steps.
const TRAIN = ['--data', 'd8.zip', '--cond', '--cbase', '8', '--cres', '1,2', '--blocks', '1', '--attn', 'none',
  '--batch', '8', '--batch-gpu', '4', '--duration', '0.000128', '--tick', '0.032', '--snap', '100', '--dump', '1',
  '--snap-grid', '4', '--lr', '0.01', '--lr-rampup', '0', '--ema', '0.0001', '--dropout', '0.3', '--augment', '0.5',
  '--seed', '5', '--nosubdir', '--backend', 'wasm'];
const ok = (r: RunResult) => expect(r.code, r.stderr).toBe(0);
const dryRun = async (args: string[]) => {
  const r = await runCli(['train', '--data', 'd8.zip', '--dry-run', ...args], dir);
  ok(r);
  return JSON.parse(r.stdout) as { augment: number; network: { kwargs: Record<string, unknown> } };
};

beforeAll(async () => {
  requireBuiltCli();
  dir = tempDir();
  ok(await runCli(['dataset', '--source', 'mnist', '--dest', 'd8.zip', '--max-images', '32', '--resolution', '8x8'], dir));
  ok(await runCli(['train', ...TRAIN, '--outdir', 'full'], dir));
}, 120_000);

describe('edm train --augment with dropout', () => {
  it('config.json records augment 0.5 and the network has augment_dim 9; resume --dry-run shows it', async () => {
    const cfg = JSON.parse(readFileSync(join(dir, 'full', 'config.json'), 'utf8'));
    expect(cfg.augment).toBe(0.5);
    expect(cfg.network.kwargs).toMatchObject({ augment_dim: 9, dropout: 0.3, label_dim: 10 });
    const r = await runCli(['train', '--resume', 'full', '--dry-run'], dir);
    ok(r);
    expect(JSON.parse(r.stdout)).toMatchObject({ augment: 0.5, network: { kwargs: { augment_dim: 9 } } });
    const info = await runCli(['info', join('full', SNAPSHOT), '--json', '--backend', 'wasm'], dir);
    ok(info);
    expect(info.stdout).toMatch(/"augment_dim": 9/);
  });

  it('killed (SIGKILL) at step 9 and resumed: the same loss curve and a bit-identical snapshot', async () => {
    let sent = false;
    const first = await runCli(['train', ...TRAIN, '--outdir', 'killed'], dir, (err, child) => {
      if (!sent && /saved training state \(periodic\) at kimg 0\.072, step 9/.test(err)) {
        sent = true;
        child.kill('SIGKILL');
      }
    });
    expect(sent, first.stderr).toBe(true);
    expect(first.signal).toBe('SIGKILL');
    const r = await runCli(['train', '--resume', 'killed', '--backend', 'wasm'], dir);
    ok(r);
    expect(r.stderr).toMatch(/resuming from killed\/training-state.safetensors at kimg 0\.072 \(step 9\)/);
    const full = readStats(join(dir, 'full', 'stats.jsonl'));
    const resumed = readStats(join(dir, 'killed', 'stats.jsonl'));
    expect(full.map((s) => s.step)).toEqual([1, 5, 9, 13, 16]);
    expect(resumed.map((s) => [s.tick, s.step, s.kimg, s.loss, s.loss_std, s.lr]))
      .toEqual(full.map((s) => [s.tick, s.step, s.kimg, s.loss, s.loss_std, s.lr]));
    expect(readFileSync(join(dir, 'killed', SNAPSHOT)).equals(readFileSync(join(dir, 'full', SNAPSHOT)))).toBe(true);
  });

  it('the masks and augmentations depend on the seed: another seed gives another loss curve', async () => {
    const other = TRAIN.map((a, i) => (TRAIN[i - 1] === '--seed' ? '6' : a));
    ok(await runCli(['train', ...other, '--outdir', 'seed6'], dir));
    const a = readStats(join(dir, 'full', 'stats.jsonl')).map((s) => s.loss);
    const b = readStats(join(dir, 'seed6', 'stats.jsonl')).map((s) => s.loss);
    expect(b).not.toEqual(a);
  });

  it('refuses to change --augment on resume', async () => {
    const r = await runCli(['train', '--resume', 'full', '--augment', '0'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/these options cannot change: --augment/);
  });
});

describe('--augment defaults and refusals', () => {
  it("train.py's default 0.12 (augment_dim 9); the mnist preset and --augment 0 leave it off (no augment_dim)", async () => {
    const dflt = await dryRun(['--cbase', '8']);
    expect(dflt.augment).toBe(0.12);
    expect(dflt.network.kwargs.augment_dim).toBe(9);
    const mnist = await dryRun(['--preset', 'mnist']);
    expect(mnist.augment).toBe(0);
    expect(mnist.network.kwargs.augment_dim).toBeUndefined();
    const off = await dryRun(['--augment', '0']);
    expect(off.network.kwargs.augment_dim).toBeUndefined();
    const on = await dryRun(['--preset', 'mnist', '--augment', '0.15']);
    expect([on.augment, on.network.kwargs.augment_dim]).toEqual([0.15, 9]);
  });

  it('--fp16 is refused with the reason; --augment outside [0, 1] is a usage error', async () => {
    const fp16 = await runCli(['train', '--data', 'd8.zip', '--fp16', '--dry-run'], dir);
    expect(fp16.code).toBe(2);
    expect(fp16.stderr).toMatch(/--fp16 is not supported: TensorFlow\.js has no float16 compute/);
    const bad = await runCli(['train', '--data', 'd8.zip', '--augment', '1.5', '--dry-run'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--augment: expected a number <= 1, got 1\.5/);
  });
});
