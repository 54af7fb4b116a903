// The built CLI end to end (node dist/cli.js, wasm engine): a short real training run on a tiny MNIST subset
// (loss goes down, the snapshot loads, generate works from it and is per-seed deterministic), exact resume
// after SIGKILL and after Ctrl-C (same stats and bit-identical snapshot as an uninterrupted run), the NaN
// stop, and bad inputs (exit code 2 for usage errors, 1 for bad data/files, messages naming the problem).
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readStats } from '../src/train/stats';
import { decodePng } from '../src/io/png';
import { requireBuiltCli, runCli, tempDir, type RunResult } from './helpers';

let dir: string;
const SNAPSHOT = 'network-snapshot-000000.safetensors';
// 64 MNIST digits at 16x16, a DDPM++ with 45,833 parameters, 30 steps of batch 8, one tick per 5 steps.
const TRAIN = ['--data', 'd16.zip', '--cond', '--cbase', '8', '--cres', '1,2', '--blocks', '1', '--attn', 'none',
  '--batch', '8', '--batch-gpu', '4', '--duration', '0.00024', '--tick', '0.04', '--snap', '100', '--dump', '1',
  '--snap-grid', '4', '--lr', '0.01', '--lr-rampup', '0', '--ema', '0.0001', '--dropout', '0', '--augment', '0', '--seed', '3',
  '--nosubdir', '--backend', 'wasm'];
const ok = (r: RunResult) => expect(r.code, r.stderr).toBe(0);

beforeAll(async () => {
  requireBuiltCli();
  dir = tempDir();
  const r = await runCli(['dataset', '--source', 'mnist', '--dest', 'd16.zip', '--max-images', '64', '--resolution', '16'], dir);
  ok(r);
  expect(r.stdout).toContain('d16.zip: 64 images, 16x16, 1 channel(s), 10 classes');
  const t = await runCli(['train', ...TRAIN, '--outdir', 'full'], dir);
  ok(t);
}, 180_000);

describe('edm train: a short real run', () => {
  it('writes config, stats per tick with a falling loss, a snapshot, a sample grid and the state', () => {
    const run = join(dir, 'full');
    const stats = readStats(join(run, 'stats.jsonl'));
    expect(stats.map((s) => s.step)).toEqual([1, 6, 11, 16, 21, 26, 30]);
    expect(stats.at(-1)!.kimg).toBeCloseTo(0.24, 9);
    for (const s of stats) expect(Number.isFinite(s.loss) && s.images_per_sec > 0 && s.rss_mib > 0).toBe(true);
    // No tensor leaks: the live tensor count is the same at every tick after the first.
    expect(new Set(stats.slice(1).map((s) => s.tensors)).size).toBe(1);
    // Untrained, the weighted loss is ~1.8; 30 Adam steps at lr 0.01 must cut it clearly.
    expect(stats.at(-1)!.loss).toBeLessThan(0.75 * stats[0]!.loss);
    const cfg = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    expect(cfg.network.kwargs).toMatchObject({ img_resolution: 16, img_channels: 1, label_dim: 10, model_channels: 8, channel_mult: [1, 2] });
    expect(existsSync(join(run, SNAPSHOT)) && existsSync(join(run, 'training-state.safetensors'))).toBe(true);
    const grid = decodePng(readFileSync(join(run, 'samples-000000.png')), 'grid');
    expect([grid.width, grid.height, grid.channels]).toEqual([64, 16, 1]); // 4 images, one row (classes 0-3)
    expect(readdirSync(run).filter((f) => f.startsWith('.edm-tmp-'))).toEqual([]);
  });

  it('edm info reads the snapshot', async () => {
    const r = await runCli(['info', join('full', SNAPSHOT), '--json', '--backend', 'wasm'], dir);
    ok(r);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ class_name: 'EDMPrecond', img_resolution: 16, img_channels: 1, label_dim: 10, parameters: 45833 });
  });

  it('edm generate samples from it; a seed gives the same image in any batch', async () => {
    const a = await runCli(['generate', '--net', join('full', SNAPSHOT), '--seeds', '0-3', '--batch', '4', '--outdir', 'a', '--grid', 'g.png', '--steps', '6', '--backend', 'wasm'], dir);
    ok(a);
    const b = await runCli(['generate', '--net', join('full', SNAPSHOT), '--seeds', '2,0-1,3', '--batch', '3', '--outdir', 'b', '--steps', '6', '--backend', 'wasm'], dir);
    ok(b);
    const c = await runCli(['generate', '--net', join('full', SNAPSHOT), '--seeds', '3', '--batch', '1', '--outdir', 'c', '--steps', '6', '--backend', 'wasm'], dir);
    ok(c);
    for (const s of ['000000', '000001', '000002', '000003']) {
      expect(readFileSync(join(dir, 'b', `${s}.png`)).equals(readFileSync(join(dir, 'a', `${s}.png`)))).toBe(true);
    }
    expect(readFileSync(join(dir, 'c', '000003.png')).equals(readFileSync(join(dir, 'a', '000003.png')))).toBe(true);
    const imgs = ['000000', '000001'].map((s) => decodePng(readFileSync(join(dir, 'a', `${s}.png`)), s));
    expect([imgs[0]!.width, imgs[0]!.height, imgs[0]!.channels]).toEqual([16, 16, 1]);
    expect(Buffer.from(imgs[0]!.data).equals(Buffer.from(imgs[1]!.data))).toBe(false);
    const grid = decodePng(readFileSync(join(dir, 'g.png')), 'g.png');
    expect([grid.width, grid.height]).toEqual([32, 32]);
    expect(a.stdout).toMatch(/wrote 4 PNGs in a and grid g.png/);
  });
});

