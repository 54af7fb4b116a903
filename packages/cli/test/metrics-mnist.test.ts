// edm metrics with the MNIST digit judge (the built CLI on wasm): the shipped judge reads the 2,000 held-out
// digits it never saw at 98% or better; samples of the shipped model are scored against mnist-heldout with
// fid, kid and class accuracy, beside the same figures for real mnist-train digits (the floor); train-judge
// writes a judge file; misuse is refused.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors } from '@edm/models';
import { requireBuiltCli, runCli, tempDir, type RunResult } from './helpers';

const SHIPPED = fileURLToPath(new URL('../models/mnist-cond.safetensors', import.meta.url));
let dir: string;
const ok = (r: RunResult) => expect(r.code, r.stderr).toBe(0);

beforeAll(() => {
  requireBuiltCli();
  dir = tempDir('edm-metrics-mnist-');
});

describe('edm metrics with the MNIST judge', () => {
  it('the shipped judge reads the held-out digits (never trained on) at >= 98%, and real digits score near the floor', async () => {
    // mnist-heldout judged against itself as the reference: accuracy is the judge's held-out accuracy, fid ~ 0.
    const r = await runCli(['metrics', '--images', 'mnist-heldout', '--ref', 'mnist-heldout', '--metrics', 'fid,accuracy',
      '--floor', 'none', '--json', '--backend', 'wasm'], dir);
    ok(r);
    const j = JSON.parse(r.stdout);
    console.log(`shipped judge on mnist-heldout: accuracy ${j.accuracy}, per class ${j.accuracy_per_class.join(' ')}, confidence ${j.confidence}`);
    expect(j).toMatchObject({ detector: 'mnist-judge', images: 2000, ref_dataset: 'mnist-heldout' });
    expect(j.accuracy).toBeGreaterThanOrEqual(0.98);
    expect(Math.min(...j.accuracy_per_class)).toBeGreaterThan(0.93);
    expect(Math.abs(j.fid)).toBeLessThan(1e-6);
    expect(j.floor).toBeUndefined();
  });

  it('samples of a checkpoint vs mnist-heldout: fid, kid, accuracy, and the real-digit floor beside them', async () => {
    const r = await runCli(['metrics', '--net', SHIPPED, '--seeds', '0-39', '--steps', '6', '--ref', 'mnist-heldout',
      '--metrics', 'fid,kid,accuracy', '--backend', 'wasm'], dir);
    ok(r);
    expect(r.stdout).toMatch(/40 images .* vs mnist-heldout \(mnist-heldout, 2000 images\), detector mnist-judge/);
    expect(r.stdout).toMatch(/samples +floor \(mnist-train\)/);
    for (const row of ['fid', 'kid', 'accuracy', 'per class', 'confidence']) expect(r.stdout).toMatch(new RegExp(`^ *${row} `, 'm'));
    const j = JSON.parse((await runCli(['metrics', '--net', SHIPPED, '--seeds', '0-39', '--steps', '6', '--ref', 'mnist-heldout',
      '--metrics', 'fid,accuracy', '--json', '--backend', 'wasm'], dir)).stdout);
    expect(j.images).toBe(40);
    // The floor is 40 real training digits: the judge reads nearly all, and they are closer to the held-out digits
    // than 6-step samples are.
    expect(j.floor).toMatchObject({ source: 'mnist-train' });
    expect(j.floor.accuracy).toBeGreaterThan(0.95);
    expect(j.floor.fid).toBeLessThan(j.fid);
    expect(j.accuracy_per_class).toHaveLength(10);
  });

  it('edm generate --outdir labels its images (dataset.json): metrics of the folder equal metrics of the same samples', async () => {
    ok(await runCli(['generate', '--net', SHIPPED, '--seeds', '0-29', '--steps', '6', '--outdir', 'gen', '--backend', 'wasm'], dir));
    const labels = JSON.parse(readFileSync(join(dir, 'gen', 'dataset.json'), 'utf8')).labels as [string, number][];
    expect(labels).toHaveLength(30);
    expect(labels[13]).toEqual(['000013.png', 3]);
    const run = async (what: string[]) => JSON.parse((await runCli(['metrics', ...what, '--ref', 'mnist-heldout', '--metrics', 'fid,accuracy',
      '--floor', 'none', '--json', '--backend', 'wasm'], dir)).stdout);
    const [folder, net] = [await run(['--images', 'gen']), await run(['--net', SHIPPED, '--seeds', '0-29', '--steps', '6'])];
    expect(folder.accuracy).toBe(net.accuracy);
    expect(folder.accuracy_per_class).toEqual(net.accuracy_per_class);
    expect(folder.fid).toBeCloseTo(net.fid, 9);
  });

  it('misuse: accuracy with the Inception, accuracy of unlabelled images, train-judge options elsewhere', async () => {
    let r = await runCli(['metrics', '--images', 'mnist-heldout', '--ref', 'mnist-heldout', '--metrics', 'accuracy',
      '--detector', 'inception:x.pth'], dir);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--metrics accuracy: .*--detector mnist/)]);
    r = await runCli(['metrics', '--images', 'mnist-heldout', '--ref', 'mnist-heldout', '--epochs', '3'], dir);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--epochs is not an option of 'edm metrics' other than 'train-judge'/)]);
    r = await runCli(['metrics', 'train-judge', '--out', 'j.safetensors', '--ref', 'x'], dir);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/--ref is not an option of 'edm metrics train-judge'/)]);
    r = await runCli(['metrics', '--images', 'mnist-heldout', '--ref', 'mnist-heldout', '--detector', 'mnist:missing.safetensors'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.safetensors/);
  });

  it('edm train --metrics: fid and accuracy of each snapshot in stats.jsonl, equal to edm metrics of that snapshot', async () => {
    const train = ['train', '--preset', 'mnist', '--data', 'mnist-train', '--max-images', '64', '--cbase', '4', '--duration', '0.000064',
      '--tick', '0.032', '--snap', '1', '--snap-grid', '0', '--seed', '5', '--metrics', 'fid,accuracy', '--metrics-seeds', '20', '--backend', 'wasm'];
    const r = await runCli([...train, '--outdir', 'tm', '--nosubdir'], dir);
    ok(r);
    expect(r.stderr).toMatch(/metrics at kimg 0 \(20 samples vs mnist-heldout\): fid \d+\.\d+, accuracy \d+\.\d%/);
    const lines = readFileSync(join(dir, 'tm', 'stats.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const judged = lines.filter((l) => l.metrics);
    expect(judged.length).toBeGreaterThanOrEqual(2);
    const last = judged.at(-1)!;
    expect(last.metrics).toMatchObject({ fid: expect.any(Number), accuracy: expect.any(Number), accuracy_per_class: expect.any(Array) });
    // The same figures as edm metrics on the final snapshot (same seeds, sampler and judge).
    const snap = join('tm', 'network-snapshot-000000.safetensors');
    expect(existsSync(join(dir, snap))).toBe(true);
    const m = JSON.parse((await runCli(['metrics', '--net', snap, '--seeds', '0-19', '--ref', 'mnist-heldout', '--metrics', 'fid,accuracy',
      '--floor', 'none', '--json', '--backend', 'wasm'], dir)).stdout);
    expect(m.accuracy).toBe(last.metrics.accuracy);
    expect(m.fid).toBeCloseTo(last.metrics.fid, 6);
    // Misuse: accuracy of an unconditional run; a held-out reference while training on all of mnist; no reference for other data.
    const bad = async (args: string[], re: RegExp) => {
      const b = await runCli(['train', '--outdir', 'bad', '--dry-run', ...args], dir);
      expect([b.code, b.stderr]).toEqual([2, expect.stringMatching(re)]);
    };
    await bad(['--data', 'mnist-train', '--metrics', 'accuracy'], /--metrics accuracy: class accuracy needs a class-conditional run/);
    await bad(['--preset', 'mnist', '--data', 'mnist', '--metrics', 'fid'], /train on mnist-train/);
    await bad(['--preset', 'mnist', '--data', 'mnist-train', '--metrics-seeds', '10'], /need --metrics LIST/);
  });

  it('train-judge writes a judge file that --detector mnist:FILE reads', async () => {
    const r = await runCli(['metrics', 'train-judge', '--out', 'judge.safetensors', '--epochs', '1', '--seed', '3', '--backend', 'wasm'], dir);
    ok(r);
    expect(r.stderr).toMatch(/epoch 1\/1 .* held-out \d+\.\d+%/);
    const { metadata } = decodeSafetensors(readFileSync(join(dir, 'judge.safetensors')));
    expect(metadata).toMatchObject({ 'edm.format': 'edm-mnist-judge/1', 'edm.judge.trained': 'edm metrics train-judge --epochs 1 --seed 3' });
    expect(Number(metadata['edm.judge.heldout_accuracy'])).toBeGreaterThan(0.8);
    const m = await runCli(['metrics', '--images', 'mnist-heldout', '--ref', 'mnist-heldout', '--metrics', 'accuracy', '--floor', 'none',
      '--detector', 'mnist:judge.safetensors', '--json', '--backend', 'wasm'], dir);
    ok(m);
    expect(JSON.parse(m.stdout).accuracy).toBeCloseTo(Number(metadata['edm.judge.heldout_accuracy']), 4);
  });
});
