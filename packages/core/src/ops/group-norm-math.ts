// Group normalisation as plain loops over NHWC float32 data (reference `GroupNorm`, biased variance): the
// arithmetic behind the fused EdmGroupNorm kernels of the cpu (ops/group-norm-cpu.ts) and wasm
// (@edm/backend-wasm) backends. Each pass walks the data once, channels innermost (contiguous in NHWC),
// accumulating per-channel sums in float64; group statistics come from those sums, and the output pass is
// one multiply-add per element with per-channel coefficients.
//   forward:  x_hat = (x - mu_g) * inv_g,  inv_g = 1 / sqrt(var_g + eps),  y = x_hat w + b = x a_c + s_c
//   backward: g = dy w,  dx = inv_g (g - mean_g(g) - x_hat mean_g(g x_hat)) = dy A_c + x B_c + C_c,
//             dw = sum_{n,hw} dy x_hat,  db = sum_{n,hw} dy
// GroupNorm then SiLU (silu(t) = t sigmoid(t)) as one kernel pair: the forward's output pass applies SiLU; the
// backward recomputes t = x a_c + s_c from x (the forward's statistics, no saved activation), turns dy into
//   dt = dy (s (1 + t (1 - s))),  s = sigmoid(t)
// in the pass that also sums dt and dt x per channel, and ends as the GroupNorm backward of dt. Each value is
// rounded to float32 where tfjs's two-op path (GroupNorm kernel, then its Sigmoid, Sub, Multiply, Add kernels)
// rounds it, so on the cpu backend the results are that path's bit for bit.

/** Sizes of a grouped NHWC tensor: N images, P = H*W pixels, C channels in G groups. */
export interface GroupNormDims {
  n: number;
  p: number;
  c: number;
  g: number;
}

/** The sizes of an NHWC tensor of shape `xShape` normalised over `numGroups` groups. */
export function groupNormDims(xShape: readonly number[], numGroups: number): GroupNormDims {
  const [n, h, w, c] = xShape as [number, number, number, number];
  return { n, p: h * w, c, g: numGroups };
}

/**
 * The passes over the data, where all the time goes; the group arithmetic between them is O(N C). Each pass
 * takes all N images (image i's per-channel arrays at [i C, (i + 1) C) of the [N, C] sums and coefficients), so a
 * backend may split the images over threads. Backends may supply their own (wasm SIMD in @edm/backend-wasm)
 * computing exactly the same values, except the two SiLU passes, whose t and sigmoid a backend may compute in its
 * own float32 arithmetic (a few ulp from these loops) and which may overwrite k1 and k0 (spent after them).
 */
export interface GroupNormPasses {
  /** Per image and channel, over the P pixels: s1[i, j] = sum a[i, :, j], s2[i, j] = sum a[i, :, j] b[i, :, j] (float64). */
  channelSums(a: Float32Array, b: Float32Array, n: number, p: number, c: number, s1: Float64Array, s2: Float64Array): void;
  /** out = (a k1[i, c] + b k2[i, c]) + k0[i, c], or a k1[i, c] + k0[i, c] when b is null (image i's coefficients). */
  affine(out: Float32Array, a: Float32Array, b: Float32Array | null, n: number, p: number, c: number,
    k1: Float64Array, k2: Float64Array, k0: Float64Array): void;
  /** `count` zeroed float64 arrays of `length`, for the sums and coefficients the passes read or write. */
  scratch(length: number, count: number): Float64Array[];
  /** out = silu(t), t = f32(a k1[i, c] + k0[i, c]) (t and the sigmoid: the backend's own; k1, k0 spent). */
  affineSilu(out: Float32Array, a: Float32Array, n: number, p: number, c: number, k1: Float64Array, k0: Float64Array): void;
  /**
   * With t = f32(x k1[i, c] + k0[i, c]) and s = sigmoid(t): dt = dy (s (1 + t (1 - s))) (rounded as the two-op path
   * rounds), s1[i, j] = sum dt, s2[i, j] = sum dt x (float64); t and the sigmoid the backend's own, k1 and k0 spent.
   */
  siluGradSums(dt: Float32Array, dy: Float32Array, x: Float32Array, n: number, p: number, c: number,
    k1: Float64Array, k0: Float64Array, s1: Float64Array, s2: Float64Array): void;
}

