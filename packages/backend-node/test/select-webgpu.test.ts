// The webgpu engine on SwiftShader (Debian chromium's Vulkan driver; CI installs it): refused unless the
// software adapter is allowed, then chosen and reported with its adapter.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeWith } from '../../../test/system-deps';
import { SWIFTSHADER_ICD } from '@edm/backend-webgpu/node';
import { useNodeBackend } from '../src/index';

describeWith('swiftshader', 'useNodeBackend with WebGPU on SwiftShader', () => {
  it('skips the software adapter by default, uses it when allowed', async () => {
    const refused = await useNodeBackend({ backend: 'webgpu', webgpu: { vulkanICD: SWIFTSHADER_ICD } });
    expect(refused.skipped[0]).toMatchObject({ name: 'webgpu', code: 'software-adapter' });
    expect(refused.skipped[0]!.reason).toMatch(/swiftshader.*allowSoftwareAdapter: true/s);
    expect(refused.engine).toBe('wasm');

    const report = await useNodeBackend({ backend: 'webgpu', allowSoftwareAdapter: true, webgpu: { vulkanICD: SWIFTSHADER_ICD } });
    expect(report.engine).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(report.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', isSoftware: true });
    const y = tf.sum(tf.range(1, 101));
    expect(await y.data()).toEqual(new Float32Array([5050]));
    y.dispose();
  });
});
