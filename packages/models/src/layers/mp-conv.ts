// Magnitude-preserving convolution or fully connected layer (EDM2, eq. 47) with forced weight normalisation
// (eq. 66); reference networks_edm2.py `MPConv`:
//   w^ = normalize(w)  (each output channel's fan-in to unit RMS)      w_eff = w^ g / sqrt(fan_in)
//   y = conv2d(x, w_eff, same padding)  or  y = x w_eff^T
// with g = 1 or a learned gain (the blocks' emb_gain, the U-Net's out_gain). In training mode the stored
// weight is first overwritten by its normalised self (forced weight normalisation), then used as above, as
// the reference does: the gradient is taken at the normalised weight, and Adam updates that. NHWC; conv
// weights HWIO (OIHW in checkpoints), linear weights [in, out] ([out, in] in checkpoints), N(0, 1) at init.
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext } from './init';
import { normalize } from './normalize';
import type { ParamRef } from './param-store';

/** MPConv: `kernel` 0 = fully connected ([N, in] -> [N, out]), else a k x k convolution. */
export class MPConv {
  readonly weight: ParamRef;
  readonly fanIn: number;
  /** Axes of our layout that form one output channel's fan-in. */
  private readonly fanInAxes: number[];

  constructor(ctx: BuildContext, readonly prefix: string, readonly inChannels: number, readonly outChannels: number, readonly kernel: number) {
    const { rng, store } = ctx;
    const torchShape = kernel ? [outChannels, inChannels, kernel, kernel] : [outChannels, inChannels];
    this.fanIn = inChannels * (kernel ? kernel * kernel : 1);
    this.fanInAxes = kernel ? [0, 1, 2] : [0];
    this.weight = store.declare({
      name: `${prefix}.weight`, torchShape, layout: kernel ? 'oihw' : 'oi', trainable: true,
      init: () => Float32Array.from({ length: outChannels * this.fanIn }, () => rng.normal()),
    });
  }

  /** The weight normalised per output channel (what forced weight normalisation stores). */
  normalizedWeight(): tf.Tensor {
    return normalize(this.weight.value, this.fanInAxes);
  }

  /** Forced weight normalisation (eq. 66): the stored weight becomes normalize(weight). */
  forceNormalize(): void {
    const v = this.weight.value as tf.Variable;
    tf.tidy(() => v.assign(this.normalizedWeight()));
  }

  /**
   * x: [N, H, W, in] (convolution) or [N, in] (fully connected); `gain` a number or a scalar tensor (a learned
   * gain). `training`: force-normalise the stored weight first.
   */
  apply<T extends tf.Tensor4D | tf.Tensor2D>(x: T, gain: number | tf.Tensor = 1, training = false): T {
    if (training) this.forceNormalize();
    return tf.tidy(() => {
      const scale = typeof gain === 'number' ? gain / Math.sqrt(this.fanIn) : tf.div(tf.reshape(gain, []), Math.sqrt(this.fanIn));
      const w = tf.mul(this.normalizedWeight(), scale);
      if (!this.kernel) return tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D) as T;
      return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, this.kernel === 1 ? 0 : Math.floor(this.kernel / 2)) as T;
    });
  }
}
