// EDM2 in the built CLI (node dist/cli.js, wasm engine): `edm train --arch edm2` (its recipe in config.json,
// power-function EMA snapshots with edm.phema metadata, a falling loss, exact resume after SIGKILL), `edm info`
// and `edm generate` (autoguidance, classifier-free guidance) on its snapshots, and `edm phema`: the
// reconstruction equals sum_i x_i w_i of @edm/core's coefficients on hand-made snapshots; bad input is refused
// with no output.
import '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { solvePosthocCoefficients } from '@edm/core';
import { createNetwork, decodeSafetensors, loadNetwork, saveNetwork, tensorToFloat32 } from '@edm/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { readStats } from '../src/train/stats';
import { requireBuiltCli, runCli, tempDir, type RunResult } from './helpers';

let dir: string;
// 64 MNIST digits at 16x16, an EDM2 U-Net with 41,475 parameters, 30 steps of batch 8 (2 passes), a snapshot
// every 2 ticks of 5 steps.
const TRAIN = ['--data', 'd16.zip', '--cond', '--arch', 'edm2', '--cbase', '8', '--cres', '1,2', '--blocks', '1',
  '--attn', 'none', '--batch', '8', '--batch-gpu', '4', '--duration', '0.00024', '--tick', '0.04', '--snap', '2',
  '--dump', '1', '--snap-grid', '4', '--lr', '0.01', '--lr-rampup', '0', '--decay', '10', '--seed', '3', '--nosubdir',
  '--backend', 'wasm'];
const SNAP = (std: string) => `network-snapshot-000000-${std}.safetensors`;
const ok = (r: RunResult) => expect(r.code, r.stderr).toBe(0);
const bytes = (...p: string[]) => readFileSync(join(dir, ...p));

beforeAll(async () => {
  requireBuiltCli();
  await tf.setBackend('cpu');
  dir = tempDir('edm-edm2-');
  ok(await runCli(['dataset', '--source', 'mnist', '--dest', 'd16.zip', '--max-images', '64', '--resolution', '16'], dir));
  ok(await runCli(['train', ...TRAIN, '--outdir', 'full'], dir));
}, 180_000);

describe('edm train --arch edm2', () => {
  it("writes EDM2's recipe, both EMA snapshots with edm.phema metadata, and a falling loss", () => {
    const cfg = JSON.parse(bytes('full', 'config.json').toString());
    expect(cfg.network.class_name).toBe('training.networks_edm2.Precond');
    expect(cfg.network.kwargs).toMatchObject({ model_channels: 8, channel_mult: [1, 2], num_blocks: 1, attn_resolutions: [], dropout: 0 });
    expect(cfg.edm2).toMatchObject({ decay: 10, PMean: -0.4, PStd: 1, emaStds: [0.05, 0.1] });
    expect(cfg.edm2.runId).toMatch(/^[0-9a-f]{16}$/);
    const emaOf = (std: string) => decodeSafetensors(bytes('full', SNAP(std))).tensors.get('unet.enc.16x16_conv.weight')!;
    for (const std of ['0.050', '0.100']) {
      const meta = decodeSafetensors(bytes('full', SNAP(std))).metadata;
      expect(JSON.parse(meta['edm.phema']!)).toEqual({ std: Number(std), nimg: 240, run: cfg.edm2.runId });
      expect(tensorToFloat32(emaOf(std), std).every(Number.isFinite)).toBe(true);
    }
    // Two different averages (a longer EMA lags more).
    expect(Buffer.from(emaOf('0.050').data).equals(Buffer.from(emaOf('0.100').data))).toBe(false);
    const stats = readStats(join(dir, 'full', 'stats.jsonl'));
    expect(stats.map((s) => s.step)).toEqual([1, 6, 11, 16, 21, 26, 30]);
    // The schedule: lr 0.01 until step 10 (decay), then 0.01 / sqrt(step / 10); the stats show the last step's.
    expect(stats[1]!.lr).toBeCloseTo(0.01, 12);
    expect(stats.at(-1)!.lr).toBeCloseTo(0.01 / Math.sqrt(29 / 10), 12);
    expect(stats.at(-1)!.loss).toBeLessThan(0.8 * stats[0]!.loss);
    expect(new Set(stats.slice(1).map((s) => s.tensors)).size).toBe(1);
  });

  it('after SIGKILL, --resume gives identical stats and bit-identical EMA snapshots', async () => {
    let sent = false;
    const first = await runCli(['train', ...TRAIN, '--outdir', 'killed'], dir, (err, child) => {
      if (!sent && /saved training state \(periodic\) at kimg 0\.088, step 11/.test(err)) {
        sent = true;
        child.kill('SIGKILL');
      }
    });
    expect(sent, first.stderr).toBe(true);
    ok(await runCli(['train', '--resume', 'killed', '--backend', 'wasm'], dir));
    const pick = (run: string) => readStats(join(dir, run, 'stats.jsonl')).map((s) => [s.step, s.loss, s.lr]);
    expect(pick('killed')).toEqual(pick('full'));
    // Each run has its own id (in the snapshots' metadata); the tensors are bit-identical.
    for (const std of ['0.050', '0.100']) {
      const [a, b] = [decodeSafetensors(bytes('killed', SNAP(std))), decodeSafetensors(bytes('full', SNAP(std)))];
      expect([...a.tensors.keys()]).toEqual([...b.tensors.keys()]);
      for (const [name, t] of a.tensors) expect(Buffer.from(t.data).equals(Buffer.from(b.tensors.get(name)!.data)), `${std} ${name}`).toBe(true);
      expect(JSON.parse(a.metadata['edm.phema']!).run).toBe(JSON.parse(bytes('killed', 'config.json').toString()).edm2.runId);
    }
  });

  it('refuses what does not apply to EDM2 (usage errors, exit 2)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--precond', 'vp'], /--arch edm2 has its own preconditioning and loss \(EDM2Loss\); --precond vp does not apply/],
      [['--ema', '0.5'], /--ema \(a half-life\) is the EDM EMA; --arch edm2 keeps power-function EMAs instead/],
      [['--augment', '0.1'], /the EDM2 network takes no augmentation labels/],
      [['--ema-stds', '0.05,0.3'], /--ema-stds: each std \(relative EMA length\) must be in \(0, 0.289\), got 0.3/],
    ];
    for (const [extra, message] of cases) {
      const r = await runCli(['train', ...TRAIN, '--outdir', 'x', '--dry-run', ...extra], dir);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const r = await runCli(['train', '--data', 'd16.zip', '--decay', '5', '--dry-run'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--decay applies to --arch edm2 only/);
    const preset = await runCli(['train', '--preset', 'mnist-edm2', '--data', 'd16.zip', '--dry-run'], dir);
    ok(preset);
    expect(JSON.parse(preset.stdout)).toMatchObject({ arch: 'edm2', lr: 0.01, edm2: { decay: 200, emaStds: [0.05, 0.1] } });
  });
});

