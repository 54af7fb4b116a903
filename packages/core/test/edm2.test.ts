// EDM2's preconditioning and loss with a closed-form backbone and uncertainty head: the coefficients equal EDM's,
// u(sigma) reaches the head as c_noise = ln(sigma) / 4, and the EDM2 loss per pixel is
// lambda(sigma) / exp(u) (D - y)^2 + u by hand, with the reference's defaults P_mean -0.4, P_std 1.0; errors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { EDM2Loss, EDM2Precond, EDMPrecond, type ForwardOptions, type UncertaintyHead } from '@edm/core';
import { ToyBackbone } from './helpers/toy';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** u(c_noise) = 0.3 + 2 c_noise; records the options it got. */
class ToyHead implements UncertaintyHead {
  lastOptions: ForwardOptions | undefined;
  apply(cNoise: tf.Tensor1D, options?: ForwardOptions): tf.Tensor1D {
    this.lastOptions = options;
    return tf.add(tf.mul(cNoise, 2), 0.3);
  }
}

const SHAPE: [number, number, number, number] = [2, 2, 2, 3];
const IMAGES = Array.from({ length: 24 }, (_, k) => Math.cos(3 * k) * 0.9);
const EPS = Array.from({ length: 24 }, (_, k) => Math.sin(7 * k + 1) * 1.3);

describe('EDM2Precond', () => {
  it("has EDM's coefficients, no sigma bounds, and u(sigma) from c_noise", () => {
    const toy = new ToyBackbone(0.7, 0.2, 3);
    const p = new EDM2Precond(toy, { imgResolution: 2, imgChannels: 3, sigmaData: 0.4 }, new ToyHead());
    const e = new EDMPrecond(toy, { imgResolution: 2, imgChannels: 3, sigmaData: 0.4 });
    expect(p.className).toBe('training.networks_edm2.Precond');
    expect([p.sigmaMin, p.sigmaMax]).toEqual([0, Infinity]);
    for (const s of [0.002, 0.5, 3, 80]) expect(p.coefficients(s)).toEqual(e.coefficients(s));
    const sigma = tf.tensor4d([0.5, 2], [2, 1, 1, 1]);
    const u = p.logvar(sigma);
    expect(u.shape).toEqual([2]);
    [0.5, 2].forEach((s, i) => expect(u.dataSync()[i]).toBeCloseTo(0.3 + 2 * Math.log(s) / 4, 6));
    const bare = new EDM2Precond(toy, { imgResolution: 2, imgChannels: 3 });
    expect(() => bare.logvar(sigma)).toThrow(/EDM2Precond.logvar: this network has no uncertainty head/);
    tf.dispose([sigma, u]);
  });
});

describe('EDM2Loss', () => {
  it('lambda(sigma) / exp(u) (D - y)^2 + u per pixel, sigma = exp(rnd P_std + P_mean) with the defaults', () => {
    const toy = new ToyBackbone(0.7, 0.2, 3);
    const head = new ToyHead();
    const p = new EDM2Precond(toy, { imgResolution: 2, imgChannels: 3 }, head);
    const loss = new EDM2Loss();
    expect([loss.PMean, loss.PStd, loss.sigmaData]).toEqual([-0.4, 1.0, 0.5]);
    const rnd = [-0.6, 1.2];
    const images = tf.tensor4d(IMAGES, SHAPE);
    const eps = tf.tensor4d(EPS, SHAPE);
    const rndT = tf.tensor1d(rnd);
    const out = loss.call(p, images, { rnd: rndT, eps, training: true });
    expect(head.lastOptions?.training).toBe(true);
    const got = out.dataSync();
    IMAGES.forEach((y, k) => {
      const n = Math.floor(k / 12);
      const sigma = Math.exp(rnd[n]! * 1.0 - 0.4);
      const c = p.coefficients(sigma);
      const xn = y + EPS[k]! * sigma;
      const d = c.cSkip * xn + c.cOut * toy.expected(c.cIn * xn, c.cNoise, k % 3);
      const u = 0.3 + 2 * Math.log(sigma) / 4;
      const weight = (sigma ** 2 + 0.25) / (sigma * 0.5) ** 2;
      const want = weight / Math.exp(u) * (d - y) ** 2 + u;
      expect(Math.abs(got[k]! - want) / Math.max(1, Math.abs(want)), `pixel ${k}`).toBeLessThan(1e-5);
    });
    tf.dispose([images, eps, rndT, out]);
  });

  it('needs a network with an uncertainty head', () => {
    const p = new EDMPrecond(new ToyBackbone(1, 0, 3), { imgResolution: 2, imgChannels: 3 });
    const images = tf.zeros(SHAPE) as tf.Tensor4D;
    expect(() => new EDM2Loss().call(p, images)).toThrow(/EDM2Loss.call: the network has no uncertainty head/);
    expect(() => new EDM2Loss({ PStd: -1 })).toThrow(/EDM2Loss: option PStd must be a finite number >= 0, got -1/);
    images.dispose();
  });
});
