// Named parameters and buffers of a network, declared first and allocated later.
// A module declares each tensor with the reference's state_dict key and PyTorch shape, plus how to turn the
// PyTorch layout into ours (conv OIHW -> HWIO, linear [out, in] -> [in, out]). Nothing is allocated until
// `materialize`, so a loader can validate a whole checkpoint against the declarations first and never
// leaves a partial network behind.
import * as tf from '@tensorflow/tfjs-core';

/**
 * How a PyTorch tensor maps to our tensor: 'oihw' (conv weight [out, in, kh, kw] -> HWIO [kh, kw, in, out]),
 * 'oi' (linear weight [out, in] -> [in, out]), 'same' (vectors and other tensors, unchanged).
 */
export type TorchLayout = 'oihw' | 'oi' | 'same';

/** One declared tensor. */
export interface ParamSpec {
  /** state_dict key, e.g. `model.enc.8x8_conv.weight`. */
  name: string;
  /** Shape in the PyTorch layout (as saved in checkpoints). */
  torchShape: number[];
  /** Layout conversion. */
  layout: TorchLayout;
  /** true: a trainable parameter; false: a buffer (resample_filter, Fourier freqs). */
  trainable: boolean;
  /** Initial values in the PyTorch layout (row-major), used by `materialize` when no source is given. */
  init: () => Float32Array;
}

/** Our shape for a PyTorch shape in the given layout. */
export function ourShape(torchShape: number[], layout: TorchLayout): number[] {
  if (layout === 'oihw') {
    const [o, i, h, w] = torchShape as [number, number, number, number];
    return [h, w, i, o];
  }
  if (layout === 'oi') {
    const [o, i] = torchShape as [number, number];
    return [i, o];
  }
  return [...torchShape];
}

const PERM: Record<Exclude<TorchLayout, 'same'>, number[]> = { oihw: [2, 3, 1, 0], oi: [1, 0] };
const INV_PERM: Record<Exclude<TorchLayout, 'same'>, number[]> = { oihw: [3, 2, 0, 1], oi: [1, 0] };

/** A tensor in our layout from row-major PyTorch-layout values. */
export function fromTorch(values: Float32Array, torchShape: number[], layout: TorchLayout): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.tensor(values, torchShape, 'float32');
    return layout === 'same' ? t : tf.transpose(t, PERM[layout]);
  });
}

/** Row-major PyTorch-layout values of a tensor in our layout. */
export function toTorch(t: tf.Tensor, layout: TorchLayout): Float32Array {
  if (layout === 'same') return new Float32Array(t.dataSync());
  const u = tf.transpose(t, INV_PERM[layout]);
  const values = new Float32Array(u.dataSync());
  u.dispose();
  return values;
}

/** Handle a module keeps for one declared tensor; `value` is valid after materialize. */
export class ParamRef {
  constructor(readonly store: ParamStore, readonly spec: ParamSpec) {}
  /** The tensor in our layout. */
  get value(): tf.Tensor {
    return this.store.get(this.spec.name);
  }
}

/** The declared tensors of one network, in declaration order (= the reference's state_dict order). */
export class ParamStore {
  private readonly specs = new Map<string, ParamSpec>();
  private readonly values = new Map<string, tf.Variable>();
  private disposed = false;

  /**
   * @param maxTensors most tensors that may be declared: a loader passes the number its file holds, so a config
   * declaring millions of blocks fails at once instead of spending minutes and gigabytes declaring them.
   */
  constructor(private readonly maxTensors = Infinity) {}

  /** Declares a tensor (names must be unique), appended, or placed first when `first`. */
  declare(spec: ParamSpec, first = false): ParamRef {
    if (this.specs.size >= this.maxTensors) {
      throw new Error(`the config declares more than ${this.maxTensors} tensors (more than the file holds)`);
    }
    if (this.specs.has(spec.name)) throw new Error(`ParamStore: duplicate parameter name '${spec.name}'`);
    if (this.values.size > 0) throw new Error(`ParamStore: cannot declare '${spec.name}' after materialize()`);
    if (first) {
      const rest = [...this.specs.values()];
      this.specs.clear();
      this.specs.set(spec.name, spec);
      for (const s of rest) this.specs.set(s.name, s);
    } else {
      this.specs.set(spec.name, spec);
    }
    return new ParamRef(this, spec);
  }

  /** Every declared tensor, in order. */
  list(): ParamSpec[] {
    return [...this.specs.values()];
  }

  /** The tensor (our layout) named `name`. */
  get(name: string): tf.Variable {
    const v = this.values.get(name);
    if (v === undefined) {
      if (this.disposed) throw new Error(`network disposed: tensor '${name}' is no longer available`);
      throw new Error(`tensor '${name}' was declared but not allocated (materialize() not called)`);
    }
    return v;
  }

  /**
   * Allocates every declared tensor: from `source(spec)` (PyTorch-layout values) when given, else from
   * the spec's init. On any error, disposes what it allocated and rethrows.
   */
  materialize(source?: (spec: ParamSpec) => Float32Array): void {
    if (this.values.size > 0) throw new Error('ParamStore: already materialized');
    try {
      for (const spec of this.specs.values()) {
        const values = source ? source(spec) : spec.init();
        const expected = spec.torchShape.reduce((a, b) => a * b, 1);
        if (values.length !== expected) {
          throw new Error(`tensor '${spec.name}': expected ${expected} values for shape [${spec.torchShape.join(', ')}], got ${values.length}`);
        }
        const t = fromTorch(values, spec.torchShape, spec.layout);
        // Unnamed: tfjs variable names are global to the engine, and two networks share our names.
        this.values.set(spec.name, tf.variable(t, spec.trainable));
        t.dispose();
      }
    } catch (e) {
      this.dispose();
      this.disposed = false;
      throw e;
    }
  }

  /** Trainable parameters by state_dict key. */
  parameters(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const spec of this.specs.values()) if (spec.trainable) out.set(spec.name, this.get(spec.name));
    return out;
  }

  /** Every tensor (parameters and buffers) by state_dict key. */
  tensors(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const spec of this.specs.values()) out.set(spec.name, this.get(spec.name));
    return out;
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    let n = 0;
    for (const spec of this.specs.values()) if (spec.trainable) n += spec.torchShape.reduce((a, b) => a * b, 1);
    return n;
  }

  /** Frees every allocated tensor. */
  dispose(): void {
    for (const v of this.values.values()) v.dispose();
    this.values.clear();
    this.disposed = true;
  }
}
