// Training batches: the dataset visited epoch by epoch in a seeded shuffled order (image k of the run is
// position k mod N of epoch floor(k / N)), images mapped to [-1, 1] (u8 / 127.5 - 1), optional x-flips, and
// one-hot class labels. Stateless: batch contents depend only on (seed, first image index, step stream).
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import type { Xoshiro128 } from '@edm/core';
import { epochPermutation } from './random';

/** Makes batches from an in-memory dataset. */
export class BatchSource {
  private cachedEpoch = -1;
  private order: Uint32Array = new Uint32Array(0);

  /**
   * @param ds the dataset (resolution must be square).
   * @param seed run seed (data order).
   * @param xflip randomly mirror images left-right with probability 1/2 (train.py --xflip).
   * @param cond feed class labels (train.py --cond); needs a labelled dataset.
   */
  constructor(readonly ds: Dataset, readonly seed: number, readonly xflip: boolean, readonly cond: boolean) {}

  private indexOf(k: number): number {
    const n = this.ds.count;
    const epoch = Math.floor(k / n);
    if (epoch !== this.cachedEpoch) {
      this.order = epochPermutation(this.seed, epoch, n);
      this.cachedEpoch = epoch;
    }
    return this.order[k % n]!;
  }

  /**
   * Images first..first+size-1 of the run: NHWC float images in [-1, 1] and [size, labelDim] one-hot labels
   * (null when unconditional). `rnd` decides the x-flips.
   */
  batch(first: number, size: number, rnd: Xoshiro128): { images: tf.Tensor4D; labels: tf.Tensor2D | null } {
    const { width: w, height: h, channels: c } = this.ds;
    const px = w * h * c;
    const data = new Float32Array(size * px);
    const labelIdx = new Int32Array(size);
    for (let b = 0; b < size; b++) {
      const i = this.indexOf(first + b);
      const src = this.ds.pixels.subarray(i * px, (i + 1) * px);
      const flip = this.xflip && rnd.uniform() < 0.5;
      const dst = b * px;
      if (!flip) {
        for (let p = 0; p < px; p++) data[dst + p] = src[p]! / 127.5 - 1;
      } else {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            for (let ch = 0; ch < c; ch++) data[dst + (y * w + x) * c + ch] = src[(y * w + (w - 1 - x)) * c + ch]! / 127.5 - 1;
          }
        }
      }
      labelIdx[b] = this.ds.labels ? this.ds.labels[i]! : 0;
    }
    const images = tf.tensor4d(data, [size, h, w, c], 'float32');
    const labels = this.cond
      ? tf.tidy(() => tf.oneHot(tf.tensor1d(labelIdx, 'int32'), this.ds.labelDim).toFloat() as tf.Tensor2D)
      : null;
    return { images, labels };
  }
}
