// Convolution with optional 2x FIR resampling (reference `Conv2d`): kernel 0 means resampling only
// (no weight). Unfused: resample, then convolve. Fused (`fused_resample`): the resample and the
// convolution share their padding, as the reference does. NHWC, weight HWIO (OIHW in checkpoints).
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBias } from './conv2d-bias';
import { weightInit, type BuildContext, type InitOptions } from './init';
import { leanAdd } from './lean-add';
import type { ParamRef } from './param-store';
import { downsample2x, isBoxTaps, resampleFilter2d, upsample2x } from './resample';

/** Options of {@link Conv2d} (the reference's keyword names in parentheses). */
export interface Conv2dOptions extends InitOptions {
  /** Add a bias (`bias`). Default true. */
  bias?: boolean;
  /** Upsample 2x before the convolution (`up`). Default false. */
  up?: boolean;
  /** Downsample 2x before the convolution (`down`). Default false. */
  down?: boolean;
  /** 1-D FIR taps of the resampler, outer product normalised to sum 1 (`resample_filter`). Default [1, 1]. */
  resampleFilter?: number[];
  /** Fuse resampling and convolution padding (`fused_resample`). Default false. */
  fusedResample?: boolean;
}

/** 2-D convolution layer. */
export class Conv2d {
  readonly weight: ParamRef | null;
  readonly bias: ParamRef | null;
  readonly resampleFilter: ParamRef | null;
  /** The resample filter is the 2x2 box (taps [a, a]): avg-pool / nearest-neighbour paths. */
  readonly boxResample: boolean;
  readonly up: boolean;
  readonly down: boolean;
  readonly fusedResample: boolean;

  constructor(
    ctx: BuildContext, readonly prefix: string, readonly inChannels: number, readonly outChannels: number,
    readonly kernel: number, opts: Conv2dOptions = {},
  ) {
    this.up = opts.up ?? false;
    this.down = opts.down ?? false;
    if (this.up && this.down) throw new Error(`${prefix}: Conv2d cannot both upsample and downsample`);
    this.fusedResample = opts.fusedResample ?? false;
    const mode = opts.initMode ?? 'kaiming_normal';
    const initWeight = opts.initWeight ?? 1;
    const initBias = opts.initBias ?? 0;
    const fanIn = inChannels * kernel * kernel;
    const fanOut = outChannels * kernel * kernel;
    const { store, rng } = ctx;
    this.weight = kernel
      ? store.declare({
        name: `${prefix}.weight`, torchShape: [outChannels, inChannels, kernel, kernel], layout: 'oihw', trainable: true,
        init: () => weightInit(rng, outChannels * inChannels * kernel * kernel, mode, fanIn, fanOut, initWeight),
      })
      : null;
    this.bias = kernel && (opts.bias ?? true)
      ? store.declare({
        name: `${prefix}.bias`, torchShape: [outChannels], layout: 'same', trainable: true,
        init: () => weightInit(rng, outChannels, mode, fanIn, fanOut, initBias),
      })
      : null;
    const taps = opts.resampleFilter ?? [1, 1];
    const k = taps.length;
    this.boxResample = isBoxTaps(taps);
    this.resampleFilter = this.up || this.down
      ? store.declare({
        name: `${prefix}.resample_filter`, torchShape: [1, 1, k, k], layout: 'oihw', trainable: false,
        init: () => resampleFilter2d(taps),
      })
      : null;
  }

  /** x: [N, H, W, in] -> [N, H', W', out]. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const w = this.weight ? (this.weight.value as tf.Tensor4D) : null;
      const f = this.resampleFilter ? this.resampleFilter.value : null;
      const wPad = w ? Math.floor(w.shape[0] / 2) : 0;
      const fPad = f ? Math.floor((f.shape[0]! - 1) / 2) : 0;
      const bias = this.bias ? (this.bias.value as tf.Tensor1D) : null;
      // The bias rides inside the convolution where the convolution is the last step (one kernel, no
      // broadcast add: tf.fused.conv2d; the same values up to float32 rounding, and the same gradients),
      // through conv2dBias, whose gradient does not keep the output alive.
      const convLast = (t: tf.Tensor4D, filter: tf.Tensor4D, pad: number): tf.Tensor4D =>
        bias ? conv2dBias(t, filter, bias, pad) : tf.conv2d(t, filter, 1, pad);
      let y = x;
      if (this.fusedResample && this.up && w && f) {
        y = upsample2x(y, f, Math.max(fPad - wPad, 0), this.boxResample);
        return convLast(y, w, Math.max(wPad - fPad, 0));
      } else if (this.fusedResample && this.down && w && f) {
        y = tf.conv2d(y, w, 1, wPad + fPad);
        y = downsample2x(y, f, 0, this.boxResample);
      } else {
        if (this.up && f) y = upsample2x(y, f, fPad, this.boxResample);
        if (this.down && f) y = downsample2x(y, f, fPad, this.boxResample);
        if (w) return convLast(y, w, wPad);
      }
      if (bias) y = leanAdd(y, bias);
      return y;
    });
  }
}
