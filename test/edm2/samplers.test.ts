// EDM2's sampler (generate_images.py edm_sampler, 8 steps, float32 state) on the edm2_small fixture network: the
// deterministic Heun sampler, the stochastic one with the reference's recorded churn draws (EDM2 draws only where
// the churn applies: our edm sampler's churnDraws 'churn-steps'), and autoguidance with the smaller guide
// network (D = guide + 2.2 (main - guide)); each within 1e-3 of max(1, max |reference|). On the wasm engine.
import * as tf from '@tensorflow/tfjs-core';
import { autoguidance, edmSampler, replayNoise } from '@edm/core';
import { createNetwork, loadNetwork, type Network } from '@edm/models';
import { useNodeBackend } from '@edm/backend-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, maxAbs, maxAbsDiff, nhwc, raw, toNCHW, type Fixture } from '../../packages/models/test/fixtures';

// tfjs-core and @edm/core are imported before the backend (see training.test.ts).
/** The guide fixture's kwargs (a small EDM2 net). */
const GUIDE_KWARGS = {
  img_resolution: 16, img_channels: 3, label_dim: 10, model_channels: 8, channel_mult: [1, 2], num_blocks: 1,
  attn_resolutions: [], channels_per_head: 8, logvar_channels: 8,
};
let f: Fixture;
let net: Network;
let guide: Network;
let labels: tf.Tensor2D;
let latents: tf.Tensor4D;
let startTensors = 0;

beforeAll(async () => {
  await useNodeBackend({ backend: 'wasm', strict: true });
  startTensors = tf.memory().numTensors;
  f = loadFixture('edm2_small');
  net = await loadNetwork(f.bytes, { source: 'edm2_small.safetensors' });
  guide = await loadNetwork(loadFixture('edm2_small_guide').bytes, { source: 'edm2_small_guide.safetensors' });
  labels = tf.tensor2d(raw(f, 'fixture.class_labels').values, [4, 10]);
  latents = nhwc(f, 'fixture.latents');
});
afterAll(() => {
  tf.dispose([labels, latents]);
  net.dispose();
  guide.dispose();
  expect(tf.memory().numTensors).toBe(startTensors);
});

/** max |ours - ref| / max(1, max |ref|), printed. */
function check(name: string, out: tf.Tensor4D, key: string): void {
  const ref = raw(f, key).values;
  const scale = Math.max(1, maxAbs(ref));
  const err = maxAbsDiff(toNCHW(out), ref) / scale;
  console.log(`edm2_small ${name}: max abs err / ${scale.toFixed(2)} = ${err.toExponential(2)}`);
  expect(err).toBeLessThanOrEqual(1e-3);
  out.dispose();
}

describe('EDM2 sampler vs NVlabs/edm2 (edm2_small, wasm)', () => {
  it('deterministic Heun, 8 steps', async () => {
    check('heun', await edmSampler(net, latents, { numSteps: 8, classLabels: labels }), 'fixture.sample.heun');
  });

  it('stochastic Heun, 8 steps, S_churn 20: draws only on the 5 churn steps', async () => {
    const noise = tf.tidy(() => {
      const { values, shape } = raw(f, 'fixture.sample.heun_churn.noise');
      return tf.transpose(tf.tensor5d(values, shape as [number, number, number, number, number]), [0, 1, 3, 4, 2]);
    });
    const randnLike = replayNoise(noise as tf.Tensor5D);
    const out = await edmSampler(net, latents, {
      numSteps: 8, sChurn: 20, sMin: 0.05, sMax: 50, sNoise: 1.003, churnDraws: 'churn-steps', randnLike, classLabels: labels,
    });
    expect(randnLike.calls).toBe(5);
    expect(randnLike.length).toBe(5);
    check('heun_churn', out, 'fixture.sample.heun_churn');
    noise.dispose();
  });

  it('autoguidance with the guide network, weight 2.2', async () => {
    const guided = autoguidance(net, guide, { weight: 2.2 });
    check('autoguidance', await edmSampler(guided, latents, { numSteps: 8, classLabels: labels }), 'fixture.sample.autoguidance');
  });

  it('a guide of another resolution, channel count or label count is refused, naming both', async () => {
    const cases = [
      [{ img_resolution: 8 }, /must agree on imgResolution, got main 16 vs guide 8/],
      [{ img_channels: 1 }, /must agree on imgChannels, got main 3 vs guide 1/],
      [{ label_dim: 5 }, /must agree on labelDim, got main 10 vs guide 5/],
    ] as const;
    for (const [kw, message] of cases) {
      const g = createNetwork({ class_name: 'training.networks_edm2.Precond', kwargs: { ...GUIDE_KWARGS, ...kw } });
      expect(() => autoguidance(net, g, { weight: 2 })).toThrow(message);
      g.dispose();
    }
  });
});

