// Where images come from: `mnist`, `mnist-train`, `mnist-heldout` (the built-in digits) or a dataset folder/zip.
import { readDatasetSteps } from './layout';
import { loadMnist, mnistSplit } from './mnist';
import type { Dataset } from './dataset';
import type { Image8 } from '../io/image';
import { drainSteps, type Steps } from '../util/steps';

/**
 * Loads a built-in MNIST split or a dataset folder/zip into memory, yielding after each image read from
 * files (util/steps.ts: `runSteps` stops it on Ctrl-C).
 */
export function* loadDatasetSteps(source: string, maxImages?: number, transform?: (img: Image8) => Image8): Steps<Dataset> {
  const split = mnistSplit(source);
  if (split) {
    const ds = loadMnist(maxImages, split);
    if (!transform) return ds;
    const images = Array.from({ length: ds.count }, (_, i) => {
      const px = ds.width * ds.height;
      return transform({ width: ds.width, height: ds.height, channels: 1, data: ds.pixels.subarray(i * px, (i + 1) * px) });
    });
    const first = images[0]!;
    const pixels = new Uint8Array(images.length * first.data.length);
    images.forEach((img, i) => pixels.set(img.data, i * first.data.length));
    return { ...ds, width: first.width, height: first.height, pixels };
  }
  return yield* readDatasetSteps(source, maxImages, transform);
}

/** Loads a built-in MNIST split or a dataset folder/zip into memory ({@link loadDatasetSteps} run to the end). */
export function loadDataset(source: string, maxImages?: number, transform?: (img: Image8) => Image8): Dataset {
  return drainSteps(loadDatasetSteps(source, maxImages, transform));
}