/** Per-channel sums over the P pixels of one image from element `base` into s1, s2 from `at`. */
function channelSumsImage(a: Float32Array, b: Float32Array, base: number, p: number, c: number, s1: Float64Array,
  s2: Float64Array, at: number): void {
  s1.fill(0, at, at + c);
  s2.fill(0, at, at + c);
  for (let q = 0, o = base; q < p; q++, o += c) {
    for (let j = 0; j < c; j++) {
      const v = a[o + j]!;
      s1[at + j]! += v;
      s2[at + j]! += v * b[o + j]!;
    }
  }
}

/** out = a * k1[c] + b * k2[c] + k0[c] over the P pixels of one image (coefficients from `at`). */
function affineImage(out: Float32Array, a: Float32Array, b: Float32Array | null, base: number, p: number, c: number,
  k1: Float64Array, k2: Float64Array, k0: Float64Array, at: number): void {
  for (let q = 0, o = base; q < p; q++, o += c) {
    if (b) for (let j = 0; j < c; j++) out[o + j] = a[o + j]! * k1[at + j]! + b[o + j]! * k2[at + j]! + k0[at + j]!;
    else for (let j = 0; j < c; j++) out[o + j] = a[o + j]! * k1[at + j]! + k0[at + j]!;
  }
}

/** sigmoid(t) rounded to float32, as tfjs's cpu Sigmoid kernel computes it. */
function sigmoid32(t: number): number {
  return Math.fround(1 / (1 + Math.exp(-t)));
}

/** out = silu(f32(a k1 + k0)) over the P pixels of one image; t sigmoid(t) rounded as tfjs's Multiply rounds it. */
function affineSiluImage(out: Float32Array, a: Float32Array, base: number, p: number, c: number, k1: Float64Array,
  k0: Float64Array, at: number): void {
  for (let q = 0, o = base; q < p; q++, o += c) {
    for (let j = 0; j < c; j++) {
      const t = Math.fround(a[o + j]! * k1[at + j]! + k0[at + j]!);
      out[o + j] = t * sigmoid32(t);
    }
  }
}

/** dt = dy silu'(t) over the P pixels of one image, with its per-channel sums of dt and dt x. */
function siluGradSumsImage(dt: Float32Array, dy: Float32Array, x: Float32Array, base: number, p: number, c: number,
  k1: Float64Array, k0: Float64Array, s1: Float64Array, s2: Float64Array, at: number): void {
  const f = Math.fround;
  s1.fill(0, at, at + c);
  s2.fill(0, at, at + c);
  for (let q = 0, o = base; q < p; q++, o += c) {
    for (let j = 0; j < c; j++) {
      const xv = x[o + j]!;
      const t = f(xv * k1[at + j]! + k0[at + j]!);
      const s = sigmoid32(t);
      const g = f(dy[o + j]! * f(s * f(1 + f(t * f(1 - s)))));
      dt[o + j] = g;
      s1[at + j]! += g;
      s2[at + j]! += g * xv;
    }
  }
}

/** The passes as JavaScript loops, one image after another (any backend whose data JavaScript can read). */
export const JS_GROUP_NORM_PASSES: GroupNormPasses = {
  channelSums: (a, b, n, p, c, s1, s2) => {
    for (let i = 0; i < n; i++) channelSumsImage(a, b, i * p * c, p, c, s1, s2, i * c);
  },
  affine: (out, a, b, n, p, c, k1, k2, k0) => {
    for (let i = 0; i < n; i++) affineImage(out, a, b, i * p * c, p, c, k1, k2, k0, i * c);
  },
  scratch: (length, count) => Array.from({ length: count }, () => new Float64Array(length)),
  affineSilu: (out, a, n, p, c, k1, k0) => {
    for (let i = 0; i < n; i++) affineSiluImage(out, a, i * p * c, p, c, k1, k0, i * c);
  },
  siluGradSums: (dt, dy, x, n, p, c, k1, k0, s1, s2) => {
    for (let i = 0; i < n; i++) siluGradSumsImage(dt, dy, x, i * p * c, p, c, k1, k0, s1, s2, i * c);
  },
};

