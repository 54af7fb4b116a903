// The example app's pure parts: settings validation (errors name the field, expected vs got), the option
// fields generated from the sampler table, the CLI command it shows, and the pixels it draws (the reference's
// byte mapping and `edm generate`'s grid layout).
import { describe, expect, it } from 'vitest';
import { cliLine } from '../../examples/web/src/cli-line';
import { optionFields } from '../../examples/web/src/options-form';
import { floatToBytes, gridColumns, gridPixels } from '../../examples/web/src/render';
import { SAMPLERS, samplerByName } from '../../examples/web/src/samplers';
import { parseSettings, seedsOf, type RawSettings } from '../../examples/web/src/settings';

const raw = (o: Partial<RawSettings> = {}, options: Record<string, string> = {}): RawSettings => ({
  seed: '3', batch: '4', classIndex: 'auto', sampler: 'edm',
  options: { numSteps: '18', sChurn: '0', sMin: '0', sMax: 'inf', sNoise: '1', ...options }, ...o,
});

describe('settings', () => {
  it('parses the defaults, inf and a fixed class', () => {
    const s = parseSettings(raw({ classIndex: '9' }), 10);
    expect(s).toEqual({
      seed: 3, batch: 4, classIndex: 9, sampler: 'edm',
      settings: { numSteps: 18, sChurn: 0, sMin: 0, sMax: Infinity, sNoise: 1 },
    });
    expect(seedsOf(s)).toEqual([3, 4, 5, 6]);
    expect(parseSettings(raw(), 10).classIndex).toBeNull();
  });

  it('rejects bad values, naming the field, what was expected and what was got', () => {
    expect(() => parseSettings(raw({ seed: '-1' }), 10)).toThrow("Seed: expected an integer >= 0 and <= 4294967232, got '-1'");
    expect(() => parseSettings(raw({ batch: '65' }), 10)).toThrow("Batch size: expected an integer >= 1 and <= 64, got '65'");
    expect(() => parseSettings(raw({}, { numSteps: '2.5' }), 10)).toThrow("num_steps: expected an integer >= 1 and <= 1000, got '2.5'");
    expect(() => parseSettings(raw({ classIndex: '10' }), 10)).toThrow("Class: expected an integer >= 0 and <= 9, got '10'");
    expect(() => parseSettings(raw({}, { sChurn: 'abc' }), 10)).toThrow("S_churn: expected a number >= 0 and <= 1000, got 'abc'");
    expect(() => parseSettings(raw({}, { sMin: '5', sMax: '1' }), 10)).toThrow('options S_min <= S_max required, got S_min=5 > S_max=1 (the edm sampler)');
    expect(() => parseSettings(raw({}, { sNoise: '' }), 10)).toThrow("S_noise: expected a value (default 1), got ''");
    expect(() => parseSettings(raw({ sampler: 'nope' }), 10)).toThrow(/Sampler: expected one of edm, ablation, euler, .*, got 'nope'/);
  });

  it('a field per setting of the chosen sampler, from the sampler table (the sTmin/sMin mix-up cannot come back)', () => {
    for (const s of SAMPLERS) expect(optionFields(s.name).map((f) => f.key)).toEqual(Object.keys(s.options));
    const euler = optionFields('euler');
    expect(euler.map((f) => f.id)).toEqual(['steps', 'sigmaMin', 'sigmaMax', 'rho', 'sChurn', 'sMin', 'sMax', 'sNoise']);
    expect(euler.find((f) => f.key === 'sMax')!.initial).toBe('inf');
    expect(optionFields('ablation').find((f) => f.key === 'sigmaMin')).toMatchObject({ initial: '', placeholder: expect.stringMatching(/by discretization/) });
    // Only the chosen sampler's fields are read: the euler sampler gets its churn settings as sMin/sMax.
    const s = parseSettings(raw({ sampler: 'euler' }, { sMin: '0.5', sMax: '20' }), 10);
    expect(s.settings).toMatchObject({ sMin: 0.5, sMax: 20 });
    expect(() => samplerByName('heun')).not.toThrow();
  });

  it('shows the edm generate command for the same images', () => {
    const s = parseSettings(raw({ classIndex: '2' }, { sChurn: '40', sMin: '0.05', sMax: '50', sNoise: '1.003' }), 10);
    expect(cliLine(s, 'm.safetensors')).toBe('edm generate --net m.safetensors --seeds 3-6 --class 2 ' +
      '--steps 18 --s-churn 40 --s-min 0.05 --s-max 50 --s-noise 1.003 --grid grid.png');
    expect(cliLine(parseSettings(raw({ batch: '1', sampler: 'ablation' }, { solver: 'euler', discretization: 'vp' }), 10), 'm.safetensors'))
      .toBe('edm generate --net m.safetensors --seeds 3 --sampler ablation --steps 18 --solver euler --disc vp --grid grid.png');
    expect(cliLine(parseSettings(raw({ sampler: 'lms' }, { order: '3' }), 10), 'm'))
      .toBe('edm generate --net m --seeds 3-6 --sampler lms --steps 18 --order 3 --grid grid.png');
  });
});

describe('render', () => {
  it('maps floats to bytes as the reference: clip(floor(x * 127.5 + 128), 0, 255)', () => {
    expect(Array.from(floatToBytes([-2, -1, -0.5, 0, 0.5, 0.999, 1, 3, Number.NaN]))).toEqual([0, 0, 64, 128, 191, 255, 255, 255, 0]);
  });

  it('tiles a batch like edm generate --grid: ceil(sqrt(N)) columns, row by row, black empty cells', () => {
    expect([1, 2, 4, 5, 10].map(gridColumns)).toEqual([1, 2, 2, 3, 4]);
    // Three 2x2 gray images with values k/10 (image k): grid 2 columns x 2 rows = 4x4 pixels.
    const data = Float32Array.from({ length: 3 * 4 }, (_, i) => Math.floor(i / 4) / 10 + (i % 4) / 100);
    const { width, height, rgba } = gridPixels(data, { n: 3, size: 2, channels: 1 });
    expect([width, height]).toEqual([4, 4]);
    const r = (x: number, y: number) => rgba[(y * width + x) * 4]!;
    const byte = (v: number) => Math.floor(v * 127.5 + 128);
    expect([r(0, 0), r(1, 0), r(0, 1), r(1, 1)]).toEqual([0, 0.01, 0.02, 0.03].map(byte)); // image 0 top left
    expect([r(2, 0), r(3, 1)]).toEqual([0.1, 0.13].map(byte)); // image 1 top right
    expect([r(0, 2), r(1, 3)]).toEqual([0.2, 0.23].map(byte)); // image 2 bottom left
    expect([r(2, 2), r(3, 3)]).toEqual([0, 0]); // no image 3: black
    expect(rgba.filter((_, k) => k % 4 === 3).every((a) => a === 255)).toBe(true);
    expect(rgba[(1 * width + 1) * 4 + 1]).toBe(r(1, 1)); // gray: G = B = R
  });

  it('keeps RGB channels and rejects a wrong length or channel count', () => {
    const { rgba } = gridPixels([1, -1, 0], { n: 1, size: 1, channels: 3 });
    expect(Array.from(rgba)).toEqual([255, 0, 128, 255]);
    expect(() => gridPixels([0, 0], { n: 1, size: 1, channels: 3 })).toThrow('render: expected 3 values for [1, 1, 1, 3], got 2');
    expect(() => gridPixels([0, 0], { n: 1, size: 1, channels: 2 })).toThrow('render: images must have 1 or 3 channels, got 2');
  });
});
