// Geometric resampling for the augment pipe: every output pixel p (pixel centres at integer coordinates,
// measured from the image centre c = ((W-1)/2, (H-1)/2)) reads the input at
//   q = A (p - c - t) + c                       (A: per-image 2x2 inverse linear map, t: translation, pixels)
// with bilinear interpolation and reflect padding (..., 2, 1, | 0, 1, 2, ..., W-1, | W-2, W-3, ...), as the
// paper's non-leaking augmentations (Appendix F.2; Karras et al. 2020, "Training GANs with limited data").
// Pure tfjs-core ops: runs on every backend, nothing is read back to JavaScript.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Resamples `images` [N, H, W, C] through the inverse map q = A (p - c - t) + c.
 * @param images NHWC float32 images.
 * @param inverse A, [N, 2, 2] acting on (x, y) column vectors (x = column index, y = row index).
 * @param translation t, [N, 2] in pixels (x, y): where the image centre moves to, relative to c.
 * @returns a new [N, H, W, C] float32 tensor; the inputs are not disposed.
 */
export function affineWarp(images: tf.Tensor4D, inverse: tf.Tensor3D, translation: tf.Tensor2D): tf.Tensor4D {
  const [n, h, w, ch] = images.shape;
  return tf.tidy(() => {
    // Output pixel centres relative to the image centre, [2, H*W] (row 0: x, row 1: y).
    const xs = new Float32Array(h * w);
    const ys = new Float32Array(h * w);
    const cx = (w - 1) / 2;
    const cy = (h - 1) / 2;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        xs[y * w + x] = x - cx;
        ys[y * w + x] = y - cy;
      }
    }
    const grid = tf.stack([tf.tensor1d(xs), tf.tensor1d(ys)]) as tf.Tensor2D; // [2, HW]
    const shifted = tf.sub(tf.expandDims(grid, 0), tf.expandDims(translation, 2)) as tf.Tensor3D; // [N, 2, HW]
    const src = tf.matMul(inverse, shifted); // [N, 2, HW]
    const [sxRaw, syRaw] = tf.unstack(src, 1) as [tf.Tensor2D, tf.Tensor2D]; // [N, HW] each
    const sx = tf.add(sxRaw, cx);
    const sy = tf.add(syRaw, cy);
    const x0 = tf.floor(sx);
    const y0 = tf.floor(sy);
    const fx = tf.sub(sx, x0);
    const fy = tf.sub(sy, y0);
    const ix0 = reflectIndex(x0, w);
    const ix1 = reflectIndex(tf.add(x0, 1), w);
    const iy0 = reflectIndex(y0, h);
    const iy1 = reflectIndex(tf.add(y0, 1), h);
    const base = tf.mul(tf.reshape(tf.range(0, n, 1, 'int32'), [n, 1]), tf.scalar(h * w, 'int32'));
    const flat = tf.reshape(images, [n * h * w, ch]);
    const tap = (iy: tf.Tensor, ix: tf.Tensor) =>
      tf.gather(flat, tf.reshape(tf.add(base, tf.add(tf.mul(iy, tf.scalar(w, 'int32')), ix)), [n * h * w]));
    const wx1 = tf.reshape(fx, [n * h * w, 1]);
    const wy1 = tf.reshape(fy, [n * h * w, 1]);
    const wx0 = tf.sub(1, wx1);
    const wy0 = tf.sub(1, wy1);
    const top = tf.add(tf.mul(tap(iy0, ix0), wx0), tf.mul(tap(iy0, ix1), wx1));
    const bottom = tf.add(tf.mul(tap(iy1, ix0), wx0), tf.mul(tap(iy1, ix1), wx1));
    const out = tf.add(tf.mul(top, wy0), tf.mul(bottom, wy1));
    return tf.reshape(out, [n, h, w, ch]) as tf.Tensor4D;
  });
}

/** Integer tap positions (float tensor of whole numbers) reflected into [0, size) without repeating the edge; int32. */
function reflectIndex(i: tf.Tensor, size: number): tf.Tensor {
  if (size === 1) return tf.zeros(i.shape, 'int32');
  const period = 2 * (size - 1);
  const m = tf.mod(i, period); // floored: in [0, period)
  return tf.cast(tf.where(tf.less(m, size), m, tf.sub(period, m)), 'int32');
}
