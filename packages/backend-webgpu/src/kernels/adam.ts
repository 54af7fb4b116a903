// @edm/core's Adam step (EdmAdam: torch.optim.Adam's arithmetic after cleaning the gradient) on WebGPU, in WGSL.
// tfjs's WebGPU program has one output, so the step is three elementwise passes (m', v', then the parameter,
// each recomputing the cleaned gradient and m', v' it needs): 3 dispatches per parameter where the composed ops
// take about 17 (a mnist preset training step: 190 parameters, 3000 of its 5900 dispatches). Every scalar as
// float32, the operations in the composed ops' order.
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_KERNEL, checkFloat32, type AdamStepAttrs } from '@edm/core';
import { elementwiseProgram, run, type Uniform } from './program';

// nan_to_num(g, nan=0, posinf=1e5, neginf=-1e5), as the reference cleans gradients.
const CLEANED = `
      fn cleaned(g : f32) -> f32 {
        if (isnan(g)) { return 0.0; }
        if (isinf(g)) { return sign(g) * 100000.0; }
        return g;
      }`;
const M_NEXT = `
      fn mNext(i : i32) -> f32 { let g = cleaned(G[i]); return M[i] * uniforms.beta1 + g * uniforms.oneMinusBeta1; }`;
const V_NEXT = `
      fn vNext(i : i32) -> f32 { let g = cleaned(G[i]); return V[i] * uniforms.beta2 + g * g * uniforms.oneMinusBeta2; }`;

/** EdmAdam for WebGPU: [param', m', v']. */
export const adamWebGPU: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { param, m, v, grad } = inputs as Record<'param' | 'm' | 'v' | 'grad', tf.TensorInfo>;
  checkFloat32(ADAM_KERNEL, { param, m, v, grad });
  const a = attrs as unknown as AdamStepAttrs;
  const u: Uniform[] = [
    { name: 'beta1', type: 'f32', value: a.beta1 }, { name: 'oneMinusBeta1', type: 'f32', value: 1 - a.beta1 },
    { name: 'beta2', type: 'f32', value: a.beta2 }, { name: 'oneMinusBeta2', type: 'f32', value: 1 - a.beta2 },
    { name: 'eps', type: 'f32', value: a.eps }, { name: 'stepSize', type: 'f32', value: a.stepSize },
    { name: 'bc2', type: 'f32', value: a.biasCorrection2 },
  ];
  // Each pass binds only the inputs its shader reads (WebGPU's automatic layout drops unused bindings).
  const pass = (key: string, names: string[], body: string, helpers: string) => run(backend,
    elementwiseProgram(key, names, param.shape, u, body, CLEANED + helpers),
    names.map((name) => ({ P: param, M: m, V: v, G: grad })[name]!), u);
  const m1 = pass('edmAdamM', ['M', 'G'], 'setOutputAtIndex(index, mNext(index));', M_NEXT);
  const v1 = pass('edmAdamV', ['V', 'G'], 'setOutputAtIndex(index, vNext(index));', V_NEXT);
  const p1 = pass('edmAdamP', ['P', 'M', 'V', 'G'], `
          let denom = sqrt(vNext(index) / uniforms.bc2) + uniforms.eps;
          setOutputAtIndex(index, P[index] - mNext(index) / denom * uniforms.stepSize);`, M_NEXT + V_NEXT);
  return [p1, m1, v1];
};
