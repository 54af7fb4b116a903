// Weight initialisation of the reference (training/networks.py `weight_init`), with a seeded generator so
// that createNetwork({..}, {seed}) is reproducible on every backend (plain JS, no tfjs random ops).
//   xavier_uniform:  sqrt(6 / (fan_in + fan_out)) * U(-1, 1)
//   xavier_normal:   sqrt(2 / (fan_in + fan_out)) * N(0, 1)
//   kaiming_uniform: sqrt(3 / fan_in) * U(-1, 1)
//   kaiming_normal:  sqrt(1 / fan_in) * N(0, 1)

/** The reference's `init_mode` values. */
export type InitMode = 'xavier_uniform' | 'xavier_normal' | 'kaiming_uniform' | 'kaiming_normal';

/** Per-layer init options of the reference (`init_mode`, `init_weight`, `init_bias`). */
export interface InitOptions {
  /** Distribution and fan scaling (`init_mode`). Default 'kaiming_normal'. */
  initMode?: InitMode;
  /** Multiplier of the weight draw (`init_weight`). Default 1. */
  initWeight?: number;
  /** Multiplier of the bias draw (`init_bias`). Default 0. */
  initBias?: number;
}

/** A small seeded generator of uniform and normal float draws (mulberry32 + Box-Muller). */
export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Draws `count` values of the reference's weight_init(mode, fan_in, fan_out), times `gain`. */
export function weightInit(
  rng: Rng, count: number, mode: InitMode, fanIn: number, fanOut: number, gain: number,
): Float32Array {
  const out = new Float32Array(count);
  if (gain === 0) return out;
  switch (mode) {
    case 'xavier_uniform': {
      const s = Math.sqrt(6 / (fanIn + fanOut)) * gain;
      for (let i = 0; i < count; i++) out[i] = s * (rng.uniform() * 2 - 1);
      break;
    }
    case 'xavier_normal': {
      const s = Math.sqrt(2 / (fanIn + fanOut)) * gain;
      for (let i = 0; i < count; i++) out[i] = s * rng.normal();
      break;
    }
    case 'kaiming_uniform': {
      const s = Math.sqrt(3 / fanIn) * gain;
      for (let i = 0; i < count; i++) out[i] = s * (rng.uniform() * 2 - 1);
      break;
    }
    case 'kaiming_normal': {
      const s = Math.sqrt(1 / fanIn) * gain;
      for (let i = 0; i < count; i++) out[i] = s * rng.normal();
      break;
    }
    default:
      throw new Error(`init_mode must be one of xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal, got '${String(mode)}'`);
  }
  return out;
}

/** The context modules are built in: where to declare tensors and how to draw initial values. */
export interface BuildContext {
  /** Declares tensors. */
  store: import('./param-store').ParamStore;
  /** Initialisation generator (draws happen lazily at materialize, in declaration order). */
  rng: Rng;
}