/**
 * Image i's group statistics from its per-channel sums s1 = sum x, s2 = sum x^2: mean[k] and invStd[k] per
 * group (float64), and the per-channel coefficients of y = x scale + shift.
 */
function groupCoefficients(s1: Float64Array, s2: Float64Array, weight: Float32Array, bias: Float32Array, eps: number,
  c: number, g: number, count: number, mean: Float64Array, invStd: Float64Array, scale: Float64Array, shift: Float64Array): void {
  const cg = c / g;
  for (let k = 0; k < g; k++) {
    let sum = 0;
    let sumSq = 0;
    for (let j = k * cg; j < (k + 1) * cg; j++) {
      sum += s1[j]!;
      sumSq += s2[j]!;
    }
    const mu = sum / count;
    const variance = Math.max(0, sumSq / count - mu * mu);
    const inv = 1 / Math.sqrt(variance + eps);
    mean[k] = mu;
    invStd[k] = inv;
    for (let j = k * cg; j < (k + 1) * cg; j++) {
      scale[j] = inv * weight[j]!;
      shift[j] = bias[j]! - mu * inv * weight[j]!;
    }
  }
}

/**
 * Image i's GroupNorm backward coefficients, dx = dy kDy + x kX + k0, from the per-channel sums sumDy and sumDyX =
 * sum dy x and the group statistics (float32 values, as the forward kernel outputs them); adds the image's share
 * of dWeight and dBias into dw and db.
 */
function backwardCoefficients(sumDy: Float64Array, sumDyX: Float64Array, weight: Float32Array, mean: ArrayLike<number>,
  invStd: ArrayLike<number>, at: number, c: number, g: number, count: number, dw: Float64Array, db: Float64Array,
  kDy: Float64Array, kX: Float64Array, k0: Float64Array): void {
  const cg = c / g;
  for (let k = 0; k < g; k++) {
    const mu = mean[at + k]!;
    const inv = invStd[at + k]!;
    // Per group: mean_g(g) and mean_g(g x_hat), with sum dy x_hat = inv (sum dy x - mu sum dy) per channel.
    let sumG = 0;
    let sumGX = 0;
    for (let j = k * cg; j < (k + 1) * cg; j++) {
      const dyXhat = inv * (sumDyX[j]! - mu * sumDy[j]!);
      sumG += weight[j]! * sumDy[j]!;
      sumGX += weight[j]! * dyXhat;
      dw[j]! += dyXhat;
      db[j]! += sumDy[j]!;
    }
    const meanG = sumG / count;
    const meanGX = sumGX / count;
    for (let j = k * cg; j < (k + 1) * cg; j++) {
      kDy[j] = inv * weight[j]!;
      kX[j] = -inv * inv * meanGX;
      k0[j] = -inv * meanG + inv * inv * meanGX * mu;
    }
  }
}

/** Image i's slice [i c, (i + 1) c) of an [N, C] array. */
const image = (a: Float64Array, i: number, c: number) => a.subarray(i * c, (i + 1) * c);

/** Writes y [N,P,C], mean [N,G] and invStd [N,G]. */
export function groupNormForward(
  x: Float32Array, weight: Float32Array, bias: Float32Array, eps: number, { n, p, c, g }: GroupNormDims,
  y: Float32Array, mean: Float32Array, invStd: Float32Array, passes: GroupNormPasses = JS_GROUP_NORM_PASSES,
): void {
  const [s1, s2, scale, shift] = passes.scratch(n * c, 4) as [Float64Array, Float64Array, Float64Array, Float64Array];
  const mu = new Float64Array(g);
  const inv = new Float64Array(g);
  passes.channelSums(x, x, n, p, c, s1, s2);
  for (let i = 0; i < n; i++) {
    groupCoefficients(image(s1, i, c), image(s2, i, c), weight, bias, eps, c, g, p * (c / g), mu, inv, image(scale, i, c), image(shift, i, c));
    mean.set(mu, i * g);
    invStd.set(inv, i * g);
  }
  passes.affine(y, x, null, n, p, c, scale, scale, shift);
}

