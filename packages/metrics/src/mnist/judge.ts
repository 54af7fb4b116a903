// The MNIST digit judge: a small convolutional classifier that reads 28x28 grayscale digits, trained by the
// project on the 8,000 `mnist-train` digits (never on the 2,000 `mnist-heldout` ones, on which it is measured).
// It judges class-conditional samples two ways: the class it reads (accuracy, confidence), and its 128
// penultimate features, in which Frechet distance and KID compare samples with held-out real digits (a
// feature space that knows what a digit looks like, where Inception's knows photographs).
//
// Network (NHWC, 'same' 3x3 convolutions with bias, ReLU):
//   28x28x1 -> conv 16 -> conv 16 -> max pool 2 -> 14x14 -> conv 32 -> conv 32 -> max pool 2 -> 7x7
//   -> conv 64 -> max pool 2 (valid) -> 3x3x64 -> flatten 576 -> dense 128 + ReLU (the features)
//   -> dropout (training only) -> dense 10 (the logits).
// Input: pixel bytes p mapped to p / 127.5 - 1, as the generative models see them.
import * as tf from '@tensorflow/tfjs-core';
import { Xoshiro128 } from '@edm/core';
import { decodeSafetensors, encodeSafetensors, float32ToBytes, tensorToFloat32, type SafetensorsTensor } from '@edm/models';
import type { FeatureDetector } from '../detector';
import { sha256Hex } from '../hash';

/** Image side and classes. */
export const MNIST_JUDGE_SIZE = 28;
export const MNIST_JUDGE_CLASSES = 10;
/** Width of the penultimate features. */
export const MNIST_JUDGE_FEATURES = 128;
/** The file's `__metadata__` format tag. */
export const MNIST_JUDGE_FORMAT = 'edm-mnist-judge/1';
/** Its name as a feature detector (recorded in reference statistics). */
export const MNIST_JUDGE_NAME = 'mnist-judge';

/** The parameters, in file order: name and shape (convolutions HWIO, dense [in, out]). */
export const MNIST_JUDGE_PARAMS: readonly { name: string; shape: number[] }[] = [
  ...[[1, 16], [16, 16], [16, 32], [32, 32], [32, 64]].flatMap(([cin, cout], i) => [
    { name: `conv${i}.weight`, shape: [3, 3, cin!, cout!] },
    { name: `conv${i}.bias`, shape: [cout!] },
  ]),
  { name: 'features.weight', shape: [576, MNIST_JUDGE_FEATURES] },
  { name: 'features.bias', shape: [MNIST_JUDGE_FEATURES] },
  { name: 'classify.weight', shape: [MNIST_JUDGE_FEATURES, MNIST_JUDGE_CLASSES] },
  { name: 'classify.bias', shape: [MNIST_JUDGE_CLASSES] },
];

/** What one forward pass gives. */
export interface MnistJudgeOutput {
  /** Penultimate features [N, 128]. */
  features: tf.Tensor2D;
  /** Class logits [N, 10]. */
  logits: tf.Tensor2D;
}

/**
 * The classifier; its parameters are tf.Variables (trainable). As a {@link FeatureDetector} it gives the 128
 * penultimate features of 28x28x1 images.
 */
export class MnistJudge implements FeatureDetector {
  readonly name = MNIST_JUDGE_NAME;
  readonly featureDim = MNIST_JUDGE_FEATURES;
  readonly batchSize = 256;
  readonly params: ReadonlyMap<string, tf.Variable>;

  private constructor(
    params: Map<string, tf.Variable>,
    /** SHA-256 of the weights' float32 values in file order ('untrained' for a judge made by create). */
    readonly hash: string,
  ) {
    this.params = params;
  }

  /** Fresh weights: He-normal kernels from `seed`, zero biases. */
  static create(seed: number): MnistJudge {
    const rng = new Xoshiro128(seed, 7);
    const params = new Map<string, tf.Variable>();
    for (const { name, shape } of MNIST_JUDGE_PARAMS) {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(size);
      if (name.endsWith('.weight')) {
        const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
        rng.fillNormal(values);
        const std = Math.sqrt(2 / fanIn);
        for (let i = 0; i < size; i++) values[i]! *= std;
      }
      params.set(name, tf.tidy(() => tf.variable(tf.tensor(values, shape), true)));
    }
    return new MnistJudge(params, 'untrained');
  }

