// Center crop and resampling for `edm dataset`: a separable triangle (bilinear) filter whose support widens
// with the downscaling factor, so shrinking averages every source pixel (no aliasing), as PIL's BILINEAR.
import type { Image8 } from '../io/image';

/** Crops the largest centred square (the reference's `center-crop`). */
export function centerCrop(img: Image8): Image8 {
  const s = Math.min(img.width, img.height);
  const x0 = Math.floor((img.width - s) / 2);
  const y0 = Math.floor((img.height - s) / 2);
  const c = img.channels;
  const data = new Uint8Array(s * s * c);
  for (let y = 0; y < s; y++) {
    data.set(img.data.subarray(((y0 + y) * img.width + x0) * c, ((y0 + y) * img.width + x0 + s) * c), y * s * c);
  }
  return { width: s, height: s, channels: c, data };
}

/** Resampling weights along one axis: for each output index, [first source index, weights]. */
function axisWeights(src: number, dst: number): { start: number; w: Float64Array }[] {
  const scale = src / dst;
  const support = Math.max(1, scale);
  return Array.from({ length: dst }, (_, i) => {
    const center = (i + 0.5) * scale;
    const start = Math.max(0, Math.floor(center - support));
    const end = Math.min(src, Math.ceil(center + support));
    const w = new Float64Array(end - start);
    let sum = 0;
    for (let j = start; j < end; j++) {
      const v = Math.max(0, 1 - Math.abs((j + 0.5 - center) / support));
      w[j - start] = v;
      sum += v;
    }
    for (let k = 0; k < w.length; k++) w[k]! /= sum || 1;
    return { start, w };
  });
}

/** Resizes to width x height with an antialiased bilinear filter. */
export function resize(img: Image8, width: number, height: number): Image8 {
  if (img.width === width && img.height === height) return img;
  const c = img.channels;
  const wx = axisWeights(img.width, width);
  const wy = axisWeights(img.height, height);
  const tmp = new Float64Array(img.height * width * c);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < width; x++) {
      const { start, w } = wx[x]!;
      for (let ch = 0; ch < c; ch++) {
        let v = 0;
        for (let k = 0; k < w.length; k++) v += w[k]! * img.data[(y * img.width + start + k) * c + ch]!;
        tmp[(y * width + x) * c + ch] = v;
      }
    }
  }
  const data = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const { start, w } = wy[y]!;
    for (let x = 0; x < width; x++) {
      for (let ch = 0; ch < c; ch++) {
        let v = 0;
        for (let k = 0; k < w.length; k++) v += w[k]! * tmp[((start + k) * width + x) * c + ch]!;
        data[(y * width + x) * c + ch] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
  return { width, height, channels: c, data };
}
