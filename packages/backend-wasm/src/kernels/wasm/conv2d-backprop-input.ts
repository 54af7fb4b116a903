// Conv2DBackpropInput for wasm: tfjs's own is a naive single-threaded loop (54% of a small DDPM++ training step, measured).
// The input gradient of y = conv2d(x, W) is a stride-1 convolution of the output gradient, with zeros
// inserted between its rows/columns for a strided forward conv, padded by fh - 1 - top, with the spatially
// flipped, in/out-swapped filter:
//   dx = conv2d(pad(insertZeros(dy, s)), reverse(W, [0, 1])^T[fh, fw, Co, Ci], 1, 'valid').
// One conv2d (ours or XNNPACK's, conv2d.ts); at stride 1 the padding is the convolution's own, so our kernel
// reads dy in place. The same kernel serves conv2dTranspose.
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, convGeometry, insertZeros, spatialWindow } from '../geometry';
import type { ConvGeometryAttrs } from '../geometry';
import { heapView, type WasmHeapBackend } from './heap';

/** Attributes of tfjs's Conv2DBackpropInput kernel. */
interface Attrs extends ConvGeometryAttrs {
  dataFormat: 'NHWC' | 'NCHW';
  inputShape: [number, number, number, number];
}

/**
 * The filter [fh, fw, Ci, Co] rotated by 180 degrees with its channel axes swapped, [fh, fw, Co, Ci]: the input
 * gradient's filter. On the wasm heap one loop over the (small) filter, where tf.reverse and tf.transpose are two
 * kernel calls, whose engine overhead cost more than the copies (44 input gradients per mnist training step).
 */
function flippedFilter(filter: tf.Tensor4D): tf.Tensor4D {
  if (tf.getBackend() !== 'wasm' || filter.dtype !== 'float32') {
    return tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  }
  const [fh, fw, ci, co] = filter.shape;
  const backend = tf.backend() as unknown as WasmHeapBackend;
  const out = backend.makeOutput([fh, fw, co, ci], 'float32');
  // Views after the allocation: growing the heap detaches earlier views.
  const src = heapView(backend, filter as unknown as tf.TensorInfo) as Float32Array;
  const dst = heapView(backend, out) as Float32Array;
  for (let ky = 0; ky < fh; ky++) {
    for (let kx = 0; kx < fw; kx++) {
      const from = ((fh - 1 - ky) * fw + (fw - 1 - kx)) * ci * co;
      const to = (ky * fw + kx) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) dst[to + o * ci + i] = src[from + i * co + o]!;
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
}

/** dx [N,H,W,Ci] from dy [N,Ho,Wo,Co] and W [fh,fw,Ci,Co] (NHWC). */
export function conv2dInputGradient(inputShape: [number, number, number, number], dy: tf.Tensor4D, filter: tf.Tensor4D,
  attrs: ConvGeometryAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const [fh, fw] = filter.shape;
    const [, h, w] = inputShape;
    const g = convGeometry(inputShape, filter.shape, attrs, false);
    const flipped = flippedFilter(filter); // [fh, fw, Co, Ci]
    // The window of (zero-inserted) dy the convolution reads: rows [rowStart, rowStart + h + fh - 1), columns
    // likewise; outside dy, zeros.
    const rowStart = g.padTop - (fh - 1);
    const colStart = g.padLeft - (fw - 1);
    if (g.strideHeight === 1 && g.strideWidth === 1) {
      // A window that only pads dy: the convolution's own padding (read in place by our kernel, no copy).
      const [top, bottom] = [-rowStart, rowStart + h + fh - 1 - dy.shape[1]];
      const [left, right] = [-colStart, colStart + w + fw - 1 - dy.shape[2]];
      if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) {
        return tf.conv2d(dy, flipped, 1, [[0, 0], [top, bottom], [left, right], [0, 0]]);
      }
    }
    const dyUp = insertZeros(dy, g.strideHeight, g.strideWidth);
    const dyWin = spatialWindow(dyUp, rowStart, h + fh - 1, colStart, w + fw - 1);
    return tf.conv2d(dyWin, flipped, 1, 'valid');
  });
}

/** The kernel function registered for 'wasm'. */
export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as Attrs;
  return tf.tidy(() => {
    let dy = asTensor<tf.Rank.R4>(inputs.dy!);
    const filter = asTensor<tf.Rank.R4>(inputs.filter!);
    let shape = a.inputShape;
    if (a.dataFormat === 'NCHW') {
      dy = tf.transpose(dy, [0, 2, 3, 1]);
      shape = [shape[0], shape[2], shape[3], shape[1]];
    }
    const dx = conv2dInputGradient(shape, dy, filter, a);
    return a.dataFormat === 'NCHW' ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
};
