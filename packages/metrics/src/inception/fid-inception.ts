// The FID Inception-v3 forward pass on tfjs-core (NHWC), with pytorch-fid's input pipeline:
// images float in [0, 1] -> bilinear resize to 299 x 299 (align_corners=False, no antialiasing: tfjs's
// resizeBilinear with halfPixelCenters samples at (i + 0.5) * in/out - 0.5 clamped at the edges, as
// torch's F.interpolate does) -> 2x - 1 -> grayscale repeated to 3 channels -> blocks 0-3 -> the 2048
// pool3 features. Each BasicConv2d is one fused conv + bias + ReLU (BatchNorm folded, weights.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureDetector } from '../detector';
import { INCEPTION_FEATURES, INCEPTION_SIZE } from './architecture';
import { readInceptionWeights, type FoldedConv } from './weights';

/** The detector name recorded in reference statistics. */
export const FID_INCEPTION_NAME = 'fid-inception-v3';

/** The outputs of the four blocks pytorch-fid's InceptionV3 exposes (NHWC; pool3 flattened). */
export interface InceptionBlocks {
  /** After the first max pool: [N, 73, 73, 64]. */
  block0: tf.Tensor4D;
  /** After the second max pool: [N, 35, 35, 192]. */
  block1: tf.Tensor4D;
  /** After Mixed_6e: [N, 17, 17, 768]. */
  block2: tf.Tensor4D;
  /** The global average pool after Mixed_7c: [N, 2048]. */
  pool3: tf.Tensor2D;
}

interface ConvParams {
  fold: FoldedConv;
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/** The FID Inception-v3 as a {@link FeatureDetector}: 2048 pool3 features per image. */
export class FidInception implements FeatureDetector {
  readonly name = FID_INCEPTION_NAME;
  readonly featureDim = INCEPTION_FEATURES;
  /** 8 images of 299 x 299 keep the largest activation near 45 MB. */
  readonly batchSize = 8;

  private constructor(
    private readonly params: Map<string, ConvParams>,
    /** SHA-256 of the weights' float32 values (the same for both torch file formats). */
    readonly hash: string,
    /** The weights file's format. */
    readonly format: 'legacy' | 'zip',
  ) {}

  /**
   * Loads `pt_inception-2015-12-05-6726825d.pth` (or a file of the same format and names) from its bytes.
   * An error names `label` and the first tensor that does not fit the architecture.
   */
  static async load(bytes: Uint8Array, label = 'inception weights'): Promise<FidInception> {
    const w = await readInceptionWeights(bytes, label);
    const params = new Map<string, ConvParams>();
    for (const [name, fold] of w.convs) {
      const [kh, kw] = fold.spec.kernel;
      params.set(name, {
        fold,
        filter: tf.tensor4d(fold.filter, [kh, kw, fold.spec.inChannels, fold.spec.outChannels]),
        bias: tf.tensor1d(fold.bias),
      });
    }
    return new FidInception(params, w.hash, w.format);
  }

