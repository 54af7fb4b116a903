// WebGPU through Dawn, via @edm/backend-webgpu's Node entry (it sets up navigator.gpu before tfjs's WebGPU
// backend loads).
import { existsSync, readdirSync } from 'node:fs';
import type { NodeWebGPUOptions, WebGPUAdapterSummary } from '@edm/backend-webgpu/node';
import { EngineUnavailable } from '../types';
import type { SkipCode } from '../types';
import { isInstalled } from './load-package';

const CODES: Record<string, SkipCode> = {
  'not-installed': 'not-installed',
  'no-webgpu': 'load-failed',
  'no-adapter': 'no-adapter',
  'software-adapter': 'software-adapter',
  'device-failed': 'init-failed',
  'init-failed': 'init-failed',
};

/**
 * Linux only: whether a GPU device node exists (DRM render node, NVIDIA, AMD KFD). Without one Dawn can only
 * find software adapters, and probing it prints driver warnings on stderr, so the automatic choice skips it.
 */
export function linuxHasGpuDevice(): boolean {
  if (existsSync('/dev/nvidia0') || existsSync('/dev/kfd') || existsSync('/dev/dxg')) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * Starts WebGPU on Dawn and makes 'webgpu' active; returns the adapter. `automatic`: chosen by the automatic
 * order (not named), where a Linux machine without a GPU device is skipped without starting Dawn.
 */
export async function startWebGPU(options: NodeWebGPUOptions, automatic: boolean): Promise<WebGPUAdapterSummary> {
  if (!isInstalled('webgpu')) {
    throw new EngineUnavailable('not-installed', 'webgpu (Dawn for Node) is not installed (npm install webgpu)');
  }
  const explicitDriver = options.vulkanICD !== undefined || Boolean(process.env.VK_ICD_FILENAMES);
  if (automatic && process.platform === 'linux' && !explicitDriver && !options.allowSoftwareAdapter && !linuxHasGpuDevice()) {
    throw new EngineUnavailable('no-adapter', 'WebGPU: no GPU device (/dev/dri/renderD*, /dev/nvidia0, /dev/kfd, /dev/dxg); ' +
      'name the engine (backend: \'webgpu\' or EDM_BACKEND=webgpu) to probe Dawn anyway');
  }
  const { useWebGPUInNode, WebGPUUnavailableError } = await import('@edm/backend-webgpu/node');
  try {
    const { adapter } = await useWebGPUInNode(options);
    return adapter;
  } catch (e) {
    if (e instanceof WebGPUUnavailableError) {
      const hint = e.reason === 'software-adapter' ? ' (allowSoftwareAdapter: true or EDM_WEBGPU_ALLOW_SOFTWARE=1 to use it)' : '';
      throw new EngineUnavailable(CODES[e.reason] ?? 'init-failed', e.message + hint, e.adapter);
    }
    throw new EngineUnavailable('load-failed', `WebGPU failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
