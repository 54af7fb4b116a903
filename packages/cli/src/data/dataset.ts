// A dataset in memory: N 8-bit images of one size and channel count, with optional integer class labels.
// This is what `edm train` reads and `edm dataset` writes, whatever the source (folder, zip, MNIST).
import { CliError } from '../command/errors';
import type { Image8 } from '../io/image';

/** Images and labels in memory. */
export interface Dataset {
  /** Where it came from (for messages and config.json). */
  source: string;
  /** Number of images N. */
  count: number;
  /** Image width = height for training; dataset files may be non-square. */
  width: number;
  height: number;
  /** 1 = grayscale, 3 = RGB. */
  channels: 1 | 3;
  /** N * H * W * C bytes, image after image (HWC). */
  pixels: Uint8Array;
  /** Class label of each image, or null for an unlabelled dataset. */
  labels: Int32Array | null;
  /** Number of classes (max label + 1), 0 when unlabelled. */
  labelDim: number;
  /** File name of each image inside the dataset (for dataset.json), when known. */
  names?: string[];
}

/** Image `i` of a dataset as an Image8 (a view, not a copy). */
export function datasetImage(ds: Dataset, i: number): Image8 {
  const size = ds.width * ds.height * ds.channels;
  return { width: ds.width, height: ds.height, channels: ds.channels, data: ds.pixels.subarray(i * size, (i + 1) * size) };
}

/** Builds a Dataset from images that must share size and channels (errors name the offending image). */
export function datasetFromImages(source: string, images: readonly Image8[], labels: (number | null)[] | null, names?: string[]): Dataset {
  if (images.length === 0) throw new CliError(`${source}: no images`);
  const first = images[0]!;
  const size = first.width * first.height * first.channels;
  const pixels = new Uint8Array(images.length * size);
  images.forEach((img, i) => {
    if (img.width !== first.width || img.height !== first.height || img.channels !== first.channels) {
      const name = names?.[i] ?? `image ${i}`;
      throw new CliError(
        `${source}: ${name} is ${img.width}x${img.height} with ${img.channels} channel(s), but ${names?.[0] ?? 'image 0'} is ` +
        `${first.width}x${first.height} with ${first.channels}; all images must have the same size and channels ` +
        `(use 'edm dataset --resolution' to resize)`,
      );
    }
    pixels.set(img.data, i * size);
  });
  let labelArr: Int32Array | null = null;
  let labelDim = 0;
  if (labels) {
    labelArr = new Int32Array(images.length);
    labels.forEach((l, i) => {
      if (l === null || !Number.isInteger(l) || l < 0) {
        throw new CliError(`${source}: label of ${names?.[i] ?? `image ${i}`} is ${JSON.stringify(l)}; expected an integer >= 0`);
      }
      labelArr![i] = l;
      labelDim = Math.max(labelDim, l + 1);
    });
  }
  return { source, count: images.length, width: first.width, height: first.height, channels: first.channels, pixels, labels: labelArr, labelDim, names };
}
