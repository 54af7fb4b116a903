// A small, fast, well-tested pseudo-random generator in plain JavaScript, so that seeded noise is the same on
// every backend and in every batch: xoshiro128** (Blackman & Vigna 2018) seeded through SplitMix32, uniform
// doubles with 53 random bits, and standard normals by the Box-Muller transform.

/** SplitMix32 step: a well-mixed 32-bit value from a counter; used to expand a seed into a state. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** One xoshiro128** stream: uniform and standard-normal draws from a 32-bit seed (and optional stream id). */
export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  /**
   * @param seed any integer in [0, 2^32) (other finite integers are reduced modulo 2^32).
   * @param stream selects an independent stream for the same seed (default 0).
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isInteger(seed)) throw new Error(`Xoshiro128: seed must be an integer, got ${seed}`);
    const st = { s: (seed >>> 0) ^ Math.imul(stream + 1, 0x632be5ab) };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** A generator at the raw state words (a, b, c, d), not all zero; for known-answer tests and snapshots. */
  static fromState(a: number, b: number, c: number, d: number): Xoshiro128 {
    if (((a | b | c | d) >>> 0) === 0) throw new Error('Xoshiro128.fromState: the state must not be all zero');
    const g = new Xoshiro128(0);
    g.a = a | 0;
    g.b = b | 0;
    g.c = c | 0;
    g.d = d | 0;
    return g;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal N(0, 1) (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Fills `out` with standard normals. */
  fillNormal(out: Float32Array): Float32Array {
    for (let k = 0; k < out.length; k++) out[k] = this.normal();
    return out;
  }

  /** Fills `out` with uniforms in [0, 1). */
  fillUniform(out: Float32Array): Float32Array {
    for (let k = 0; k < out.length; k++) out[k] = Math.min(this.uniform(), 0.99999994);
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
