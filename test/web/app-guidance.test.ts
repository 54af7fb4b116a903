// The example app's autoguidance (examples/web/src) in Node on the cpu backend, with the NVlabs/edm2 fixture
// networks (edm2_small and its smaller guide, test/fixtures): the page's sampling with a guide equals
// @edm/core's edm sampler on autoguidance(main, guide) for the same seeded latents (weight 1 = the main net
// alone, bit for bit), the weight field is validated, the CLI line carries --guide/--guidance, and a guide of
// other images is refused naming both files.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { StackedRandomGenerator, autoguidance, edmSampler } from '@edm/core';
import { createNetwork, loadNetwork, type Network } from '@edm/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGuide } from '../../examples/web/src/checkpoint';
import { cliLine } from '../../examples/web/src/cli-line';
import { classLabels, generate } from '../../examples/web/src/generate';
import { parseSettings } from '../../examples/web/src/settings';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}.safetensors`, import.meta.url)));
let main: Network;
let guide: Network;

beforeAll(async () => {
  await tf.setBackend('cpu');
  main = await loadNetwork(fixture('edm2_small'));
  guide = await loadNetwork(fixture('edm2_small_guide'));
});
afterAll(() => {
  main.dispose();
  guide.dispose();
});

/** A request of the page: seeds 3-4, class 7, 2 edm steps, guidance weight w when given. */
const request = (guidance?: string) => parseSettings({
  seed: '3', batch: '2', classIndex: '7', sampler: 'edm', options: { numSteps: '2' }, ...(guidance !== undefined && { guidance }),
}, 10);

describe('examples/web autoguidance', () => {
  it('samples autoguidance(main, guide, w) for the seeded latents; w = 1 is the main net alone', async () => {
    const before = tf.memory().numTensors;
    const plain = await generate(main, request());
    const w1 = await generate(main, request('1'), { guide });
    expect(Array.from(w1)).toEqual(Array.from(plain));
    const w2 = await generate(main, request('2.2'), { guide });
    // The same run through @edm/core directly.
    const rnd = new StackedRandomGenerator([3, 4]);
    const latents = rnd.randn([2, 16, 16, 3]) as tf.Tensor4D;
    const labels = classLabels(main, [3, 4], 7);
    const want = await edmSampler(autoguidance(main, guide, { weight: 2.2 }), latents, { numSteps: 2, classLabels: labels, randnLike: rnd.randnLike });
    expect(Array.from(w2)).toEqual(Array.from(want.dataSync()));
    expect(Array.from(w2)).not.toEqual(Array.from(plain));
    tf.dispose([latents, labels!, want]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validates the weight; the CLI line names the guide', () => {
    expect(() => request('-1')).toThrow("Guidance weight w: expected a number >= 0 and <= 100, got '-1'");
    expect(() => request('two')).toThrow("Guidance weight w: expected a number >= 0 and <= 100, got 'two'");
    expect(request().guidance).toBeUndefined();
    expect(cliLine(request('2.2'), 'edm2_small.safetensors', 'edm2_small_guide.safetensors')).toBe(
      'edm generate --net edm2_small.safetensors --seeds 3-4 --class 7 --steps 2 --guide edm2_small_guide.safetensors --guidance 2.2 --grid grid.png');
    expect(cliLine(request('2.2'), 'edm2_small.safetensors')).not.toContain('--guide');
  });

  it('refuses a guide of other images, naming both files', () => {
    const other = createNetwork({ class_name: 'training.networks_edm2.Precond', kwargs: {
      img_resolution: 8, img_channels: 3, label_dim: 10, model_channels: 4, channel_mult: [1, 2], num_blocks: 1, attn_resolutions: [],
    } });
    expect(() => checkGuide(main, 'edm2_small.safetensors', other, 'small8.safetensors')).toThrow(
      'small8.safetensors makes 8x8x3 images, 10 classes, but edm2_small.safetensors makes 16x16x3 images, 10 classes: ' +
      'an autoguidance guide must make the same images (resolution, channels, classes)');
    expect(() => checkGuide(main, 'a', guide, 'b')).not.toThrow();
    other.dispose();
  });
});
