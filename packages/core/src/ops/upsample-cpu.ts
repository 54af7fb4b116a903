// The 2x nearest-neighbour upsampling kernels (ops/upsample.ts) for tfjs's 'cpu' backend, as loops over the
// backend's arrays. Registered by name: this module imports no backend.
import * as tf from '@tensorflow/tfjs-core';
import { checkFloat32 } from './check-float32';
import { UPSAMPLE_NEAREST_GRAD_KERNEL, UPSAMPLE_NEAREST_KERNEL } from './upsample';

/** The parts of tfjs-backend-cpu's MathBackendCPU these kernels use. */
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): tf.TensorInfo;
}

/** y [N,2H,2W,C] from x [N,H,W,C]: each pixel into its 2x2 block. */
export function upsampleNearestLoop(x: Float32Array, [n, h, w, c]: readonly number[], y: Float32Array): void {
  const outRow = 2 * w * c;
  for (let r = 0; r < n! * h!; r++) {
    const src = r * w! * c!;
    const dst = 2 * r * outRow;
    for (let j = 0; j < w!; j++) {
      for (let k = 0; k < c!; k++) {
        const v = x[src + j * c! + k]!;
        y[dst + 2 * j * c! + k] = v;
        y[dst + (2 * j + 1) * c! + k] = v;
      }
    }
    y.copyWithin(dst + outRow, dst, dst + outRow);
  }
}

/** dx [N,H,W,C] from dy [N,2H,2W,C]: (top left + bottom left) + (top right + bottom right) per block. */
export function upsampleNearestGradLoop(dy: Float32Array, [n, h, w, c]: readonly number[], dx: Float32Array): void {
  const inRow = 2 * w! * c!;
  for (let r = 0; r < n! * h!; r++) {
    const top = 2 * r * inRow;
    for (let j = 0; j < w!; j++) {
      const tl = top + 2 * j * c!;
      for (let k = 0; k < c!; k++) {
        const left = Math.fround(dy[tl + k]! + dy[tl + inRow + k]!);
        const right = Math.fround(dy[tl + c! + k]! + dy[tl + c! + inRow + k]!);
        dx[(r * w! + j) * c! + k] = left + right;
      }
    }
  }
}

/** The shape [N,H,W,C] of the upsampling's input for an output gradient dy (throws unless H and W are even). */
export function upsampleInputShape(kernel: string, dy: tf.TensorInfo): [number, number, number, number] {
  const [n, h2, w2, c] = dy.shape as [number, number, number, number];
  if (dy.shape.length !== 4 || h2 % 2 !== 0 || w2 % 2 !== 0) {
    throw new Error(`${kernel}: dy must be NHWC with even height and width, got shape [${dy.shape}]`);
  }
  return [n, h2 / 2, w2 / 2, c];
}

const upsampleCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as CpuBackend;
  const x = inputs.x!;
  checkFloat32(UPSAMPLE_NEAREST_KERNEL, { x });
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const y = new Float32Array(4 * n * h * w * c);
  upsampleNearestLoop(b.data.get(x.dataId).values as Float32Array, x.shape, y);
  return b.makeTensorInfo([n, 2 * h, 2 * w, c], 'float32', y);
};

const upsampleGradCpu: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as CpuBackend;
  const dy = inputs.dy!;
  checkFloat32(UPSAMPLE_NEAREST_GRAD_KERNEL, { dy });
  const shape = upsampleInputShape(UPSAMPLE_NEAREST_GRAD_KERNEL, dy);
  const dx = new Float32Array(tf.util.sizeFromShape(shape));
  upsampleNearestGradLoop(b.data.get(dy.dataId).values as Float32Array, shape, dx);
  return b.makeTensorInfo(shape, 'float32', dx);
};

/** Registers both kernels for 'cpu' (idempotent). */
export function registerUpsampleCpuKernels(): void {
  if (!tf.getKernel(UPSAMPLE_NEAREST_KERNEL, 'cpu')) {
    tf.registerKernel({ kernelName: UPSAMPLE_NEAREST_KERNEL, backendName: 'cpu', kernelFunc: upsampleCpu });
  }
  if (!tf.getKernel(UPSAMPLE_NEAREST_GRAD_KERNEL, 'cpu')) {
    tf.registerKernel({ kernelName: UPSAMPLE_NEAREST_GRAD_KERNEL, backendName: 'cpu', kernelFunc: upsampleGradCpu });
  }
}
