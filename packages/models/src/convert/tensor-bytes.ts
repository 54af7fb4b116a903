// A pickled tensor -> contiguous float32 little-endian bytes, the checkpoint's F32 layout (row-major,
// PyTorch's shape). Element (i0, i1, ...) is storage element offset + sum(i_k * stride_k); float64,
// float16 and bfloat16 storages are converted to float32, integer storages are refused.

import { readRange } from './byte-source';
import { SnapshotError } from './errors';
import type { TorchTensor } from './pickle-values';
import { halfToFloat } from '../io/safetensors';

function isContiguous(t: TorchTensor): boolean {
  let expected = 1;
  for (let i = t.size.length - 1; i >= 0; i--) {
    if (t.size[i]! !== 1 && t.stride[i]! !== expected) return false;
    expected *= t.size[i]!;
  }
  return true;
}

/** Throws a {@link SnapshotError} naming `name` unless the tensor is floating-point (convertible to F32). */
export function checkFloatTensor(t: TorchTensor, name: string): void {
  const { storage } = t;
  if (!['float32', 'float64', 'float16', 'bfloat16'].includes(storage.dtype)) {
    throw new SnapshotError(`tensor '${name}' is ${storage.dtype} (torch.${storage.storageType}): only floating-point tensors can be converted to F32`);
  }
}

/**
 * The tensor's elements as F32 little-endian bytes. For a contiguous float32 tensor this is the source's
 * own bytes (a view when the source is in memory: do not modify it). Throws a {@link SnapshotError} naming
 * `name` for an integer or bool tensor.
 */
export function tensorF32Bytes(t: TorchTensor, name: string): Uint8Array {
  const { storage } = t;
  const es = storage.elementSize;
  const n = t.numel;
  checkFloatTensor(t, name);
  if (n === 0) return new Uint8Array(0);
  const last = t.storageOffset + t.size.reduce((acc, d, i) => acc + (d - 1) * t.stride[i]!, 0);
  const span = readRange({
    source: storage.data.source,
    offset: storage.data.offset + t.storageOffset * es,
    length: (last - t.storageOffset + 1) * es,
  });
  const contiguous = isContiguous(t);
  if (storage.dtype === 'float32' && contiguous) return span;
  const src = new DataView(span.buffer, span.byteOffset, span.byteLength);
  const bf16 = new Uint32Array(1);
  const bf16AsF32 = new Float32Array(bf16.buffer);
  const get = (i: number): number => {
    switch (storage.dtype) {
      case 'float64': return src.getFloat64(8 * i, true);
      case 'float16': return halfToFloat(src.getUint16(2 * i, true));
      case 'bfloat16':
        bf16[0] = src.getUint16(2 * i, true) << 16;
        return bf16AsF32[0]!;
      default: return src.getFloat32(4 * i, true);
    }
  };
  const out = new Uint8Array(4 * n);
  const dst = new DataView(out.buffer);
  if (contiguous) {
    for (let i = 0; i < n; i++) dst.setFloat32(4 * i, get(i), true);
    return out;
  }
  const rank = t.size.length;
  const index = new Array<number>(rank).fill(0);
  let at = 0;
  for (let i = 0; i < n; i++) {
    dst.setFloat32(4 * i, get(at), true);
    for (let k = rank - 1; k >= 0; k--) {
      index[k]!++;
      at += t.stride[k]!;
      if (index[k]! < t.size[k]!) break;
      at -= t.stride[k]! * t.size[k]!;
      index[k] = 0;
    }
  }
  return out;
}
