// AddN on WebGPU, split into chunks the device can bind. tfjs's WebGPU AddN binds every input as a storage
// buffer in one shader; past the device's maxStorageBuffersPerShaderStage (8 by default: 7 inputs plus the
// output) the pipeline is invalid and the result is silently wrong (zeros or stale data). This kernel sums
// at most `limit - 1` inputs per call of the original kernel, then sums the partial sums the same way.
import * as tf from '@tensorflow/tfjs-core';

type KernelFunc = tf.KernelConfig['kernelFunc'];

interface DeviceBackend {
  device?: { limits?: { maxStorageBuffersPerShaderStage?: number } };
  disposeData(dataId: object, force?: boolean): boolean;
}

/** How many inputs one AddN shader may take on this backend: storage buffers per stage minus the output. */
export function maxAddNInputs(backend: unknown): number {
  const limit = (backend as DeviceBackend).device?.limits?.maxStorageBuffersPerShaderStage ?? 8;
  return Math.max(2, limit - 1);
}

/** Wraps the original WebGPU AddN kernel so any number of inputs is summed in bindable chunks. */
export function chunkedAddN(original: KernelFunc): KernelFunc {
  return (args) => {
    const { backend, attrs } = args;
    const maxInputs = maxAddNInputs(backend);
    let terms = Object.values(args.inputs) as tf.TensorInfo[];
    let owned = new Set<tf.TensorInfo>();
    while (terms.length > maxInputs) {
      const next: tf.TensorInfo[] = [];
      const nextOwned = new Set<tf.TensorInfo>();
      for (let i = 0; i < terms.length; i += maxInputs) {
        const chunk = terms.slice(i, i + maxInputs);
        if (chunk.length === 1) {
          next.push(chunk[0]!);
          if (owned.has(chunk[0]!)) nextOwned.add(chunk[0]!);
          continue;
        }
        const sum = original({ inputs: chunk as unknown as tf.NamedTensorInfoMap, backend, attrs }) as tf.TensorInfo;
        next.push(sum);
        nextOwned.add(sum);
        for (const t of chunk) if (owned.has(t)) (backend as unknown as DeviceBackend).disposeData(t.dataId);
      }
      terms = next;
      owned = nextOwned;
    }
    const out = original({ inputs: terms as unknown as tf.NamedTensorInfoMap, backend, attrs });
    for (const t of owned) (backend as unknown as DeviceBackend).disposeData(t.dataId);
    return out;
  };
}
