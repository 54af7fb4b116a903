// What a WebGPU adapter is: vendor, architecture and whether it is a software (CPU) implementation such as
// SwiftShader, lavapipe/llvmpipe or WARP. Browsers and Dawn expose the same GPUAdapterInfo fields; older
// implementations put `isFallbackAdapter` on the adapter itself, newer ones on `adapter.info`.

/** The subset of a GPUAdapterInfo we read (WebGPU spec, `GPUAdapterInfo`). */
export interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

/** The subset of a GPUAdapter we use (WebGPU spec, `GPUAdapter`). */
export interface GPUAdapterLike {
  readonly info?: AdapterInfoLike;
  readonly isFallbackAdapter?: boolean;
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number> | object;
  requestDevice(descriptor?: object): Promise<unknown>;
  requestAdapterInfo?(): Promise<AdapterInfoLike>;
}

/** The subset of `navigator.gpu` (WebGPU spec, `GPU`) we use. */
export interface GPULike {
  requestAdapter(options?: {
    powerPreference?: 'low-power' | 'high-performance';
    forceFallbackAdapter?: boolean;
  }): Promise<GPUAdapterLike | null>;
}

/** The adapter a WebGPU backend runs on, as reported to users. */
export interface WebGPUAdapterSummary {
  /** Vendor name, e.g. "nvidia", "intel", "google" (empty when the implementation hides it). */
  vendor: string;
  /** Architecture, e.g. "ampere", "gen-12lp", "swiftshader" (empty when hidden). */
  architecture: string;
  /** Device name or id string (often empty in browsers). */
  device: string;
  /** Free-form driver description (often empty in browsers). */
  description: string;
  /** The implementation's own `isFallbackAdapter` flag (a CPU/software adapter with reduced performance). */
  isFallbackAdapter: boolean;
  /** True when the adapter is a software rasterizer: the fallback flag or a known software driver name. */
  isSoftware: boolean;
}

const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|\bwarp\b/i;

/** Reads an adapter's info (spec `adapter.info`, or the older `requestAdapterInfo()`), never throwing. */
export async function readAdapterInfo(adapter: GPUAdapterLike): Promise<AdapterInfoLike> {
  if (adapter.info) return adapter.info;
  if (typeof adapter.requestAdapterInfo === 'function') {
    try {
      return await adapter.requestAdapterInfo();
    } catch {
      return {};
    }
  }
  return {};
}

/** Summarises an adapter: names, the fallback flag and software detection. */
export async function describeAdapter(adapter: GPUAdapterLike): Promise<WebGPUAdapterSummary> {
  const info = await readAdapterInfo(adapter);
  const summary = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false),
  };
  const names = `${summary.vendor} ${summary.architecture} ${summary.device} ${summary.description}`;
  return { ...summary, isSoftware: summary.isFallbackAdapter || SOFTWARE_NAMES.test(names) };
}

/** One line for logs: "google swiftshader (SwiftShader driver 5.0.0), software". */
export function formatAdapter(a: WebGPUAdapterSummary): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const detail = a.description || a.device;
  return `${name}${detail ? ` (${detail})` : ''}${a.isSoftware ? ', software' : ', hardware'}`;
}