describe('edm info and edm generate on EDM2 snapshots', () => {
  const net = () => join('full', SNAP('0.050'));
  const gen = (out: string, ...extra: string[]) =>
    runCli(['generate', '--net', net(), '--seeds', '0-3', '--grid', out, '--steps', '5', '--backend', 'wasm', ...extra], dir);

  it('edm info names the EDM2 network', async () => {
    const r = await runCli(['info', net(), '--backend', 'wasm'], dir);
    ok(r);
    expect(r.stdout).toMatch(/network: +training\.networks_edm2\.Precond \(EDM2UNet\)/);
    expect(r.stdout).toMatch(/parameters: +41\.5 k \(41475\)/);
    expect(r.stdout).toMatch(/edm\.phema: \{"std":0\.05,"nimg":240/);
  });

  it('--guide (autoguidance) and --cfg run on EDM2 networks; weight 1 is the plain net', async () => {
    ok(await gen('plain.png'));
    ok(await gen('g1.png', '--guide', join('full', SNAP('0.100')), '--guidance', '1'));
    ok(await gen('g2.png', '--guide', join('full', SNAP('0.100')), '--guidance', '2'));
    ok(await gen('c2.png', '--cfg', '2'));
    expect(bytes('g1.png').equals(bytes('plain.png'))).toBe(true);
    expect(bytes('g2.png').equals(bytes('plain.png'))).toBe(false);
    expect(bytes('c2.png').equals(bytes('plain.png'))).toBe(false);
  });
});

describe('edm phema', () => {
  const CONFIG = {
    class_name: 'training.networks_edm2.Precond' as const,
    kwargs: { img_resolution: 8, img_channels: 1, label_dim: 0, model_channels: 4, channel_mult: [1, 2], num_blocks: 1, attn_resolutions: [], logvar_channels: 4 },
  };
  const SNAPS = [[4000, 0.05], [4000, 0.1], [8000, 0.05], [8000, 0.1], [12000, 0.05], [12000, 0.1]] as const;

  /** Writes hand-made snapshots (random weights, seeds 1..) of run `run` into `folder`. */
  function writeSnapshots(folder: string, run: string, which = SNAPS.map((_s, i) => i)): void {
    mkdirSync(join(dir, folder), { recursive: true });
    for (const i of which) {
      const [nimg, std] = SNAPS[i]!;
      const net = createNetwork(CONFIG, { seed: i + 1 });
      const meta = { 'edm.phema': JSON.stringify({ std, nimg, run }) };
      const name = `network-snapshot-${String(nimg / 1000).padStart(6, '0')}-${std.toFixed(3)}.safetensors`;
      writeFileSync(join(dir, folder, name), saveNetwork(net, { metadata: meta }));
      net.dispose();
    }
  }

  it('reconstructs sum_i x_i w_i with the post-hoc coefficients, at the latest time or --at', async () => {
    writeSnapshots('snaps', 'r1');
    const nets = SNAPS.map((_s, i) => createNetwork(CONFIG, { seed: i + 1 }));
    for (const [args, outNimg] of [[[], 12000], [['--at', '8'], 8000]] as const) {
      const r = await runCli(['phema', '--run', 'snaps', '--std', '0.07', '--out', 'rec.safetensors', '--backend', 'wasm', ...args], dir);
      ok(r);
      const used = SNAPS.map((s, i) => i).filter((i) => SNAPS[i]![0] <= outNimg);
      expect(r.stdout).toContain(`reconstructed from ${used.length} snapshots`);
      const x = solvePosthocCoefficients(used.map((i) => ({ ofs: SNAPS[i]![0], std: SNAPS[i]![1] })), [{ ofs: outNimg, std: 0.07 }]);
      const rec = await loadNetwork(bytes('rec.safetensors'));
      const meta = decodeSafetensors(bytes('rec.safetensors')).metadata;
      expect(JSON.parse(meta['edm.phema_reconstruction']!)).toEqual({ std: 0.07, nimg: outNimg, run: 'r1', snapshots: used.length });
      let worst = 0;
      for (const [name, v] of rec.parameters()) {
        const got = v.dataSync();
        const want = new Float64Array(got.length);
        used.forEach((i, k) => nets[i]!.parameters().get(name)!.dataSync().forEach((w, j) => { want[j]! += x[k]![0]! * w; }));
        for (let j = 0; j < got.length; j++) worst = Math.max(worst, Math.abs(got[j]! - want[j]!) / Math.max(1, Math.abs(want[j]!)));
      }
      expect(worst).toBeLessThan(1e-5);
      // Buffers (the Fourier features, equal in a real run's snapshots) are copied, the last snapshot's here.
      expect(rec.tensors().get('unet.emb_fourier.freqs')!.dataSync()).toEqual(nets[used.at(-1)!]!.tensors().get('unet.emb_fourier.freqs')!.dataSync());
      rec.dispose();
    }
    for (const n of nets) n.dispose();
  });

  it('refuses a std outside (0, 0.289), no snapshots, snapshots of different runs, an unknown --at: no output', async () => {
    writeSnapshots('mixed', 'r1', [0, 1]);
    writeSnapshots('mixed2', 'r2', [2, 3]);
    for (const f of readdirSync(join(dir, 'mixed2'))) writeFileSync(join(dir, 'mixed', f), readFileSync(join(dir, 'mixed2', f)));
    mkdirSync(join(dir, 'empty'), { recursive: true });
    const cases: Array<[string[], number, RegExp]> = [
      [['--run', 'snaps', '--std', '0.3'], 2, /--std: expected a number < 0.289, got 0.3/],
      [['--run', 'snaps', '--std', '0'], 2, /--std: expected a number > 0, got 0/],
      [['--run', 'empty', '--std', '0.1'], 1, /--run empty: no power-function EMA snapshots/],
      [['--run', 'mixed', '--std', '0.1'], 1, /snapshots of different runs: .*network-snapshot-000004-0\.050\.safetensors is of run r1, .*network-snapshot-000008-0\.050\.safetensors of run r2/],
      [['--run', 'snaps', '--std', '0.1', '--at', '5'], 1, /--at 5: no snapshot at kimg 5 in snaps \(snapshots at kimg 4, 8, 12\)/],
      [['--run', 'no-such', '--std', '0.1'], 1, /--run no-such/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(['phema', ...args, '--out', 'bad.safetensors', '--backend', 'wasm'], dir);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(dir, 'bad.safetensors'))).toBe(false);
    }
  });

  it('reconstructs from a real EDM2 run', async () => {
    const r = await runCli(['phema', '--run', 'full', '--std', '0.2', '--out', 'full-0.200.safetensors', '--backend', 'wasm'], dir);
    ok(r);
    expect(r.stdout).toMatch(/EMA std 0.2 at kimg 0.240, reconstructed from 2 snapshots/);
    const net = await loadNetwork(bytes('full-0.200.safetensors'));
    expect(net.className).toBe('training.networks_edm2.Precond');
    const w = tensorToFloat32(decodeSafetensors(bytes('full-0.200.safetensors')).tensors.get('unet.out_gain')!, 'out_gain');
    expect(Number.isFinite(w[0]!)).toBe(true);
    net.dispose();
  });
});
