// Numeric parity of an EDM2 training step with NVlabs/edm2 (test/fixtures/edm2_small.safetensors): in
// training mode, the EDM2 loss per pixel (EDM2Loss with the fixture's sigma draw and noise), the gradient of
// every parameter after backward of loss.sum() / N, and every MPConv weight as stored after the forward pass
// (forced weight normalisation). On the wasm engine (the cpu backend's filter gradient takes a minute here).
import * as tf from '@tensorflow/tfjs-core';
import { EDM2Loss, leanVariableGrads } from '@edm/core';
import { loadNetwork, type Network } from '@edm/models';
import { useNodeBackend } from '@edm/backend-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { toTorch } from '../../packages/models/src/layers/param-store';
import { loadFixture, maxAbs, maxAbsDiff, nhwc, raw, toNCHW, type Fixture } from '../../packages/models/test/fixtures';

// tfjs-core and @edm/core are imported before the backend: imported first, a backend's copy of tfjs-core can
// create the engine, whose tensors then lack the op handler (Tensor.clone throws in Cast's gradient).
beforeAll(async () => {
  await useNodeBackend({ backend: 'wasm', strict: true });
});

describe('EDM2 training step vs NVlabs/edm2 (edm2_small, wasm)', () => {
  let f: Fixture;
  beforeAll(() => {
    f = loadFixture('edm2_small');
  });

  it('training step: loss per pixel, every gradient (<= 1e-3 relative), forced weights (<= 1e-5)', async () => {
    const before = tf.memory().numTensors;
    const net: Network = await loadNetwork(f.bytes, { source: 'edm2_small.safetensors' });
    const images = nhwc(f, 'fixture.loss.images');
    const eps = nhwc(f, 'fixture.loss.eps');
    const rnd = tf.tensor(raw(f, 'fixture.loss.rnd_normal').values, [4, 1, 1, 1]);
    const labels = tf.tensor2d(raw(f, 'fixture.class_labels').values, [4, 10]);
    const n = images.shape[0];
    const loss = new EDM2Loss();
    const params = net.parameters();
    const vars = [...params.values()];
    let perPixel: Float32Array | null = null;
    const { value, grads } = leanVariableGrads(() => tf.tidy(() => {
      const l = loss.call(net, images, { labels, rnd, eps, training: true });
      perPixel = toNCHW(l);
      return tf.div(tf.sum(l), n) as tf.Scalar;
    }), vars);

    // The per-pixel loss, relative to the largest loss value (values cross zero: u(sigma) is negative).
    const ref = raw(f, 'fixture.loss.value').values;
    const lossErr = maxAbsDiff(perPixel!, ref) / maxAbs(ref);
    console.log(`edm2_small: loss max abs err / max |loss| = ${lossErr.toExponential(2)}`);
    expect(lossErr).toBeLessThanOrEqual(1e-3);

    // Every parameter's gradient, in the reference's layout.
    const specs = new Map(net.specs().map((s) => [s.name, s]));
    const gradKeys = [...f.tensors.keys()].filter((k) => k.startsWith('fixture.grad.'));
    expect(gradKeys.length).toBe(params.size);
    let worstGrad = 0;
    for (const k of gradKeys) {
      const pname = k.slice('fixture.grad.'.length);
      const v = params.get(pname);
      expect(v, pname).toBeDefined();
      const ours = toTorch(grads[v!.name]!, specs.get(pname)!.layout);
      const refG = raw(f, k).values;
      const err = maxAbsDiff(ours, refG) / maxAbs(refG);
      worstGrad = Math.max(worstGrad, err);
      expect(err, pname).toBeLessThanOrEqual(1e-3);
    }
    console.log(`edm2_small: ${gradKeys.length} gradients, worst max abs err / max |g| = ${worstGrad.toExponential(2)}`);

    // Forced weight normalisation: every MPConv weight as stored after the training forward pass.
    const forcedKeys = [...f.tensors.keys()].filter((k) => k.startsWith('fixture.train.forced.'));
    expect(forcedKeys.length).toBe([...specs.keys()].filter((s) => s.endsWith('.weight')).length);
    let worstForced = 0;
    for (const k of forcedKeys) {
      const pname = k.slice('fixture.train.forced.'.length);
      const ours = toTorch(params.get(pname)!, specs.get(pname)!.layout);
      const err = maxAbsDiff(ours, raw(f, k).values);
      worstForced = Math.max(worstForced, err);
      expect(err, pname).toBeLessThanOrEqual(1e-5);
    }
    console.log(`edm2_small: ${forcedKeys.length} forced-normalised weights, worst max abs err ${worstForced.toExponential(2)}`);

    tf.dispose([value, images, eps, rnd, labels]);
    tf.dispose(grads);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