describe('edm generate: samplers and guidance from the sampler table', () => {
  const net = () => join('full', SNAPSHOT);
  const gen = (out: string, ...extra: string[]) =>
    runCli(['generate', '--net', net(), '--seeds', '0-3', '--grid', out, '--steps', '5', '--backend', 'wasm', ...extra], dir);
  const png = (f: string) => readFileSync(join(dir, f));

  it('--sampler runs any sampler of the table; --solver alone selects the ablation sampler (generate.py)', async () => {
    ok(await gen('s-edm.png'));
    ok(await gen('s-2m.png', '--sampler', 'dpmpp_2m'));
    ok(await gen('s-ea.png', '--sampler', 'euler_ancestral', '--eta', '0.5'));
    expect(png('s-2m.png').equals(png('s-edm.png'))).toBe(false);
    expect(png('s-ea.png').equals(png('s-2m.png'))).toBe(false);
    ok(await gen('s-abl.png', '--solver', 'euler'));
    ok(await gen('s-abl2.png', '--sampler', 'ablation', '--solver', 'euler'));
    expect(png('s-abl.png').equals(png('s-abl2.png'))).toBe(true);
    expect(png('s-abl.png').equals(png('s-edm.png'))).toBe(false);
  });

  it('--cfg 1 is the plain conditional net, --cfg 3 differs; --guide of other images is refused naming both', async () => {
    ok(await gen('c1.png', '--cfg', '1'));
    ok(await gen('c3.png', '--cfg', '3'));
    ok(await gen('plain.png'));
    expect(png('c1.png').equals(png('plain.png'))).toBe(true);
    expect(png('c3.png').equals(png('plain.png'))).toBe(false);
    ok(await gen('g1.png', '--guide', net(), '--guidance', '1'));
    expect(png('g1.png').equals(png('plain.png'))).toBe(true);
    const shipped = fileURLToPath(new URL('../models/mnist-cond.safetensors', import.meta.url));
    const r = await gen('bad.png', '--guide', shipped, '--guidance', '2');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/--guide .*mnist-cond\.safetensors makes 28x28x1 images, 10 classes, but --net .*network-snapshot-000000\.safetensors makes 16x16x1 images, 10 classes/);
    expect(existsSync(join(dir, 'bad.png'))).toBe(false);
  });
});

