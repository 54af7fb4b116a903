// Node: WebGPU through Dawn (npm `webgpu`). Dawn's `navigator.gpu` and the WebGPU globals (GPUBufferUsage,
// ...) must exist before tfjs's WebGPU backend is imported, so that import happens in registerWebGPUBackend,
// after this module set them up. Without a GPU, Dawn can run on SwiftShader's Vulkan driver (shipped by
// Debian's `chromium`): pass `vulkanICD: SWIFTSHADER_ICD` and `allowSoftwareAdapter: true`.
// Entry point `@edm/backend-webgpu/node`: never imported by the browser entry.
import '@edm/core';
import { existsSync } from 'node:fs';
import type { GPULike } from './adapter-info';
import { errorMessage, WebGPUUnavailableError } from './errors';
import { registerWebGPUBackend } from './register';
import type { WebGPUBackendInfo, WebGPUOptions } from './register';

/** SwiftShader's Vulkan ICD as installed by Debian's `chromium` package. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Options of {@link useWebGPUInNode}. */
export interface NodeWebGPUOptions extends WebGPUOptions {
  /** Dawn toggles for `create()`, e.g. `['backend=vulkan']`. Default `[]`. Read once, by the first call. */
  dawnFlags?: string[];
  /**
   * A Vulkan ICD manifest (sets `VK_ICD_FILENAMES` before Dawn starts), e.g. {@link SWIFTSHADER_ICD} to run on
   * the CPU. Default: the environment's own `VK_ICD_FILENAMES`, i.e. the installed drivers. Read once, by the
   * first call in the process (Dawn reads it when it starts).
   */
  vulkanICD?: string;
}

let dawnGPU: Promise<GPULike> | null = null;

async function startDawn(options: NodeWebGPUOptions): Promise<GPULike> {
  if (options.vulkanICD !== undefined) {
    if (!existsSync(options.vulkanICD)) {
      throw new WebGPUUnavailableError(`WebGPU: vulkanICD '${options.vulkanICD}' does not exist` +
        (options.vulkanICD === SWIFTSHADER_ICD ? ' (install Debian\'s chromium: apt-get install chromium libvulkan1)' : ''),
      'no-adapter');
    }
    process.env.VK_ICD_FILENAMES = options.vulkanICD;
  }
  let mod: { create(flags: string[]): unknown; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as typeof mod;
  } catch (e) {
    const missing = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (package|module) 'webgpu'/.test(errorMessage(e));
    throw new WebGPUUnavailableError(missing
      ? 'WebGPU: the npm package `webgpu` (Dawn) is not installed (npm install webgpu)'
      : `WebGPU: the npm package \`webgpu\` (Dawn) failed to load: ${errorMessage(e)}`,
    missing ? 'not-installed' : 'no-webgpu', undefined, { cause: e });
  }
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(mod.globals)) if (!(name in g)) g[name] = value;
  const gpu = mod.create(options.dawnFlags ?? []) as GPULike;
  const nav = g.navigator as { gpu?: unknown } | undefined;
  if (nav === undefined) g.navigator = { gpu };
  else if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  return gpu;
}

/**
 * Registers tfjs's WebGPU backend in Node on Dawn and makes it active. Throws WebGPUUnavailableError (with
 * `reason`: not-installed, no-adapter, software-adapter, ...) when it cannot; there is no fallback in Node
 * (`@edm/backend-node` chooses among engines).
 */
export async function useWebGPUInNode(options: NodeWebGPUOptions = {}): Promise<WebGPUBackendInfo> {
  dawnGPU ??= startDawn(options).catch((e: unknown) => {
    dawnGPU = null;
    throw e;
  });
  return registerWebGPUBackend(await dawnGPU, options);
}

export { describeAdapter, formatAdapter } from './adapter-info';
export type { WebGPUAdapterSummary } from './adapter-info';
export { WebGPUUnavailableError } from './errors';
export type { WebGPUUnavailableReason } from './errors';
export type { WebGPUBackendInfo, WebGPUOptions } from './register';
