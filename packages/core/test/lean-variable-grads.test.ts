// leanVariableGrads: the same value and gradients as tf.variableGrads bit for bit (convolution, GroupNorm,
// broadcasting, a multi-output op with an unused output, a variable used twice, a custom gradient that hands
// back its dy for two inputs), a lower peak, no leaks, the tensors kernels and custom gradients save kept without
// tfjs's Identity clones, and clear errors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupNorm, leanVariableGrads } from '@edm/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Sum of two tensors whose custom gradient returns the same dy object for both inputs. */
const passThroughAdd = tf.customGrad(((a: tf.Tensor, b: tf.Tensor) => ({
  value: tf.add(a, b),
  gradFunc: (dy: tf.Tensor) => [dy, dy],
})) as unknown as Parameters<typeof tf.customGrad>[0]);

function makeVars() {
  return {
    filter: tf.variable(tf.randomNormal([3, 3, 3, 8], 0, 0.3, 'float32', 1), true, 'lean/filter'),
    bias: tf.variable(tf.randomNormal([8], 0, 0.1, 'float32', 2), true, 'lean/bias'),
    gamma: tf.variable(tf.randomNormal([8], 1, 0.1, 'float32', 3), true, 'lean/gamma'),
    beta: tf.variable(tf.randomNormal([8], 0, 0.1, 'float32', 4), true, 'lean/beta'),
    proj: tf.variable(tf.randomNormal([4, 8], 0, 0.3, 'float32', 5), true, 'lean/proj'),
    frozen: tf.variable(tf.randomNormal([8], 0, 1, 'float32', 6), false, 'lean/frozen'),
  };
}

