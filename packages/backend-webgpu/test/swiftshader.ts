// Test helper: SwiftShader (Debian chromium's Vulkan ICD) must be installed; CI's .ci/run installs it.
import { existsSync } from 'node:fs';
import { SWIFTSHADER_ICD } from '../src/dawn.node';

/** Throws a message saying what to install when SwiftShader's ICD or libvulkan is missing. */
export function requireSwiftShader(): string {
  const libvulkan = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];
  if (!existsSync(SWIFTSHADER_ICD) || !libvulkan.some((p) => existsSync(p))) {
    throw new Error(`WebGPU tests need SwiftShader: ${SWIFTSHADER_ICD} and libvulkan.so.1 ` +
      '(apt-get install chromium libvulkan1; .ci/run does this)');
  }
  return SWIFTSHADER_ICD;
}
