// Drawing images on a canvas: NHWC float batches in [-1, 1] to 8-bit pixels exactly as `edm generate` writes
// PNGs (u8 = clip(floor(x * 127.5 + 128), 0, 255), the reference generate.py), tiled as its --grid
// (ceil(sqrt(N)) columns, row by row, no padding). The canvas keeps the images' own resolution; CSS enlarges
// it without smoothing, so canvas pixels are the image's bytes.

/** Float pixels in [-1, 1] to bytes, as the reference: clip(x * 127.5 + 128, 0, 255), truncated. */
export function floatToBytes(x: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! * 127.5 + 128;
    out[i] = v <= 0 || Number.isNaN(v) ? 0 : v >= 255 ? 255 : Math.floor(v);
  }
  return out;
}

/** Columns of the grid for n images (as `edm generate --grid`). */
export function gridColumns(n: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(n)));
}

/** The shape of a batch: n images of size x size with 1 (gray) or 3 (RGB) channels. */
export interface BatchShape {
  n: number;
  size: number;
  channels: number;
}

/** Tiles a NHWC float batch into RGBA pixels of a grid (cells without an image are black). */
export function gridPixels(data: ArrayLike<number>, shape: BatchShape): { width: number; height: number; rgba: Uint8ClampedArray<ArrayBuffer> } {
  const { n, size, channels } = shape;
  if (channels !== 1 && channels !== 3) throw new Error(`render: images must have 1 or 3 channels, got ${channels}`);
  if (data.length !== n * size * size * channels) {
    throw new Error(`render: expected ${n * size * size * channels} values for [${n}, ${size}, ${size}, ${channels}], got ${data.length}`);
  }
  const cols = gridColumns(n);
  const rows = Math.ceil(n / cols);
  const width = cols * size;
  const height = rows * size;
  const bytes = floatToBytes(data);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let k = 3; k < rgba.length; k += 4) rgba[k] = 255;
  for (let i = 0; i < n; i++) {
    const x0 = (i % cols) * size;
    const y0 = Math.floor(i / cols) * size;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const src = ((i * size + y) * size + x) * channels;
        const dst = ((y0 + y) * width + x0 + x) * 4;
        rgba[dst] = bytes[src]!;
        rgba[dst + 1] = bytes[src + (channels === 3 ? 1 : 0)]!;
        rgba[dst + 2] = bytes[src + (channels === 3 ? 2 : 0)]!;
      }
    }
  }
  return { width, height, rgba };
}

/** Draws a batch on the canvas (resizing the canvas to the grid). */
export function drawGrid(canvas: HTMLCanvasElement, data: ArrayLike<number>, shape: BatchShape): void {
  const { width, height, rgba } = gridPixels(data, shape);
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('render: the canvas has no 2D context');
  ctx.putImageData(new ImageData(rgba, width, height), 0, 0);
}