/** A small network: conv + bias, GroupNorm, SiLU, split (one half unused), matMul, a custom gradient. */
function network(v: ReturnType<typeof makeVars>, x: tf.Tensor4D): tf.Scalar {
  const h = tf.add(tf.conv2d(x, v.filter as tf.Tensor4D, 1, 'same'), v.bias) as tf.Tensor4D;
  const n = groupNorm(h, v.gamma as tf.Tensor1D, v.beta as tf.Tensor1D, 2, 1e-5);
  const s = tf.mul(n, tf.sigmoid(n));
  const [left] = tf.split(s, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
  const flat = tf.reshape(left, [-1, 4]);
  const p = tf.matMul(flat, v.proj); // proj used twice: here and below
  const q = passThroughAdd(p, tf.mul(p, v.frozen)) as tf.Tensor;
  return tf.mean(tf.square(tf.add(q, tf.sum(v.proj)))) as tf.Scalar;
}

describe('leanVariableGrads', () => {
  it('gives tf.variableGrads\'s value and gradients bit for bit, and leaks nothing', async () => {
    const v = makeVars();
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const list = Object.values(v);
    const ref = tf.variableGrads(() => network(v, x), list);
    const before = tf.memory().numTensors;
    const got = leanVariableGrads(() => network(v, x), list);
    expect(got.value.dataSync()).toEqual(ref.value.dataSync());
    expect(Object.keys(got.grads).sort()).toEqual(Object.keys(ref.grads).sort());
    expect(got.grads['lean/frozen']).toBeNull();
    for (const name of Object.keys(ref.grads)) {
      if (ref.grads[name] === null) continue;
      expect(Array.from(got.grads[name]!.dataSync()), name).toEqual(Array.from(ref.grads[name]!.dataSync()));
    }
    // value + one gradient per trainable variable, nothing else
    expect(tf.memory().numTensors - before).toBe(1 + list.length - 1);
    tf.dispose([got.value, ref.value, ...Object.values(got.grads), ...Object.values(ref.grads)].filter((t) => t) as tf.Tensor[]);
    tf.dispose([x, ...list]);
  });

  it('releases gradients and saved tensors as it goes: the last link back sees a few buffers, not the chain', () => {
    const n = 4096;
    const links = 16;
    const w = tf.variable(tf.randomNormal([n], 0, 1, 'float32', 8), true, 'lean/chain');
    // An identity whose gradient counts the live data buffers: it is the chain's first op, so its gradient
    // runs last. (tf.memory().numBytes counts a saved clone twice; buffers are what memory holds.)
    let buffersAtEnd = 0;
    const probe = tf.customGrad(((x: tf.Tensor) => ({
      value: tf.clone(x),
      gradFunc: (dy: tf.Tensor) => { buffersAtEnd = tf.memory().numDataBuffers; return dy; },
    })) as unknown as Parameters<typeof tf.customGrad>[0]);
    const chain = () => {
      let h = probe(w) as tf.Tensor;
      for (let i = 0; i < links; i++) h = tf.sigmoid(h); // Sigmoid saves its output
      return tf.sum(h) as tf.Scalar;
    };
    const run = (grads: typeof leanVariableGrads) => {
      const before = tf.memory().numDataBuffers;
      const out = grads(chain, [w]);
      const live = buffersAtEnd - before;
      const result = Array.from(out.grads['lean/chain']!.dataSync());
      tf.dispose([out.value, out.grads['lean/chain']!]);
      return { live, result };
    };
    const ours = run(leanVariableGrads);
    const theirs = run(tf.variableGrads as typeof leanVariableGrads);
    expect(ours.result).toEqual(theirs.result);
    // tfjs still holds every link's saved output and gradient: 2 x 16 buffers and more.
    expect(theirs.live).toBeGreaterThanOrEqual(2 * links);
    // Here: the value, dy of the first link, a scalar or two; nothing per link.
    expect(ours.live).toBeLessThanOrEqual(4);
    w.dispose();
  });

  it('names the problem: non-scalar f, unconnected or untrainable variables, a non-variable list', () => {
    const a = tf.variable(tf.ones([3]), true, 'lean/a');
    const b = tf.variable(tf.ones([3]), true, 'lean/b');
    const frozen = tf.variable(tf.ones([3]), false, 'lean/frozen2');
    const before = tf.memory().numTensors;
    expect(() => leanVariableGrads(() => tf.mul(a, 2) as unknown as tf.Scalar, [a])).toThrow(/scalar tensor, got rank 1/);
    expect(() => leanVariableGrads(() => tf.sum(a) as tf.Scalar, [b])).toThrow(/no variable in varList reaches/);
    expect(() => leanVariableGrads(() => tf.sum(frozen) as tf.Scalar, [frozen])).toThrow(/none of the 1 variables is trainable/);
    const notVariable = tf.ones([3]);
    expect(() => leanVariableGrads(() => tf.sum(a) as tf.Scalar, [notVariable as unknown as tf.Variable])).toThrow(/array of tf.Variable/);
    notVariable.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // and the engine is left usable: tfjs's own gradients still work
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(a)) as tf.Scalar, [a]);
    expect(Array.from(grads['lean/a']!.dataSync())).toEqual([2, 2, 2]);
    tf.dispose([value, grads['lean/a']!, a, b, frozen]);
  });

  it('keeps the tensors kernels and custom gradients save as new handles on their data: no Identity kernel, the engine left as it was', () => {
    const v = makeVars();
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const engine = tf.engine() as unknown as Record<string, unknown>;
    const kernels: string[] = [];
    const identity = tf.getKernel('Identity', 'cpu')!;
    const run = identity.kernelFunc;
    (identity as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
      kernels.push('Identity');
      return run(args);
    };
    try {
      // Registered kernels save through the engine, and so does a custom gradient's forward (`save`); its gradient
      // here hands back distinct tensors (a dy handed back for two inputs is cloned by the backward pass).
      const scaled = tf.customGrad(((a: tf.Tensor, s: tf.Tensor, save: tf.GradSaveFunc) => {
        save([a, s]);
        return {
          value: tf.mul(a, s),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[1]!), tf.sum(tf.mul(dy, saved[0]!))],
        };
      }) as unknown as Parameters<typeof tf.customGrad>[0]);
      const f = () => {
        const h = tf.add(tf.conv2d(x, v.filter as tf.Tensor4D, 1, 'same'), v.bias) as tf.Tensor4D;
        const n = groupNorm(scaled(h, tf.sum(v.beta)) as tf.Tensor4D, v.gamma as tf.Tensor1D, v.beta as tf.Tensor1D, 2, 1e-5);
        return tf.mean(tf.square(tf.matMul(tf.reshape(tf.mul(n, tf.sigmoid(n)), [-1, 8]), v.proj, false, true))) as tf.Scalar;
      };
      const before = tf.memory().numTensors;
      const { value, grads } = leanVariableGrads(f, [v.filter, v.bias, v.gamma, v.beta, v.proj]);
      // Conv2D, GroupNorm, Sigmoid, Multiply, MatMul, Square... save inputs or outputs, the custom gradient its two
      // inputs: tfjs cloned each through Identity.
      expect(kernels).toEqual([]);
      expect(Object.prototype.hasOwnProperty.call(engine, 'clone')).toBe(false);
      // tf.variableGrads still clones (the hook is only ours, only during our forward pass), to the same gradients.
      const plain = tf.variableGrads(f, [v.filter, v.bias, v.gamma, v.beta, v.proj]);
      expect(kernels.length).toBeGreaterThan(0);
      for (const name of Object.keys(plain.grads)) {
        expect(Array.from(grads[name]!.dataSync()), name).toEqual(Array.from(plain.grads[name]!.dataSync()));
      }
      tf.dispose([value, ...Object.values(grads), plain.value, ...Object.values(plain.grads)]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      (identity as { kernelFunc: tf.KernelFunc }).kernelFunc = run;
      tf.dispose([x, ...Object.values(v)]);
    }
  });

  it('inside another gradient (higher order) it is tf.variableGrads', () => {
    const a = tf.variable(tf.tensor1d([1, 2, 3]), true, 'lean/h');
    // d/dx of (d/da sum(a^2 x)) = d/dx (2 a x) summed = 2 sum(a)
    const outer = tf.grad((x: tf.Tensor) => {
      const { value, grads } = leanVariableGrads(() => tf.sum(tf.mul(tf.square(a), x)) as tf.Scalar, [a]);
      value.dispose();
      return tf.sum(grads['lean/h']!);
    });
    const g = outer(tf.scalar(1.5));
    expect(g.dataSync()[0]).toBeCloseTo(12, 5);
    tf.dispose([g, a]);
  });
});