  /** The 2048 pool3 features of images [N, H, W, 1 or 3] float in [0, 1]. */
  features(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const { pool3, ...rest } = this.blocks(images);
      tf.dispose(Object.values(rest));
      return pool3;
    });
  }

  /** All four block outputs of images [N, H, W, 1 or 3] float in [0, 1] (for locating a mismatch). */
  blocks(images: tf.Tensor4D): InceptionBlocks {
    const c = images.shape[3];
    if (c !== 1 && c !== 3) throw new Error(`FidInception: images must have 1 or 3 channels, got shape [${images.shape.join(', ')}]`);
    return tf.tidy(() => {
      let x = images;
      if (x.shape[1] !== INCEPTION_SIZE || x.shape[2] !== INCEPTION_SIZE) {
        x = tf.image.resizeBilinear(x, [INCEPTION_SIZE, INCEPTION_SIZE], false, true);
      }
      x = tf.sub(tf.mul(x, 2), 1);
      if (c === 1) x = tf.tile(x, [1, 1, 1, 3]);
      // Block 0.
      x = this.conv('Conv2d_2b_3x3', this.conv('Conv2d_2a_3x3', this.conv('Conv2d_1a_3x3', x)));
      const block0 = tf.maxPool(x, 3, 2, 'valid');
      // Block 1.
      const block1 = tf.maxPool(this.conv('Conv2d_4a_3x3', this.conv('Conv2d_3b_1x1', block0)), 3, 2, 'valid');
      // Block 2.
      x = block1;
      for (const m of ['Mixed_5b', 'Mixed_5c', 'Mixed_5d']) x = this.inceptionA(m, x);
      x = this.inceptionB('Mixed_6a', x);
      for (const m of ['Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e']) x = this.inceptionC(m, x);
      const block2 = x;
      // Block 3.
      x = this.inceptionD('Mixed_7a', block2);
      x = this.inceptionE('Mixed_7b', x, 'avg');
      x = this.inceptionE('Mixed_7c', x, 'max');
      const pool3 = tf.mean(x, [1, 2]) as tf.Tensor2D;
      return { block0, block1, block2, pool3 };
    });
  }

  /** Frees the weights. */
  dispose(): void {
    for (const p of this.params.values()) tf.dispose([p.filter, p.bias]);
    this.params.clear();
  }

  /** BasicConv2d: conv + folded BatchNorm + ReLU. */
  private conv(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const p = this.params.get(name);
    if (!p) throw new Error(`FidInception: no weights for ${name} (disposed?)`);
    const { stride, padding } = p.fold.spec;
    return tf.fused.conv2d({ x, filter: p.filter, bias: p.bias, strides: stride, pad: padding, activation: 'relu' });
  }

  /** 3x3 stride-1 average pool that leaves the padding out of the average (TensorFlow's SAME pooling). */
  private static avgPool(x: tf.Tensor4D): tf.Tensor4D {
    return tf.avgPool(x, 3, 1, 'same');
  }

  private inceptionA(p: string, x: tf.Tensor4D): tf.Tensor4D {
    const b1 = this.conv(`${p}.branch1x1`, x);
    const b5 = this.conv(`${p}.branch5x5_2`, this.conv(`${p}.branch5x5_1`, x));
    const b3 = this.conv(`${p}.branch3x3dbl_3`, this.conv(`${p}.branch3x3dbl_2`, this.conv(`${p}.branch3x3dbl_1`, x)));
    const bp = this.conv(`${p}.branch_pool`, FidInception.avgPool(x));
    return tf.concat([b1, b5, b3, bp], 3);
  }

  private inceptionB(p: string, x: tf.Tensor4D): tf.Tensor4D {
    const b3 = this.conv(`${p}.branch3x3`, x);
    const bd = this.conv(`${p}.branch3x3dbl_3`, this.conv(`${p}.branch3x3dbl_2`, this.conv(`${p}.branch3x3dbl_1`, x)));
    return tf.concat([b3, bd, tf.maxPool(x, 3, 2, 'valid')], 3);
  }

  private inceptionC(p: string, x: tf.Tensor4D): tf.Tensor4D {
    const b1 = this.conv(`${p}.branch1x1`, x);
    let b7 = x;
    for (const k of ['1', '2', '3']) b7 = this.conv(`${p}.branch7x7_${k}`, b7);
    let bd = x;
    for (const k of ['1', '2', '3', '4', '5']) bd = this.conv(`${p}.branch7x7dbl_${k}`, bd);
    const bp = this.conv(`${p}.branch_pool`, FidInception.avgPool(x));
    return tf.concat([b1, b7, bd, bp], 3);
  }

  private inceptionD(p: string, x: tf.Tensor4D): tf.Tensor4D {
    const b3 = this.conv(`${p}.branch3x3_2`, this.conv(`${p}.branch3x3_1`, x));
    let b7 = x;
    for (const k of ['1', '2', '3', '4']) b7 = this.conv(`${p}.branch7x7x3_${k}`, b7);
    return tf.concat([b3, b7, tf.maxPool(x, 3, 2, 'valid')], 3);
  }

  /** InceptionE; the pool branch averages (Mixed_7b) or takes the maximum (Mixed_7c, the FID network's quirk). */
  private inceptionE(p: string, x: tf.Tensor4D, pool: 'avg' | 'max'): tf.Tensor4D {
    const b1 = this.conv(`${p}.branch1x1`, x);
    const b3 = this.conv(`${p}.branch3x3_1`, x);
    const b3d = this.conv(`${p}.branch3x3dbl_2`, this.conv(`${p}.branch3x3dbl_1`, x));
    const pooled = pool === 'avg' ? FidInception.avgPool(x) : tf.maxPool(x, 3, 1, 'same');
    return tf.concat([
      b1,
      this.conv(`${p}.branch3x3_2a`, b3), this.conv(`${p}.branch3x3_2b`, b3),
      this.conv(`${p}.branch3x3dbl_3a`, b3d), this.conv(`${p}.branch3x3dbl_3b`, b3d),
      this.conv(`${p}.branch_pool`, pooled),
    ], 3);
  }
}