describe('edm train --resume', () => {
  /** Interrupts a run once its state was saved at step 11 with `signal`, then resumes it. */
  async function interruptAndResume(outdir: string, signal: NodeJS.Signals): Promise<RunResult> {
    let sent = false;
    const first = await runCli(['train', ...TRAIN, '--outdir', outdir], dir, (err, child) => {
      if (!sent && /saved training state \(periodic\) at kimg 0\.088, step 11/.test(err)) {
        sent = true;
        child.kill(signal);
      }
    });
    expect(sent, first.stderr).toBe(true);
    return first;
  }

  function expectSameAsFull(outdir: string) {
    const full = readStats(join(dir, 'full', 'stats.jsonl'));
    const resumed = readStats(join(dir, outdir, 'stats.jsonl'));
    expect(resumed.map((s) => [s.tick, s.step, s.kimg, s.loss, s.loss_std, s.lr]))
      .toEqual(full.map((s) => [s.tick, s.step, s.kimg, s.loss, s.loss_std, s.lr]));
    expect(readFileSync(join(dir, outdir, SNAPSHOT)).equals(readFileSync(join(dir, 'full', SNAPSHOT)))).toBe(true);
    expect(readFileSync(join(dir, outdir, 'samples-000000.png')).equals(readFileSync(join(dir, 'full', 'samples-000000.png')))).toBe(true);
  }

  it('after SIGKILL continues from the last state: identical loss curve and bit-identical snapshot', async () => {
    const first = await interruptAndResume('killed', 'SIGKILL');
    expect(first.signal).toBe('SIGKILL');
    const r = await runCli(['train', '--resume', 'killed', '--backend', 'wasm'], dir);
    ok(r);
    expect(r.stderr).toMatch(/resuming from killed\/training-state.safetensors at kimg 0\.088 \(step 11\)/);
    expectSameAsFull('killed');
  });

  it('Ctrl-C saves the state and exits 130; resuming gives the same run', async () => {
    const first = await interruptAndResume('interrupted', 'SIGINT');
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/saved training state \(interrupted\)/);
    expect(first.stderr).toMatch(/continue with: edm train --resume interrupted/);
    const r = await runCli(['train', '--resume', 'interrupted', '--backend', 'wasm'], dir);
    ok(r);
    expectSameAsFull('interrupted');
  });

  it('refuses to change the network or the data on resume', async () => {
    const r = await runCli(['train', '--resume', 'full', '--cbase', '16'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/these options cannot change: --cbase/);
  });
});

