// JPEG files (jpeg-js, pure JS): decode baseline and progressive 8-bit Huffman JPEGs to an 8-bit grayscale or
// RGB image. Before jpeg-js runs, the markers are walked here (SOI, segment lengths, the frame header, the
// entropy-coded scans, EOI), so a file that is not a JPEG, is cut short, or is of a kind we do not read (CMYK,
// 12-bit, lossless, arithmetic-coded) fails with a message naming the file and what was expected.
import { decode } from 'jpeg-js';
import { CliError, errorMessage } from '../command/errors';
import type { Image8 } from './image';

/** Decoder limits, passed to jpeg-js (which refuses larger images rather than exhausting memory). */
export interface JpegLimits {
  /** Largest image accepted, in megapixels (width x height / 1e6). jpeg-js's `maxResolutionInMP`. Default 100. */
  maxResolutionInMP?: number;
  /** Most memory the decoder may allocate for one image, in MB. jpeg-js's `maxMemoryUsageInMB`. Default 512. */
  maxMemoryUsageInMB?: number;
}

/** What the frame header (SOFn) of a JPEG says. */
export interface JpegFrameInfo {
  width: number;
  height: number;
  /** Number of colour components Nf: 1 = grayscale, 3 = YCbCr/RGB, 4 = CMYK/YCCK. */
  components: number;
  /** Sample precision P in bits (8 for almost all files). */
  precision: number;
  /** True for a progressive DCT frame (SOF2), false for baseline/extended sequential (SOF0/SOF1). */
  progressive: boolean;
}

const hex = (b: number | undefined) => (b === undefined ? 'end of file' : b.toString(16).toUpperCase().padStart(2, '0'));

/** Frame types (the byte after FF) we cannot read, and why. */
const UNSUPPORTED_SOF: Record<number, string> = {
  0xc3: 'lossless', 0xc5: 'differential sequential', 0xc6: 'differential progressive', 0xc7: 'differential lossless',
  0xc9: 'arithmetic-coded sequential', 0xca: 'arithmetic-coded progressive', 0xcb: 'arithmetic-coded lossless',
  0xcd: 'differential arithmetic-coded sequential', 0xce: 'differential arithmetic-coded progressive',
  0xcf: 'differential arithmetic-coded lossless',
};

/**
 * Walks the markers of a JPEG and returns its frame header. Throws a CliError naming `source` when the bytes do
 * not start with SOI (FF D8), a segment or scan runs past the end or the EOI marker (FF D9) is missing
 * (truncated), there is no frame header, or the frame is of an unsupported kind.
 */
