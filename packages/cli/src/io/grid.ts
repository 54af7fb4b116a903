// Image grids: n images of the same size tiled row by row into one image, as the reference's training loop
// saves its sample grids.
import type { Image8 } from './image';

/** Columns of a near-square grid for n images (ceil(sqrt(n))). */
export function gridColumns(n: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(n)));
}

/**
 * Tiles `images` (all the same size and channels) into a grid with `columns` columns (default near-square)
 * and `padding` pixels of `background` between and around tiles.
 */
export function makeGrid(images: readonly Image8[], columns = gridColumns(images.length), padding = 0, background = 0): Image8 {
  if (images.length === 0) throw new Error('makeGrid: no images');
  const { width: w, height: h, channels: c } = images[0]!;
  for (const [i, img] of images.entries()) {
    if (img.width !== w || img.height !== h || img.channels !== c) {
      throw new Error(`makeGrid: image ${i} is ${img.width}x${img.height}x${img.channels}, expected ${w}x${h}x${c}`);
    }
  }
  const rows = Math.ceil(images.length / columns);
  const width = columns * w + (columns + 1) * padding;
  const height = rows * h + (rows + 1) * padding;
  const data = new Uint8Array(width * height * c).fill(background);
  images.forEach((img, i) => {
    const x0 = padding + (i % columns) * (w + padding);
    const y0 = padding + Math.floor(i / columns) * (h + padding);
    for (let y = 0; y < h; y++) {
      data.set(img.data.subarray(y * w * c, (y + 1) * w * c), ((y0 + y) * width + x0) * c);
    }
  });
  return { width, height, channels: c, data };
}
