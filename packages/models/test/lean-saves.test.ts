// The ops that keep less for the backward pass (tfjs keeps every tensor a gradient saves until the pass
// ends): conv2dBias, leanAdd, scaledSum, leanConcat, leanReshape, leanScale (src/layers/) and @edm/core's
// groupNormSilu and upsampleNearest2x as the networks use them. Each against the tfjs composition it replaces: value and gradients
// bit for bit (max |diff| = 0), broadcasting included; the bytes saved for the backward pass, computed from
// the shapes; no leaks. Then whole networks: a UNetBlock's saved bytes from its shapes, and SongUNet
// (DDPM++, NCSN++) and DhariwalUNet EDM-loss gradients bit-identical to the same networks on the plain ops
// (the lean ops are wrapped below so a test can switch them to the plain compositions they replace).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { EDMLoss } from '@edm/core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createNetwork, type Network, type NetworkConfig } from '../src/index';
import { conv2dBias } from '../src/layers/conv2d-bias';
import { Rng } from '../src/layers/init';
import { leanAdd } from '../src/layers/lean-add';
import { leanConcat } from '../src/layers/lean-concat';
import { leanReshape, leanScale } from '../src/layers/lean-reshape';
import { ParamStore } from '../src/layers/param-store';
import { scaledSum } from '../src/layers/scaled-sum';
import { UNetBlock } from '../src/layers/unet-block';
import { savedBytes } from '../../core/test/helpers/saved-bytes';
import { tensorMaxAbsDiff } from '../../core/test/helpers/tensor-diff';
import { randomize } from './randomize';

/** While `on`, every lean op runs the plain tfjs composition it replaces (the networks' old path). */
const PLAIN = vi.hoisted(() => ({ on: false }));

