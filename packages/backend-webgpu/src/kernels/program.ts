// Our WGSL programs in tfjs's WebGPU program form (its WebGPUProgram: the shader body, the inputs' names, the
// output shape, the dispatch), run by the backend's runWebGPUProgram, which adds the bindings (inputs as
// `var<storage, read> NAME: array<f32>`, the output as `result`), the uniforms and the entry point. Written here
// rather than taken from tfjs-backend-webgpu's helpers: in Node that package may load only after Dawn's globals
// exist, so kernels registered before it must not import it.
import type * as tf from '@tensorflow/tfjs-core';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** The parts of tfjs's WebGPUBackend our kernels use. */
export interface WebGPUBackendLike {
  runWebGPUProgram(program: WebGPUProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType,
    programDefinedUniform?: { type: string; data: number[] }[]): tf.TensorInfo;
}

/** A uniform of ours: its WGSL declaration name and type ('i32' or 'f32') and its value. */
export interface Uniform {
  name: string;
  type: 'i32' | 'f32';
  value: number;
}

const WORKGROUP = 128;

function program(key: string, inputs: string[], outputShape: number[], uniforms: Uniform[], body: string,
  dispatch: [number, number, number], workgroupSize: [number, number, number], size: boolean): WebGPUProgram {
  return {
    variableNames: inputs,
    outputShape,
    shaderKey: key,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch,
    workgroupSize,
    size,
    uniforms: uniforms.map((u) => `${u.name} : ${u.type},`).join(' '),
    getUserCode: () => body,
  };
}

/**
 * One invocation per output element: `body` is the code of `fn main(index : i32)`, with `uniforms.size` the
 * element count (checked before it runs).
 */
export function elementwiseProgram(key: string, inputs: string[], outputShape: number[], uniforms: Uniform[],
  body: string, helpers = ''): WebGPUProgram {
  const n = outputShape.reduce((a, b) => a * b, 1);
  return program(key, inputs, outputShape, uniforms, `${helpers}
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
        }
      }`, [Math.max(1, Math.ceil(n / WORKGROUP)), 1, 1], [WORKGROUP, 1, 1], true);
}

/** Threads of one workgroup of {@link workgroupProgram}. */
export const REDUCE_THREADS = 64;

/**
 * One workgroup of REDUCE_THREADS invocations per unit of work (`groups` of them): `body` is the code of
 * `fn main(index : i32)` with `group` (the workgroup's unit) and `lane` (its invocation, 0..REDUCE_THREADS-1)
 * defined, and the helpers `reduceSum(v, slot)` (the workgroup's sum of v, slot 0 or 1 of the shared scratch)
 * available.
 */
export function workgroupProgram(key: string, inputs: string[], outputShape: number[], groups: number, uniforms: Uniform[],
  body: string, helpers = ''): WebGPUProgram {
  return program(key, inputs, outputShape, uniforms, `
      var<workgroup> scratch : array<f32, ${2 * REDUCE_THREADS}>;
      // The sum of v over the workgroup (a tree over the shared scratch); every invocation gets it.
      fn reduceSum(v : f32, slot : i32) -> f32 {
        let base = slot * ${REDUCE_THREADS};
        let lane = i32(localIndex);
        scratch[base + lane] = v;
        workgroupBarrier();
        for (var half = ${REDUCE_THREADS / 2}; half > 0; half = half / 2) {
          if (lane < half) {
            scratch[base + lane] = scratch[base + lane] + scratch[base + lane + half];
          }
          workgroupBarrier();
        }
        let total = scratch[base];
        workgroupBarrier();
        return total;
      }
      ${helpers}
      fn main(index : i32) {
        let group = i32(workgroupId.x);
        let lane = i32(localIndex);
        ${body}
      }`, [Math.max(1, groups), 1, 1], [REDUCE_THREADS, 1, 1], false);
}

/** The uniforms' values as runWebGPUProgram takes them. */
export function uniformData(uniforms: Uniform[]): { type: string; data: number[] }[] {
  return uniforms.map((u) => ({ type: u.type === 'i32' ? 'int32' : 'float32', data: [u.value] }));
}

/** Runs a program on the backend: one float32 output. */
export function run(backend: unknown, prog: WebGPUProgram, inputs: tf.TensorInfo[], uniforms: Uniform[]): tf.TensorInfo {
  return (backend as WebGPUBackendLike).runWebGPUProgram(prog, inputs, 'float32', uniformData(uniforms));
}
