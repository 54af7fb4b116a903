// 8-bit images in memory (HWC, grayscale or RGB) and their conversion to and from the networks' float range:
// x = u8 / 127.5 - 1 on the way in, u8 = clip(x * 127.5 + 128, 0, 255) truncated on the way out, exactly as
// the reference's training loop and generate.py. Image files (PNG, JPEG) are decoded by `decodeImage`.
import { CliError } from '../command/errors';
import { decodeJpeg } from './jpeg';
import { decodePng } from './png';

/** File names `decodeImage` reads (the extension picks the decoder when the content is not recognised). */
export const IMAGE_FILE_EXT = /\.(png|jpe?g)$/i;

/** An 8-bit image, rows top to bottom, channels interleaved (HWC). */
export interface Image8 {
  width: number;
  height: number;
  /** 1 = grayscale, 3 = RGB. */
  channels: 1 | 3;
  /** width * height * channels bytes. */
  data: Uint8Array;
}

/**
 * Decodes a PNG or JPEG file to an 8-bit grayscale or RGB image. The format is recognised from the content (the
 * PNG signature 89 50 4E 47, or the JPEG SOI marker FF D8 FF), as PIL does, so a PNG named .jpg still reads;
 * otherwise the extension of `source` picks the decoder, whose error then says what was expected. Errors name
 * `source`.
 */
export function decodeImage(bytes: Uint8Array, source: string): Image8 {
  const isPng = bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (isPng) return decodePng(bytes, source);
  if (isJpeg) return decodeJpeg(bytes, source);
  if (/\.png$/i.test(source)) return decodePng(bytes, source);
  if (/\.jpe?g$/i.test(source)) return decodeJpeg(bytes, source);
  throw new CliError(`${source}: unsupported image file; expected PNG (.png) or JPEG (.jpg, .jpeg)`);
}

/** Maps float pixels in [-1, 1] (any length) to bytes as the reference: clip(x * 127.5 + 128, 0, 255). */
export function floatToBytes(x: Float32Array | number[]): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! * 127.5 + 128;
    out[i] = v <= 0 || Number.isNaN(v) ? 0 : v >= 255 ? 255 : Math.floor(v);
  }
  return out;
}

/** Maps bytes to floats in [-1, 1] as the reference training loop: u8 / 127.5 - 1. */
export function bytesToFloat(data: Uint8Array, out = new Float32Array(data.length), offset = 0): Float32Array {
  for (let i = 0; i < data.length; i++) out[offset + i] = data[i]! / 127.5 - 1;
  return out;
}

/** Splits an NHWC float batch ([-1, 1]) into 8-bit images. */
export function batchToImages(data: Float32Array, n: number, height: number, width: number, channels: 1 | 3): Image8[] {
  const size = height * width * channels;
  const bytes = floatToBytes(data);
  return Array.from({ length: n }, (_, i) => ({ width, height, channels, data: bytes.slice(i * size, (i + 1) * size) }));
}