  /** Loads a judge file (safetensors); an error names the file and the first tensor that does not fit. */
  static async load(bytes: Uint8Array, source = 'mnist judge'): Promise<MnistJudge> {
    const { metadata, tensors } = decodeSafetensors(bytes, source);
    if (metadata['edm.format'] !== MNIST_JUDGE_FORMAT) {
      throw new Error(`${source}: not an MNIST judge file (edm.format '${metadata['edm.format'] ?? ''}', expected '${MNIST_JUDGE_FORMAT}')`);
    }
    const params = new Map<string, tf.Variable>();
    const values: Float32Array[] = [];
    for (const { name, shape } of MNIST_JUDGE_PARAMS) {
      const t = tensors.get(name);
      if (!t) throw new Error(`${source}: tensor '${name}' is missing`);
      if (t.shape.join(',') !== shape.join(',')) {
        throw new Error(`${source}: tensor '${name}' has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
      }
      const v = tensorToFloat32(t, name);
      for (const x of v) if (!Number.isFinite(x)) throw new Error(`${source}: tensor '${name}' holds a non-finite value`);
      values.push(v);
    }
    const extra = [...tensors.keys()].filter((k) => !MNIST_JUDGE_PARAMS.some((p) => p.name === k));
    if (extra.length) throw new Error(`${source}: unexpected tensor '${extra[0]}'`);
    MNIST_JUDGE_PARAMS.forEach(({ name, shape }, i) => params.set(name, tf.tidy(() => tf.variable(tf.tensor(values[i]!, shape), false))));
    return new MnistJudge(params, await sha256Hex(values));
  }

  /** The weights as a judge file, with `metadata` (e.g. how it was trained, its held-out accuracy). */
  async save(metadata: Record<string, string> = {}): Promise<Uint8Array> {
    const tensors = new Map<string, SafetensorsTensor>();
    for (const { name, shape } of MNIST_JUDGE_PARAMS) {
      const data = await this.params.get(name)!.data() as Float32Array;
      tensors.set(name, { dtype: 'F32', shape, data: float32ToBytes(data) });
    }
    return encodeSafetensors(tensors, { ...metadata, 'edm.format': MNIST_JUDGE_FORMAT });
  }

  /**
   * Features and logits of x [N, 28, 28, 1] in [-1, 1]. `dropout` (training) zeroes features with that
   * probability, from `dropoutSeed`.
   */
  forward(x: tf.Tensor4D, dropout = 0, dropoutSeed = 0): MnistJudgeOutput {
    return tf.tidy(() => {
      const p = (n: string) => this.params.get(n)!;
      const conv = (h: tf.Tensor4D, i: number) =>
        tf.relu(tf.add(tf.conv2d(h, p(`conv${i}.weight`) as tf.Tensor4D, 1, 'same'), p(`conv${i}.bias`))) as tf.Tensor4D;
      let h = conv(conv(x, 0), 1);
      h = tf.maxPool(h, 2, 2, 'valid');
      h = conv(conv(h, 2), 3);
      h = tf.maxPool(h, 2, 2, 'valid');
      h = tf.maxPool(conv(h, 4), 2, 2, 'valid');
      const flat = tf.reshape(h, [x.shape[0], 576]);
      const features = tf.relu(tf.add(tf.matMul(flat, p('features.weight')), p('features.bias'))) as tf.Tensor2D;
      const kept = dropout > 0 ? tf.dropout(features, dropout, undefined, dropoutSeed) : features;
      const logits = tf.add(tf.matMul(kept, p('classify.weight')), p('classify.bias')) as tf.Tensor2D;
      return { features, logits };
    });
  }

  /** FeatureDetector: the judge reads 28 x 28 grayscale digits only. */
  checkImageShape(height: number, width: number, channels: number): void {
    if (height !== MNIST_JUDGE_SIZE || width !== MNIST_JUDGE_SIZE || channels !== 1) {
      throw new Error(`the MNIST judge reads 28 x 28 x 1 digits, got images of ${height} x ${width} x ${channels}`);
    }
  }

  /** FeatureDetector: the 128 penultimate features of images [N, 28, 28, 1] float in [0, 1]. */
  features(images: tf.Tensor4D): tf.Tensor2D {
    this.checkImageShape(images.shape[1], images.shape[2], images.shape[3]);
    return tf.tidy(() => {
      const out = this.forward(tf.sub(tf.mul(images, 2), 1) as tf.Tensor4D);
      out.logits.dispose();
      return out.features;
    });
  }

  /**
   * Reads digits given as bytes (N x 784, row-major, 0 = black background as MNIST), in batches: the features
   * [N, 128] and the class probabilities [N, 10] as Float32Arrays.
   */
  async judge(pixels: Uint8Array, options: { batch?: number; onBatch?: (done: number, total: number) => void } = {}):
    Promise<{ features: Float32Array; probs: Float32Array }> {
    const px = MNIST_JUDGE_SIZE * MNIST_JUDGE_SIZE;
    if (pixels.length % px !== 0) {
      throw new Error(`MnistJudge.judge: expected N x ${px} pixel bytes (28x28 grayscale), got ${pixels.length} bytes`);
    }
    const n = pixels.length / px;
    const batch = options.batch ?? 256;
    const features = new Float32Array(n * MNIST_JUDGE_FEATURES);
    const probs = new Float32Array(n * MNIST_JUDGE_CLASSES);
    for (let i = 0; i < n; i += batch) {
      const m = Math.min(batch, n - i);
      const x = bytesToInput(pixels.subarray(i * px, (i + m) * px), m);
      const out = this.forward(x);
      const pr = tf.softmax(out.logits);
      features.set(await out.features.data() as Float32Array, i * MNIST_JUDGE_FEATURES);
      probs.set(await pr.data() as Float32Array, i * MNIST_JUDGE_CLASSES);
      tf.dispose([x, out.features, out.logits, pr]);
      options.onBatch?.(i + m, n);
    }
    return { features, probs };
  }

  /** Frees the weights. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}

/** Pixel bytes of m digits -> [m, 28, 28, 1] float in [-1, 1]. */
export function bytesToInput(pixels: Uint8Array, m: number): tf.Tensor4D {
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < x.length; i++) x[i] = pixels[i]! / 127.5 - 1;
  return tf.tensor4d(x, [m, MNIST_JUDGE_SIZE, MNIST_JUDGE_SIZE, 1]);
}
