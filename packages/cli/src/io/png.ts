// PNG files (pngjs): decode to an 8-bit grayscale or RGB image, encode one. Decoding errors name the file.
import { PNG } from 'pngjs';
import { CliError, errorMessage } from '../command/errors';
import type { Image8 } from './image';

/**
 * Decodes PNG bytes. Grayscale and palette/RGB files give 1 and 3 channels; an alpha channel is dropped when
 * fully opaque, otherwise it is an error (the networks take grayscale or RGB). 16-bit files are scaled to 8.
 */
export function decodePng(bytes: Uint8Array, source: string): Image8 {
  let png: { width: number; height: number; data: Buffer; color?: boolean; alpha?: boolean };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as typeof png;
  } catch (e) {
    throw new CliError(`${source}: not a readable PNG file (${errorMessage(e)})`);
  }
  const { width, height, data } = png;
  const channels: 1 | 3 = png.color ? 3 : 1;
  const out = new Uint8Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    if (data[p * 4 + 3] !== 255) {
      throw new CliError(`${source}: the image has transparent pixels (alpha < 255); expected grayscale or RGB without transparency`);
    }
    if (channels === 1) out[p] = data[p * 4]!;
    else for (let c = 0; c < 3; c++) out[p * 3 + c] = data[p * 4 + c]!;
  }
  return { width, height, channels, data: out };
}

/** Encodes an image as an 8-bit grayscale or RGB PNG. */
export function encodePng(img: Image8): Uint8Array {
  const expected = img.width * img.height * img.channels;
  if (img.data.length !== expected) {
    throw new Error(`encodePng: expected ${expected} bytes for ${img.width}x${img.height}x${img.channels}, got ${img.data.length}`);
  }
  const colorType = img.channels === 1 ? 0 : 2;
  const buf = PNG.sync.write(
    { width: img.width, height: img.height, data: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength) } as PNG,
    { colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 },
  );
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
