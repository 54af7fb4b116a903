// 8-bit images in memory (HWC, grayscale or RGB) and their conversion to and from the networks' float range:
// x = u8 / 127.5 - 1 on the way in, u8 = clip(x * 127.5 + 128, 0, 255) truncated on the way out, exactly as
// the reference's training loop and generate.py.

/** An 8-bit image, rows top to bottom, channels interleaved (HWC). */
export interface Image8 {
  width: number;
  height: number;
  /** 1 = grayscale, 3 = RGB. */
  channels: 1 | 3;
  /** width * height * channels bytes. */
  data: Uint8Array;
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
