// @edm/core's 2x nearest-neighbour upsampling kernels (EdmUpsampleNearest2x and its gradient) on WebGPU: one
// elementwise pass each, instead of two tiles forward and two sums backward. The gradient sums each 2x2 block in
// the composed ops' order ((top left + bottom left) + (top right + bottom right)).
import * as tf from '@tensorflow/tfjs-core';
import { UPSAMPLE_NEAREST_GRAD_KERNEL, UPSAMPLE_NEAREST_KERNEL, checkFloat32, upsampleInputShape } from '@edm/core';
import { elementwiseProgram, run, type Uniform } from './program';

/** EdmUpsampleNearest2x for WebGPU: [N,H,W,C] -> [N,2H,2W,C]. */
export const upsampleNearestWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x!;
  checkFloat32(UPSAMPLE_NEAREST_KERNEL, { x });
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const u: Uniform[] = [{ name: 'h', type: 'i32', value: h }, { name: 'w', type: 'i32', value: w }, { name: 'c', type: 'i32', value: c }];
  const body = `
          let ch = index % uniforms.c;
          let col = (index / uniforms.c) % (2 * uniforms.w);
          let row = index / (uniforms.c * 2 * uniforms.w);
          setOutputAtIndex(index, X[((row / 2) * uniforms.w + col / 2) * uniforms.c + ch]);`;
  return run(backend, elementwiseProgram('edmUpsample2x', ['X'], [n, 2 * h, 2 * w, c], u, body), [x], u);
};

/** EdmUpsampleNearest2xGrad for WebGPU: each 2x2 block of dy summed. */
export const upsampleNearestGradWebGPU: tf.KernelFunc = ({ inputs, backend }) => {
  const dy = inputs.dy!;
  checkFloat32(UPSAMPLE_NEAREST_GRAD_KERNEL, { dy });
  const shape = upsampleInputShape(UPSAMPLE_NEAREST_GRAD_KERNEL, dy);
  const [, , w, c] = shape;
  const u: Uniform[] = [{ name: 'w', type: 'i32', value: w }, { name: 'c', type: 'i32', value: c }];
  const body = `
          let ch = index % uniforms.c;
          let col = (index / uniforms.c) % uniforms.w;
          let row = index / (uniforms.c * uniforms.w);
          let rowLen = 2 * uniforms.w * uniforms.c;
          let tl = (2 * row) * rowLen + (2 * col) * uniforms.c + ch;
          let left = DY[tl] + DY[tl + rowLen];
          let right = DY[tl + uniforms.c] + DY[tl + uniforms.c + rowLen];
          setOutputAtIndex(index, left + right);`;
  return run(backend, elementwiseProgram('edmUpsample2xGrad', ['DY'], shape, u, body), [dy], u);
};