vi.mock('../src/layers/conv2d-bias', async (importOriginal) => {
  const m = await importOriginal<typeof import('../src/layers/conv2d-bias')>();
  const tfc = await import('@tensorflow/tfjs-core');
  return {
    conv2dBias: (x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, pad: number) =>
      PLAIN.on ? tfc.fused.conv2d({ x, filter, strides: 1, pad, bias }) : m.conv2dBias(x, filter, bias, pad),
  };
});
vi.mock('../src/layers/lean-add', async (importOriginal) => {
  const m = await importOriginal<typeof import('../src/layers/lean-add')>();
  const tfc = await import('@tensorflow/tfjs-core');
  return { leanAdd: (a: tf.Tensor, b: tf.Tensor) => (PLAIN.on ? tfc.add(a, b) : m.leanAdd(a, b)) };
});
vi.mock('../src/layers/scaled-sum', async (importOriginal) => {
  const m = await importOriginal<typeof import('../src/layers/scaled-sum')>();
  const tfc = await import('@tensorflow/tfjs-core');
  return { scaledSum: (a: tf.Tensor, b: tf.Tensor, s: number) => (PLAIN.on ? tfc.mul(tfc.add(a, b), s) : m.scaledSum(a, b, s)) };
});
vi.mock('../src/layers/lean-concat', async (importOriginal) => {
  const m = await importOriginal<typeof import('../src/layers/lean-concat')>();
  const tfc = await import('@tensorflow/tfjs-core');
  return { leanConcat: (ts: tf.Tensor[], axis: number) => (PLAIN.on ? tfc.concat(ts, axis) : m.leanConcat(ts, axis)) };
});
vi.mock('../src/layers/lean-reshape', async (importOriginal) => {
  const m = await importOriginal<typeof import('../src/layers/lean-reshape')>();
  const tfc = await import('@tensorflow/tfjs-core');
  return {
    leanReshape: (x: tf.Tensor, shape: number[]) => (PLAIN.on ? tfc.reshape(x, shape) : m.leanReshape(x, shape)),
    leanScale: (x: tf.Tensor, s: number) => (PLAIN.on ? tfc.mul(x, s) : m.leanScale(x, s)),
  };
});
vi.mock('@edm/core', async (importOriginal) => {
  const m = await importOriginal<typeof import('@edm/core')>();
  const tfc = await import('@tensorflow/tfjs-core');
  return {
    ...m,
    groupNormSilu: (x: tf.Tensor4D, w: tf.Tensor1D, b: tf.Tensor1D, g: number, eps: number) =>
      PLAIN.on ? m.silu(m.groupNorm(x, w, b, g, eps)) : m.groupNormSilu(x, w, b, g, eps),
    // The plain composition: two rank-4 tiles (tfjs's Tile gradient keeps the input).
    upsampleNearest2x: (x: tf.Tensor4D) => {
      if (!PLAIN.on) return m.upsampleNearest2x(x);
      const [n, h, w, c] = x.shape;
      const cols = tfc.reshape(tfc.tile(tfc.reshape(x, [n * h, w, 1, c]), [1, 1, 2, 1]), [n, h, 1, 2 * w * c]);
      return tfc.reshape(tfc.tile(cols, [1, 1, 2, 1]), [n, 2 * h, 2 * w, c]);
    },
  };
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs f with the lean ops switched to the plain compositions they replace. */
function plain<T>(f: () => T): T {
  PLAIN.on = true;
  try {
    return f();
  } finally {
    PLAIN.on = false;
  }
}

/** The value of f(...xs) and its gradients with respect to each of xs for the cotangent dy. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const { value, grads } = tf.valueAndGrads(f)(xs, dy);
  return [value, ...grads];
}

/** Asserts the lean and the plain op agree bit for bit in value and every gradient; no tensors leak. */
function expectSame(lean: (...xs: tf.Tensor[]) => tf.Tensor, ref: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], what: string): void {
  const before = tf.memory().numTensors;
  const outShape = tf.tidy(() => ref(...xs).shape);
  const dy = tf.randomNormal(outShape, 0, 1, 'float32', 9);
  const a = valueAndGrads(lean, xs, dy);
  const b = valueAndGrads(ref, xs, dy);
  a.forEach((t, i) => expect(tensorMaxAbsDiff(t, b[i]!), `${what}: ${i === 0 ? 'value' : `gradient ${i - 1}`}`).toBe(0));
  tf.dispose([...a, ...b, dy]);
  expect(tf.memory().numTensors, `${what}: tensors leaked`).toBe(before);
}

const randn = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const F32 = 4;

describe('lean ops = the tfjs compositions they replace', () => {
  it('conv2dBias = tf.fused.conv2d with a bias (3x3 pad 1, 3x3 pad 0, 1x1); keeps x and the filter only', () => {
    for (const [k, pad, cin, cout] of [[3, 1, 3, 4], [3, 0, 5, 2], [1, 0, 6, 7]] as const) {
      const x = randn([2, 5, 6, cin], 1);
      const w = randn([k, k, cin, cout], 2);
      const b = randn([cout], 3);
      const fused = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
        tf.fused.conv2d({ x: xs as tf.Tensor4D, filter: ws as tf.Tensor4D, strides: 1, pad, bias: bs });
      const lean = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => conv2dBias(xs as tf.Tensor4D, ws as tf.Tensor4D, bs as tf.Tensor1D, pad);
      expectSame(lean as never, fused as never, [x, w, b], `conv ${k}x${k} pad ${pad}`);
      const ySize = size(tf.tidy(() => fused(x, w, b).shape));
      expect(savedBytes(() => lean(x, w, b))).toBe((x.size + w.size) * F32);
      expect(savedBytes(() => fused(x, w, b))).toBe((x.size + w.size + ySize + b.size) * F32);
      tf.dispose([x, w, b]);
    }
  });

  it('conv2dBias computes only the gradients asked for: no input gradient where x does not need one', () => {
    const x = randn([2, 5, 6, 3], 1) as tf.Tensor4D;
    const w = tf.variable(randn([3, 3, 3, 4], 2)) as tf.Variable<tf.Rank.R4>;
    const b = tf.variable(randn([4], 3)) as tf.Variable<tf.Rank.R1>;
    const calls: string[] = [];
    const engine = tf.engine();
    const runKernel = engine.runKernel.bind(engine);
    const spy = vi.spyOn(engine, 'runKernel').mockImplementation(((name: string, ...rest: [never, never]) => {
      calls.push(name);
      return runKernel(name, ...rest);
    }) as never);
    try {
      // A training step's gradients: the variables only, through a layer whose input is data.
      const { grads } = tf.variableGrads(() => tf.sum(conv2dBias(x, w, b, 1)) as tf.Scalar, [w, b]);
      expect(calls).toContain('Conv2DBackpropFilter');
      expect(calls, 'the input gradient of data').not.toContain('Conv2DBackpropInput');
      tf.dispose(Object.values(grads));
      // Asked for x's gradient, it is there (and equal to the fused op's: the test above).
      calls.length = 0;
      const [dx] = tf.grads((xs: tf.Tensor) => tf.sum(conv2dBias(xs as tf.Tensor4D, w, b, 1)))([x]);
      expect(calls).toContain('Conv2DBackpropInput');
      expect(dx!.shape).toEqual(x.shape);
      dx!.dispose();
    } finally {
      spy.mockRestore();
      tf.dispose([x, w, b]);
    }
  });

  it('leanAdd = tf.add, broadcasting either way; keeps nothing', () => {
    const cases: [number[], number[]][] = [
      [[2, 4, 4, 3], [2, 1, 1, 3]], [[3], [2, 4, 4, 3]], [[2, 4, 1, 3], [1, 1, 5, 3]], [[2, 3], [2, 3]], [[], [2, 3]],
    ];
    for (const [sa, sb] of cases) {
      const a = randn(sa, 4);
      const b = randn(sb, 5);
      expectSame(leanAdd, tf.add, [a, b], `add ${JSON.stringify(sa)} + ${JSON.stringify(sb)}`);
      expect(savedBytes(() => leanAdd(a, b))).toBe(0);
      expect(savedBytes(() => tf.add(a, b))).toBe((a.size + b.size) * F32);
      tf.dispose([a, b]);
    }
  });

  it('scaledSum = tf.mul(tf.add(a, b), s), broadcasting either way; keeps nothing', () => {
    const cases: [number[], number[], number][] = [[[2, 4, 4, 3], [2, 4, 4, 3], Math.SQRT1_2], [[2, 1, 1, 3], [2, 4, 4, 3], 0.3], [[2, 4, 1, 3], [1, 1, 5, 3], 3]];
    for (const [sa, sb, s] of cases) {
      const a = randn(sa, 6);
      const b = randn(sb, 7);
      const ref = (x: tf.Tensor, y: tf.Tensor) => tf.mul(tf.add(x, y), s);
      expectSame((x, y) => scaledSum(x!, y!, s), ref as never, [a, b], `(a + b) s, ${JSON.stringify(sa)} + ${JSON.stringify(sb)}`);
      expect(savedBytes(() => scaledSum(a, b, s))).toBe(0);
      // tf.add saves a and b, tf.mul the sum and the scalar s.
      expect(savedBytes(() => ref(a, b))).toBe((a.size + b.size + size(tf.broadcast_util.assertAndGetBroadcastShape(sa, sb)) + 1) * F32);
      tf.dispose([a, b]);
    }
  });

  it('leanConcat = tf.concat (axis 3, -1, 0; three inputs); keeps nothing', () => {
    const a = randn([2, 3, 3, 4], 8);
    const b = randn([2, 3, 3, 2], 9);
    const c = randn([2, 3, 3, 5], 10);
    for (const axis of [3, -1]) {
      expectSame((...xs) => leanConcat(xs, axis), (...xs) => tf.concat(xs, axis), [a, b, c], `concat axis ${axis}`);
    }
    const d = randn([1, 3, 3, 4], 11);
    expectSame((...xs) => leanConcat(xs, 0), (...xs) => tf.concat(xs, 0), [a, d], 'concat axis 0');
    expect(savedBytes(() => leanConcat([a, b, c], 3))).toBe(0);
    expect(savedBytes(() => tf.concat([a, b, c], 3))).toBe((a.size + b.size + c.size) * F32);
    expect(() => leanConcat([], 0)).toThrow(/leanConcat: expected at least one tensor, got none/);
    tf.dispose([a, b, c, d]);
  });

  it('leanReshape = tf.reshape and leanScale = tf.mul by a number; both keep nothing', () => {
    const x = randn([2, 6, 4], 12);
    expectSame((t) => leanReshape(t!, [2, 3, 2, 4]), (t) => tf.reshape(t!, [2, 3, 2, 4]), [x], 'reshape');
    expectSame((t) => leanScale(t!, 1 / Math.sqrt(8)), (t) => tf.mul(t!, 1 / Math.sqrt(8)), [x], 'scale');
    expect(savedBytes(() => tf.exp(leanReshape(x, [12, 4])))).toBe(x.size * F32); // Exp saves its output
    expect(savedBytes(() => tf.exp(tf.reshape(x, [12, 4])))).toBe(2 * x.size * F32);
    expect(savedBytes(() => leanScale(x, 0.5))).toBe(0);
    expect(savedBytes(() => tf.mul(x, 0.5))).toBe((x.size + 1) * F32);
    x.dispose();
  });

});

describe('U-Net block and networks', () => {
  it('a UNetBlock (DDPM++ settings) keeps 4 activations instead of 9, from its shapes; same values and gradients', () => {
    const [n, hw, c, e] = [2, 4, 16, 8];
    const g = 4; // GroupNorm groups: min(32, 16 / 4)
    const store = new ParamStore();
    const block = new UNetBlock({ store, rng: new Rng(3) }, 'b', c, c, {
      embChannels: e, skipScale: Math.SQRT1_2, adaptiveScale: false, eps: 1e-6, init: {}, initZero: {},
    });
    store.materialize();
    const vars = [...store.parameters().values()];
    const x = randn([n, hw, hw, c], 13) as tf.Tensor4D;
    const emb = randn([n, e], 14) as tf.Tensor2D;
    const act = n * hw * hw * c;
    // Both: emb (affine's matMul), the matMul output (affine's bias add), the affine output (its reshape).
    const small = n * e + 2 * n * c;
    // Lean: x (norm0), conv0's input silu(norm0(x)), norm1's input conv0(..) + emb, conv1's input.
    expect(savedBytes(() => block.apply(x, emb), vars)).toBe((4 * act + small) * F32);
    // Plain, besides: norm0 and norm1 outputs (SiLU) and their mean and invStd [N, G], conv0 and conv1 outputs
    // (fused conv2d and tf.add), the residual sum (tf.mul) and the skip scale scalar.
    expect(plain(() => savedBytes(() => block.apply(x, emb), vars))).toBe((9 * act + 4 * n * g + 1 + small) * F32);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(block.apply(x, emb))) as tf.Scalar, vars);
    const ref = plain(() => tf.variableGrads(() => tf.sum(tf.square(block.apply(x, emb))) as tf.Scalar, vars));
    expect(tensorMaxAbsDiff(value, ref.value)).toBe(0);
    for (const v of vars) expect(tensorMaxAbsDiff(grads[v.name]!, ref.grads[v.name]!), v.name).toBe(0);
    tf.dispose([value, ref.value, grads, ref.grads, x, emb]);
    store.dispose();
  });

  const song = (extra: Record<string, unknown>): NetworkConfig => ({
    class_name: 'EDMPrecond',
    kwargs: { img_resolution: 8, img_channels: 3, model_type: 'SongUNet', model_channels: 16, channel_mult: [1, 2], num_blocks: 1, attn_resolutions: [4], ...extra },
  });
  const NETS: [string, NetworkConfig][] = [
    ['SongUNet DDPM++', song({})],
    ['SongUNet NCSN++ (residual encoder, skip decoder, [1,3,3,1])', song({
      embedding_type: 'fourier', channel_mult_noise: 2, encoder_type: 'residual', decoder_type: 'skip', resample_filter: [1, 3, 3, 1],
    })],
    ['DhariwalUNet', { class_name: 'EDMPrecond', kwargs: { img_resolution: 8, img_channels: 3, model_type: 'DhariwalUNet', model_channels: 32, channel_mult: [1, 2], num_blocks: 1, attn_resolutions: [4] } }],
  ];

  for (const [name, config] of NETS) {
    it(`${name}: an EDM-loss training step's gradients are bit-identical to the plain ops, with fewer bytes saved`, () => {
      const net: Network = createNetwork(config, { seed: 1 });
      randomize(net, 5);
      const vars = [...net.parameters().values()].filter((v) => v.trainable);
      const images = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 15) as tf.Tensor4D;
      const rnd = randn([2, 1, 1, 1], 16);
      const eps = randn([2, 8, 8, 3], 17) as tf.Tensor4D;
      const loss = new EDMLoss();
      const f = () => tf.sum(loss.call(net, images, { rnd, eps, training: false })) as tf.Scalar;
      const before = tf.memory().numTensors;
      const lean = tf.variableGrads(f, vars);
      const ref = plain(() => tf.variableGrads(f, vars));
      expect(tensorMaxAbsDiff(lean.value, ref.value)).toBe(0);
      for (const v of vars) expect(tensorMaxAbsDiff(lean.grads[v.name]!, ref.grads[v.name]!), v.name).toBe(0);
      tf.dispose([lean.value, ref.value, lean.grads, ref.grads]);
      expect(tf.memory().numTensors).toBe(before);
      const leanBytes = savedBytes(f, vars);
      const plainBytes = plain(() => savedBytes(f, vars));
      console.log(`${name}: saved for backward ${(plainBytes / 1024).toFixed(1)} KiB -> ${(leanBytes / 1024).toFixed(1)} KiB`);
      expect(leanBytes).toBeLessThan(0.7 * plainBytes);
      tf.dispose([images, rnd, eps]);
      net.dispose();
    });
  }
});