describe('edm train: a non-finite loss', () => {
  it('stops with a message and keeps a loadable last good state', async () => {
    const args = TRAIN.map((a, i) => (TRAIN[i - 1] === '--lr' ? '1000' : a));
    const r = await runCli(['train', ...args, '--outdir', 'nan'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/loss is NaN at step \d+ .*training stopped\. The last good state is nan\/training-state.safetensors/);
    const resumed = await runCli(['train', '--resume', 'nan', '--lr', '1000', '--dry-run'], dir);
    ok(resumed);
  });
});

describe('bad inputs', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['missing data', ['train', '--data', 'no-such-dir', '--dry-run'], 1, /dataset 'no-such-dir' does not exist/],
    ['no --data', ['train', '--dry-run'], 2, /missing --data/],
    ['unknown arch', ['train', '--data', 'mnist', '--arch', 'unet'], 2, /--arch: unknown value 'unet'; expected one of: ddpmpp, ncsnpp, adm/],
    ['batch not a multiple', ['train', '--data', 'd16.zip', '--batch', '10', '--batch-gpu', '4', '--dry-run'], 2, /--batch 10 must be a multiple of --batch-gpu 4/],
    ['bad seeds syntax', ['generate', '--seeds', '0-x', '--grid', 'x.png'], 2, /--seeds: bad part '0-x'/],
    ['descending seeds', ['generate', '--seeds', '9-2', '--grid', 'x.png'], 2, /range '9-2' is descending/],
    ['nothing to write', ['generate', '--seeds', '1'], 2, /nothing to write/],
    ['unknown option', ['generate', '--sedes', '1'], 2, /unknown option '--sedes'.*did you mean '--seeds'/],
    ['unknown command', ['trian'], 2, /unknown command 'trian'; did you mean 'train'/],
    ['missing checkpoint', ['generate', '--net', 'nope.safetensors', '--grid', 'x.png', '--backend', 'wasm'], 1, /checkpoint 'nope.safetensors' not found/],
    ['resume without state', ['train', '--resume', '.'], 1, /no training-state.safetensors/],
    ['steps beyond the range', ['generate', '--steps', '100000000', '--grid', 'x.png'], 2, /--steps: expected an integer <= 1000, got 100000000/],
    ['sigma range reversed', ['generate', '--sigma-min', '90', '--sigma-max', '80', '--grid', 'x.png'], 2, /--sigma-min 90 must be below --sigma-max 80/],
    ['reference spelling typo', ['generate', '--S_chrun', '1', '--grid', 'x.png'], 2, /unknown option '--s-chrun'; did you mean '--s-churn'/],
    ['option of another sampler', ['generate', '--sampler', 'heun', '--eta', '1', '--grid', 'x.png'], 2, /--eta is not an option of the heun sampler; it takes --steps, --sigma-min, --sigma-max, --rho, --s-churn, --s-min, --s-max, --s-noise$/m],
    ['range of this sampler', ['generate', '--sampler', 'dpm_adaptive', '--order', '5', '--grid', 'x.png'], 2, /--order must be an integer in 2..3 for the dpm_adaptive sampler, got 5/],
    ['sigma-min above the default sigma-max', ['generate', '--sigma-min', '90', '--grid', 'x.png'], 2, /--sigma-min < --sigma-max required, got --sigma-min=90 >= --sigma-max=80/],
    ['an unknown sampler', ['generate', '--sampler', 'dpmpp_4m', '--grid', 'x.png'], 2, /--sampler: unknown value 'dpmpp_4m'; expected one of: edm, ablation, euler/],
    // With --net: without it, --guidance weights the shipped model's own guide (the shipped-model test).
    ['guidance without a guide', ['generate', '--net', join('full', SNAPSHOT), '--guidance', '2', '--grid', 'x.png'], 2, /--guidance needs --guide FILE/],
    ['class out of range', ['generate', '--net', join('full', SNAPSHOT), '--class', '10', '--grid', 'x.png', '--backend', 'wasm'], 2, /--class: expected 0..9/],
  ];
  it.each(cases)('%s', async (_name, args, code, msg) => {
    const r = await runCli(args, dir);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('every command has --help (exit 0, its options listed with their ranges)', async () => {
    for (const cmd of ['train', 'generate', 'dataset', 'info', 'bench', 'convert']) {
      const r = await runCli([cmd, '--help'], dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: edm ${cmd} `));
    }
    const g = await runCli(['generate', '--help'], dir);
    expect(g.stdout).toMatch(/--steps <INT> +Number of steps N[^[]*\[1 to 1000; default: 18\]/);
  });

  it('edm bench times the steps after its warm-up: at least one warm-up step, then --iters timed ones', async () => {
    const args = ['bench', '--configs', 'mnist', '--iters', '2', '--sample-batch', '1', '--sample-steps', '2', '--backend', 'wasm'];
    const r = await runCli([...args, '--warmup', '0'], dir);
    ok(r);
    expect(r.stdout).toMatch(/^mnist +engine wasm +params 0\.17 M +28x28x1 +train: batch 16, [0-9.]+ s\/step \(median of 2 after 1 warm-up\)/);
    // A warm-up in seconds takes steps until it is over: more than one for a second of 0.1-0.5 s steps.
    const w = await runCli([...args, '--warmup', '1'], dir);
    ok(w);
    const warm = Number(/after (\d+) warm-up/.exec(w.stdout)?.[1]);
    expect(warm).toBeGreaterThan(1);
  }, 120_000);

  it('corrupt checkpoints are rejected with the file name, by generate and info', async () => {
    const bytes = readFileSync(join(dir, 'full', SNAPSHOT));
    writeFileSync(join(dir, 'truncated.safetensors'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    writeFileSync(join(dir, 'garbage.safetensors'), 'not a checkpoint at all');
    copyFileSync(join(dir, 'full', 'training-state.safetensors'), join(dir, 'state-as-net.safetensors'));
    for (const f of ['truncated.safetensors', 'garbage.safetensors', 'state-as-net.safetensors']) {
      for (const cmd of [['generate', '--net', f, '--grid', 'x.png'], ['info', f]]) {
        const r = await runCli([...cmd, '--backend', 'wasm'], dir);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toContain(f);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    }
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
  });
});
