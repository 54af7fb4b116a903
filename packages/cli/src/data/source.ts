// Where images come from: `mnist`, `mnist-train`, `mnist-heldout` (the built-in digits) or a dataset folder/zip.
import { readDatasetFiles } from './layout';
import { loadMnist, mnistSplit } from './mnist';
import type { Dataset } from './dataset';
import type { Image8 } from '../io/image';

/** Loads a built-in MNIST split or a dataset folder/zip into memory. */
export function loadDataset(source: string, maxImages?: number, transform?: (img: Image8) => Image8): Dataset {
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
  return readDatasetFiles(source, maxImages, transform);
}