export function readJpegFrame(bytes: Uint8Array, source: string): JpegFrameInfo {
  const n = bytes.length;
  if (n < 2 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    throw new CliError(`${source}: not a JPEG (bad SOI marker: expected FF D8, got ${hex(bytes[0])} ${hex(bytes[1])})`);
  }
  let frame: JpegFrameInfo | undefined;
  let p = 2;
  for (;;) {
    // A marker: FF (fill FFs allowed) then a code.
    if (p >= n) throw new CliError(`${source}: truncated (the file ends at byte ${n} before the EOI marker FF D9)`);
    // Extraneous bytes before a marker are skipped, as libjpeg does (with a warning) and jpeg-js tolerates.
    while (p < n && bytes[p] !== 0xff) p++;
    while (p < n && bytes[p] === 0xff) p++;
    if (p >= n) throw new CliError(`${source}: truncated (the file ends at byte ${n} before the EOI marker FF D9)`);
    const code = bytes[p++]!;
    if (code === 0xd9) break; // EOI
    if (code === 0x01 || (code >= 0xd0 && code <= 0xd7)) continue; // TEM, RSTn: no length
    if (p + 2 > n) throw new CliError(`${source}: truncated (segment FF ${hex(code)} at byte ${p - 2} has no length)`);
    const len = (bytes[p]! << 8) | bytes[p + 1]!;
    if (len < 2 || p + len > n) {
      throw new CliError(`${source}: truncated (segment FF ${hex(code)} at byte ${p - 2} needs ${len} bytes, ${n - p} left)`);
    }
    const seg = p + 2;
    p += len;
    if (code in UNSUPPORTED_SOF) {
      throw new CliError(`${source}: unsupported JPEG kind (${UNSUPPORTED_SOF[code]}); expected baseline or progressive Huffman-coded DCT`);
    }
    if (code === 0xc0 || code === 0xc1 || code === 0xc2) {
      if (frame) throw new CliError(`${source}: unsupported JPEG (more than one frame header)`);
      if (len < 8) throw new CliError(`${source}: corrupt JPEG (frame header of ${len} bytes, expected at least 8)`);
      frame = {
        precision: bytes[seg]!,
        height: (bytes[seg + 1]! << 8) | bytes[seg + 2]!,
        width: (bytes[seg + 3]! << 8) | bytes[seg + 4]!,
        components: bytes[seg + 5]!,
        progressive: code === 0xc2,
      };
    } else if (code === 0xda) {
      if (!frame) throw new CliError(`${source}: corrupt JPEG (a scan before the frame header)`);
      // Entropy-coded data: runs until a marker other than a stuffed FF 00 or a restart marker FF D0..D7.
      while (p < n) {
        if (bytes[p] === 0xff && p + 1 < n) {
          const next = bytes[p + 1]!;
          if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) break;
        }
        p++;
      }
    }
  }
  if (!frame) throw new CliError(`${source}: corrupt JPEG (no frame header SOF0/SOF1/SOF2 before EOI)`);
  if (frame.precision !== 8) {
    throw new CliError(`${source}: unsupported ${frame.precision}-bit JPEG; expected 8-bit samples`);
  }
  if (frame.width === 0 || frame.height === 0) {
    throw new CliError(`${source}: corrupt JPEG (frame size ${frame.width}x${frame.height})`);
  }
  if (frame.components !== 1 && frame.components !== 3) {
    const kind = frame.components === 4 ? 'CMYK/YCCK (4 components)' : `${frame.components} components`;
    throw new CliError(`${source}: unsupported JPEG colour model ${kind}; expected grayscale (1 component) or YCbCr/RGB (3)`);
  }
  return frame;
}

/**
 * Decodes JPEG bytes (baseline or progressive, 8-bit) to a 1-channel (grayscale) or 3-channel (RGB) image.
 * EXIF orientation is not applied. Errors name `source`; images over `limits` are refused with the limit named.
 */
export function decodeJpeg(bytes: Uint8Array, source: string, limits: JpegLimits = {}): Image8 {
  const maxResolutionInMP = limits.maxResolutionInMP ?? 100;
  const maxMemoryUsageInMB = limits.maxMemoryUsageInMB ?? 512;
  const frame = readJpegFrame(bytes, source);
  const mp = (frame.width * frame.height) / 1e6;
  if (mp > maxResolutionInMP) {
    throw new CliError(`${source}: the JPEG is ${frame.width}x${frame.height} (${mp.toFixed(1)} MP), over the decoder's limit of ${maxResolutionInMP} MP`);
  }
  let rgb: { width: number; height: number; data: Uint8Array };
  try {
    rgb = decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP, maxMemoryUsageInMB });
  } catch (e) {
    const msg = errorMessage(e);
    if (/maxMemoryUsageInMB/.test(msg)) {
      throw new CliError(`${source}: decoding this ${frame.width}x${frame.height} JPEG needs more than the decoder's memory limit of ${maxMemoryUsageInMB} MB (${msg})`);
    }
    throw new CliError(`${source}: not a readable JPEG file (${msg})`);
  }
  const { width, height } = rgb;
  const px = width * height;
  if (frame.components === 3) return { width, height, channels: 3, data: rgb.data };
  // jpeg-js expands grayscale to R = G = B: keep one.
  const out = new Uint8Array(px);
  for (let i = 0; i < px; i++) out[i] = rgb.data[i * 3]!;
  return { width, height, channels: 1, data: out };
}
