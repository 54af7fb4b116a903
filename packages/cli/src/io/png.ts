// PNG files (pngjs): decode to an 8-bit grayscale or RGB image, encode one. Decoding errors name the file.
import { PNG } from 'pngjs';
import { CliError, errorMessage } from '../command/errors';
import type { Image8 } from './image';

/** Largest PNG decoded, in megapixels (as for JPEG: decoding allocates 4 bytes per pixel, then our copy). */
export const MAX_PNG_MEGAPIXELS = 100;

/** Most memory decoding one PNG may take, MB (as for JPEG). */
export const MAX_PNG_DECODE_MB = 512;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** What a file that is not a PNG starts with, for the message ("text 'hello...'", or its first bytes in hex). */
function describeStart(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 24);
  if (head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))) {
    return `text '${new TextDecoder().decode(head)}${bytes.length > head.length ? '...' : ''}'`;
  }
  return `bytes ${[...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}

/**
 * Checks a PNG's structure before decoding: the signature, an IHDR chunk first, a size within
 * {@link MAX_PNG_MEGAPIXELS} and {@link MAX_PNG_DECODE_MB} of decoding memory, every chunk inside the file and an IEND chunk at the end. Returns the size; throws
 * a CliError naming `source` for an empty, text, truncated or huge file (pngjs's own errors for these are
 * "There are some read requests waiting on finished stream" or a range error).
 */
export function checkPngStructure(bytes: Uint8Array, source: string): { width: number; height: number } {
  if (bytes.length === 0) throw new CliError(`${source}: empty file (0 bytes), not a PNG image`);
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new CliError(`${source}: not a PNG file (no PNG signature; it starts with ${describeStart(bytes)})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 33 || type(12) !== 'IHDR') {
    throw new CliError(`${source}: truncated or damaged PNG: no IHDR chunk after the signature (${bytes.length} bytes)`);
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0) throw new CliError(`${source}: the PNG header says ${width}x${height} pixels`);
  const mp = (width * height) / 1e6;
  if (mp > MAX_PNG_MEGAPIXELS) {
    throw new CliError(`${source}: the PNG header says ${width}x${height} (${mp.toFixed(1)} MP), over the decoder's limit of ${MAX_PNG_MEGAPIXELS} MP`);
  }
  // pngjs holds the inflated and the unfiltered rows, then RGBA; we then copy to 1 or 3 channels.
  const samples = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[bytes[25]!] ?? 4;
  const rawPerPixel = (samples * Math.max(8, bytes[24]!)) / 8;
  const needMB = (width * height * (2 * rawPerPixel + 4 + 3)) / 2 ** 20;
  if (needMB > MAX_PNG_DECODE_MB) {
    throw new CliError(`${source}: decoding this ${width}x${height} PNG needs about ${needMB.toFixed(0)} MB, more than the decoder's memory limit of ${MAX_PNG_DECODE_MB} MB`);
  }
  let at = 8;
  for (;;) {
    if (at + 8 > bytes.length) throw new CliError(`${source}: truncated PNG: the file ends at byte ${bytes.length} before its IEND chunk`);
    const length = view.getUint32(at);
    const name = type(at + 4);
    if (at + 12 + length > bytes.length) {
      throw new CliError(`${source}: truncated PNG: chunk '${name}' at byte ${at} needs ${length + 12} bytes, the file ends at byte ${bytes.length}`);
    }
    at += 12 + length;
    if (name === 'IEND') return { width, height };
  }
}

/**
 * Decodes PNG bytes ({@link checkPngStructure} first). Grayscale and palette/RGB files give 1 and 3 channels; an alpha channel is dropped when
 * fully opaque, otherwise it is an error (the networks take grayscale or RGB). 16-bit files are scaled to 8.
 */
export function decodePng(bytes: Uint8Array, source: string): Image8 {
  let png: { width: number; height: number; data: Buffer; color?: boolean; alpha?: boolean };
  checkPngStructure(bytes, source);
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