/** Writes dx [N,P,C], dWeight [C] and dBias [C] from dy and the forward pass's x, mean and invStd. */
export function groupNormBackward(
  dy: Float32Array, x: Float32Array, weight: Float32Array, mean: Float32Array, invStd: Float32Array,
  { n, p, c, g }: GroupNormDims, dx: Float32Array, dWeight: Float32Array, dBias: Float32Array,
  passes: GroupNormPasses = JS_GROUP_NORM_PASSES,
): void {
  const [sumDy, sumDyX, kDy, kX, k0] = passes.scratch(n * c, 5) as [Float64Array, Float64Array, Float64Array, Float64Array,
    Float64Array];
  const dw = new Float64Array(c);
  const db = new Float64Array(c);
  passes.channelSums(dy, x, n, p, c, sumDy, sumDyX);
  for (let i = 0; i < n; i++) {
    backwardCoefficients(image(sumDy, i, c), image(sumDyX, i, c), weight, mean, invStd, i * g, c, g, p * (c / g), dw, db,
      image(kDy, i, c), image(kX, i, c), image(k0, i, c));
  }
  passes.affine(dx, dy, x, n, p, c, kDy, kX, k0);
  for (let j = 0; j < c; j++) {
    dWeight[j] = dw[j]!;
    dBias[j] = db[j]!;
  }
}

/** Writes y = silu(GroupNorm(x) weight + bias) [N,P,C]. */
export function groupNormSiluForward(
  x: Float32Array, weight: Float32Array, bias: Float32Array, eps: number, { n, p, c, g }: GroupNormDims,
  y: Float32Array, passes: GroupNormPasses = JS_GROUP_NORM_PASSES,
): void {
  const [s1, s2, scale, shift] = passes.scratch(n * c, 4) as [Float64Array, Float64Array, Float64Array, Float64Array];
  const mu = new Float64Array(g);
  const inv = new Float64Array(g);
  passes.channelSums(x, x, n, p, c, s1, s2);
  for (let i = 0; i < n; i++) {
    groupCoefficients(image(s1, i, c), image(s2, i, c), weight, bias, eps, c, g, p * (c / g), mu, inv, image(scale, i, c), image(shift, i, c));
  }
  passes.affineSilu(y, x, n, p, c, scale, shift);
}

/**
 * Writes dx [N,P,C], dWeight [C] and dBias [C] of y = silu(GroupNorm(x) weight + bias) from dy, recomputing the
 * forward's statistics from x. `dt`: N*P*C floats of scratch.
 */
export function groupNormSiluBackward(
  dy: Float32Array, x: Float32Array, weight: Float32Array, bias: Float32Array, eps: number,
  { n, p, c, g }: GroupNormDims, dx: Float32Array, dWeight: Float32Array, dBias: Float32Array, dt: Float32Array,
  passes: GroupNormPasses = JS_GROUP_NORM_PASSES,
): void {
  const [s1, s2, scale, shift, kDy, kX, k0] = passes.scratch(n * c, 7) as [Float64Array, Float64Array, Float64Array,
    Float64Array, Float64Array, Float64Array, Float64Array];
  const dw = new Float64Array(c);
  const db = new Float64Array(c);
  const mean = new Float32Array(n * g);
  const invStd = new Float32Array(n * g);
  const mu = new Float64Array(g);
  const inv = new Float64Array(g);
  passes.channelSums(x, x, n, p, c, s1, s2);
  for (let i = 0; i < n; i++) {
    groupCoefficients(image(s1, i, c), image(s2, i, c), weight, bias, eps, c, g, p * (c / g), mu, inv, image(scale, i, c), image(shift, i, c));
    // The statistics rounded to float32, as the forward kernel outputs them to the two-op path's backward.
    mean.set(mu, i * g);
    invStd.set(inv, i * g);
  }
  // dt and its sums (s1, s2 reused: the forward's sums are spent), then GroupNorm's backward of dt.
  passes.siluGradSums(dt, dy, x, n, p, c, scale, shift, s1, s2);
  for (let i = 0; i < n; i++) {
    backwardCoefficients(image(s1, i, c), image(s2, i, c), weight, mean, invStd, i * g, c, g, p * (c / g), dw, db,
      image(kDy, i, c), image(kX, i, c), image(k0, i, c));
  }
  passes.affine(dx, dt, x, n, p, c, kDy, kX, k0);
  for (let j = 0; j < c; j++) {
    dWeight[j] = dw[j]!;
    dBias[j] = db[j]!;
  }
}
