// EDM2's training dynamics in @edm/core against NVlabs/edm2 (test/fixtures/edm2_small.safetensors, written by
// training/phema.py and training_loop.py): std <-> exponent, the power-function EMA over 20 updates, the post-hoc
// reconstruction coefficients (8 snapshots -> 2 profiles), and the learning-rate schedule.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import {
  PowerFunctionEMA, edm2LearningRate, expToStd, powerFunctionBeta, solveLinear, solvePosthocCoefficients, stdToExp,
} from '@edm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, raw, raw64, type Fixture } from '../../packages/models/test/fixtures';

let f: Fixture;
beforeAll(async () => {
  await tf.setBackend('cpu');
  f = loadFixture('edm2_small');
});

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('power-function EMA (training/phema.py)', () => {
  it('std_to_exp of the fixture stds (rel err <= 1e-12), and exp_to_std inverts it', () => {
    const stds = raw64(f, 'fixture.phema.stds');
    const exps = raw64(f, 'fixture.phema.exps');
    stds.forEach((s, i) => {
      const e = stdToExp(s);
      console.log(`std ${s}: exp ${e} (reference ${exps[i]}, rel err ${relErr(e, exps[i]!).toExponential(2)})`);
      expect(relErr(e, exps[i]!)).toBeLessThan(1e-12);
      expect(relErr(expToStd(e), s)).toBeLessThan(1e-12);
    });
    for (const bad of [0, -0.1, 0.289, 0.5, Number.NaN]) expect(() => stdToExp(bad)).toThrow(/std \(relative standard deviation\) must be in \(0, 0.289\)/);
  });

  it('20 updates of a [2, 3] parameter at batch 4 give the fixture EMAs (max abs err <= 1e-6)', () => {
    const params = raw(f, 'fixture.phema.params');
    const batch = raw64(f, 'fixture.phema.batch')[0]!;
    const stds = Array.from(raw64(f, 'fixture.phema.stds'));
    const p = tf.variable(tf.zeros([2, 3]));
    const weights = new Map([['p', p]]);
    const ema = new PowerFunctionEMA(weights, stds); // starts from zeros, as the fixture's
    const betas: number[][] = [];
    const tensors = tf.memory().numTensors;
    for (let t = 0; t < 20; t++) {
      tf.tidy(() => p.assign(tf.tensor2d(params.values.subarray(6 * t, 6 * t + 6), [2, 3])));
      betas.push(ema.update(weights, batch * (t + 1), batch));
    }
    expect(tf.memory().numTensors).toBe(tensors); // no leak per update
    expect(betas[0]).toEqual([0, 0]); // the first update copies the weights
    const ref = raw(f, 'fixture.phema.ema').values;
    let err = 0;
    stds.forEach((_s, i) => {
      const ours = ema.emas[i]!.get('p')!.dataSync();
      for (let k = 0; k < 6; k++) err = Math.max(err, Math.abs(ours[k]! - ref[6 * i + k]!));
    });
    console.log(`power-function EMA: max abs err ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-6);
    expect(powerFunctionBeta(0.05, 8, 4)).toBeCloseTo(0.5 ** (stdToExp(0.05) + 1), 14);
    ema.dispose();
    p.dispose();
  });

  it('post-hoc coefficients for 8 snapshots -> std 0.07 and 0.13 (max abs err <= 1e-9 of max |x|); columns sum to 1', () => {
    const inOfs = raw64(f, 'fixture.phema.in_ofs');
    const inStd = raw64(f, 'fixture.phema.in_std');
    const outOfs = raw64(f, 'fixture.phema.out_ofs');
    const outStd = raw64(f, 'fixture.phema.out_std');
    const ref = raw64(f, 'fixture.phema.coefficients'); // [8, 2] row-major
    const X = solvePosthocCoefficients(
      Array.from(inOfs, (ofs, i) => ({ ofs, std: inStd[i]! })),
      Array.from(outOfs, (ofs, i) => ({ ofs, std: outStd[i]! })),
    );
    let err = 0;
    let scale = 0;
    X.forEach((row, i) => row.forEach((x, j) => {
      err = Math.max(err, Math.abs(x - ref[2 * i + j]!));
      scale = Math.max(scale, Math.abs(ref[2 * i + j]!));
    }));
    console.log(`post-hoc coefficients: max abs err ${err.toExponential(2)} (max |x| ${scale.toFixed(3)})`);
    expect(err / scale).toBeLessThanOrEqual(1e-9);
    for (let j = 0; j < 2; j++) expect(X.reduce((s, r) => s + r[j]!, 0)).toBeCloseTo(1, 12);
    expect(() => solvePosthocCoefficients([], [{ ofs: 1, std: 0.1 }])).toThrow(/no input profiles/);
    expect(() => solvePosthocCoefficients([{ ofs: 1, std: 0.1 }], [{ ofs: 1, std: 0.3 }])).toThrow(/must be in \(0, 0.289\), got 0.3/);
  });

  it('solveLinear: Gaussian elimination with pivoting (a zero leading pivot)', () => {
    const X = solveLinear([[0, 2], [3, 1]], [[4], [5]]);
    expect(X[0]![0]).toBeCloseTo(1, 14);
    expect(X[1]![0]).toBeCloseTo(2, 14);
    expect(() => solveLinear([[1, 2], [2, 4]], [[1], [2]])).toThrow(/singular/);
  });
});

describe('learning-rate schedule (training_loop.py learning_rate_schedule)', () => {
  it('matches the fixture at batch 2048, ref_lr 1e-2, ref_batches 7e4, rampup 10 Mimg (rel err <= 1e-12)', () => {
    const nimg = raw64(f, 'fixture.lr.nimg');
    const value = raw64(f, 'fixture.lr.value');
    nimg.forEach((t, i) => {
      const lr = edm2LearningRate(t, 2048, { refLr: 1e-2, refBatches: 7e4, rampupMimg: 10 });
      expect(value[i] === 0 ? lr : relErr(lr, value[i]!), `nimg ${t}`).toBeLessThanOrEqual(1e-12);
    });
    console.log(`learning rate: ${nimg.length} points (${Array.from(nimg).join(', ')}) match`);
    expect(edm2LearningRate(1e9, 1, { refBatches: 0, rampupMimg: 0 })).toBe(100e-4);
  });
});
