// Feature detectors and the batch loop that feeds them. A detector maps images to feature vectors (the FID
// Inception's 2048 pool3 features, the MNIST judge's 128 penultimate ones); every metric of this package
// works on those vectors, so any detector can feed them. Images are NHWC, as float32 in [0, 1] or as bytes
// (0-255, divided by 255 as pytorch-fid's ToTensor does).
import * as tf from '@tensorflow/tfjs-core';

/** A network that turns images into feature vectors. */
export interface FeatureDetector {
  /** Recorded in reference statistics, e.g. `fid-inception-v3`; a reference of another name is refused. */
  readonly name: string;
  /** Hex hash of the weights, recorded beside the name (a reference made with other weights is refused). */
  readonly hash: string;
  /** Width of a feature vector. */
  readonly featureDim: number;
  /** Images per forward pass that suit this detector (memory and speed). */
  readonly batchSize: number;
  /**
   * Throws a clear error when images of this size cannot be read (e.g. a judge made for 28 x 28 x 1 digits).
   * Absent: any size and 1 or 3 channels.
   */
  checkImageShape?(height: number, width: number, channels: number): void;
  /** Features [N, featureDim] of images [N, H, W, C] float32 in [0, 1]. The caller disposes both. */
  features(images: tf.Tensor4D): tf.Tensor2D;
  /** Frees the weights. */
  dispose(): void;
}

/** A batch of images, NHWC: bytes 0-255 or float32 in [0, 1]. */
export interface ImageBatch {
  data: Uint8Array | Float32Array;
  /** [count, height, width, channels]. */
  shape: [number, number, number, number];
}

/** Images read batch by batch (files, samples of a network, a dataset in memory). */
export interface ImageSource {
  /** Number of images. */
  readonly count: number;
  /** Images [start, start + n). Errors should name the offending image (a file name). */
  read(start: number, n: number): ImageBatch | Promise<ImageBatch>;
}

/** An {@link ImageSource} over images already in memory. */
export function imagesInMemory(data: Uint8Array | Float32Array, shape: [number, number, number, number]): ImageSource {
  const [count, h, w, c] = shape;
  const per = h * w * c;
  if (data.length !== count * per) {
    throw new Error(`images: ${data.length} values do not make ${count} images of ${h} x ${w} x ${c} (${count * per} values)`);
  }
  return {
    count,
    read: (start, n) => ({ data: data.subarray(start * per, (start + n) * per), shape: [n, h, w, c] }),
  };
}

/** An image batch as a float32 tensor in [0, 1] (bytes / 255). */
export function batchToTensor(batch: ImageBatch): tf.Tensor4D {
  const { data, shape } = batch;
  if (data instanceof Float32Array) return tf.tensor4d(data, shape);
  const x = new Float32Array(data.length);
  for (let i = 0; i < x.length; i++) x[i] = data[i]! / 255;
  return tf.tensor4d(x, shape);
}

/** Options of {@link computeFeatures}. */
export interface ComputeFeaturesOptions {
  /** Images per forward pass. Default: the detector's. */
  batchSize?: number;
  /** Called after each batch with the images done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Features of every image of `source`, [count, featureDim] row-major, computed batch by batch on the active
 * tfjs backend. Every image must have the first one's height, width and channels (an error names the first
 * that differs).
 */
export async function computeFeatures(
  detector: FeatureDetector,
  source: ImageSource,
  options: ComputeFeaturesOptions = {},
): Promise<Float32Array> {
  const batchSize = options.batchSize ?? detector.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`computeFeatures: batchSize must be a positive integer, got ${batchSize}`);
  const { count } = source;
  const d = detector.featureDim;
  const out = new Float32Array(count * d);
  let first: [number, number, number] | undefined;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const batch = await source.read(start, n);
    const [bn, h, w, c] = batch.shape;
    if (bn !== n) throw new Error(`computeFeatures: the source gave ${bn} images for [${start}, ${start + n})`);
    if (!first) {
      if (c !== 1 && c !== 3) throw new Error(`computeFeatures: images must have 1 or 3 channels, got ${c}`);
      detector.checkImageShape?.(h, w, c);
      first = [h, w, c];
    } else if (h !== first[0] || w !== first[1] || c !== first[2]) {
      throw new Error(`computeFeatures: image ${start} is ${h} x ${w} x ${c}, the first was ${first.join(' x ')}: all images must have one size`);
    }
    const x = batchToTensor(batch);
    const f = detector.features(x);
    out.set(await f.data() as Float32Array, start * d);
    tf.dispose([x, f]);
    options.onProgress?.(start + n, count);
  }
  return out;
}
