// WebGPU through Dawn, via @edm/backend-webgpu's Node entry (it sets up navigator.gpu before tfjs's WebGPU
// backend loads).
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

/** Starts WebGPU on Dawn and makes 'webgpu' active; returns the adapter. */
export async function startWebGPU(options: NodeWebGPUOptions): Promise<WebGPUAdapterSummary> {
  if (!isInstalled('webgpu')) {
    throw new EngineUnavailable('not-installed', 'webgpu (Dawn for Node) is not installed (npm install webgpu)');
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
