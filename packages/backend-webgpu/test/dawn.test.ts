// WebGPU in Node on Dawn, on SwiftShader (no GPU here): adapter reporting, the software-adapter refusal,
// and the AddN replacement against closed forms and the kernel it replaces.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { describeWith, requireSystemDep } from '../../../test/system-deps';
import { replacedWebGPUKernel } from '../src/index';
import { SWIFTSHADER_ICD, useWebGPUInNode, WebGPUUnavailableError } from '../src/dawn.node';

describeWith('swiftshader', 'useWebGPUInNode on SwiftShader', () => {
  let icd: string;
  beforeAll(() => {
    requireSystemDep('swiftshader');
    icd = SWIFTSHADER_ICD;
  });

  it('refuses the software adapter unless allowed, and names it', async () => {
    const err = await useWebGPUInNode({ vulkanICD: icd }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebGPUUnavailableError);
    const e = err as WebGPUUnavailableError;
    expect(e.reason).toBe('software-adapter');
    expect(e.adapter?.architecture).toBe('swiftshader');
    expect(e.adapter?.isSoftware).toBe(true);
    expect(e.message).toMatch(/allowSoftwareAdapter/);
  });

  it('registers webgpu on SwiftShader when allowed and reports the adapter', async () => {
    const info = await useWebGPUInNode({ vulkanICD: icd, allowSoftwareAdapter: true });
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.backend).toBe('webgpu');
    expect(info.adapter.vendor).toBe('google');
    expect(info.adapter.architecture).toBe('swiftshader');
    expect(info.adapter.isFallbackAdapter).toBe(true);
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.matMul(x, x);
    expect(Array.from(await y.data())).toEqual([7, 10, 15, 22]);
    tf.dispose([x, y]);
  });

  it('AddN sums any number of inputs (tfjs alone is wrong past the storage-buffer limit)', async () => {
    await useWebGPUInNode({ vulkanICD: icd, allowSoftwareAdapter: true });
    const before = tf.memory().numTensors;
    for (const n of [1, 2, 7, 8, 11, 12, 23, 40]) {
      const terms = Array.from({ length: n }, (_, i) => tf.fill([5], i + 1));
      const sum = tf.addN(terms);
      // sum_{i=1..n} i = n(n+1)/2
      expect(Array.from(await sum.data())).toEqual(new Array(5).fill((n * (n + 1)) / 2));
      tf.dispose([...terms, sum]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('AddN equals the kernel it replaces where that one is valid', async () => {
    await useWebGPUInNode({ vulkanICD: icd, allowSoftwareAdapter: true });
    const original = replacedWebGPUKernel('AddN');
    expect(original).toBeDefined();
    const terms = Array.from({ length: 5 }, (_, i) => tf.randomNormal([3, 4], 0, 1, 'float32', i));
    const ours = tf.addN(terms);
    const info = original!.kernelFunc({ inputs: terms as unknown as tf.NamedTensorInfoMap, backend: tf.backend(), attrs: {} });
    const theirs = tf.engine().makeTensorFromTensorInfo(info as tf.TensorInfo);
    expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
    tf.dispose([...terms, ours, theirs]);
  });
});
