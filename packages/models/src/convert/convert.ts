// NVlabs EDM network snapshot (.pkl) -> our safetensors checkpoint: `edm.format` "1", `edm.network`
// {class_name, kwargs}, one F32 tensor per state_dict entry in PyTorch's order and layout
// (test/fixtures/README.md). Two forms: in memory (browsers) and streaming to a sink (large files: the
// tensors are read from the source one at a time, never all held at once).

import { bytesSource, type ByteSource } from './byte-source';
import { readSnapshot, type SnapshotNetwork } from './snapshot';
import { checkFloatTensor, tensorF32Bytes } from './tensor-bytes';
import { stringifyPythonJson } from '../config';
import { encodeSafetensorsHeader, type SafetensorsHeaderEntry } from '../io/safetensors';

/** Progress of a conversion. */
export interface ConvertProgress {
  /** `'read'`: walking the pickle (byte offsets); `'write'`: writing tensors (output bytes). */
  phase: 'read' | 'write';
  /** Bytes done in this phase. */
  done: number;
  /** Bytes in this phase. */
  total: number;
}

/** Options of {@link convertSnapshot} and {@link convertSnapshotTo}. */
export interface ConvertSnapshotOptions {
  /** Entry of the snapshot dict to convert. Default `'ema'` (the EMA weights; NVlabs samples from these). */
  key?: string;
  /** Name of the input in error messages (a file name). Default `'snapshot'`. */
  label?: string;
  /** Called as the conversion advances (about every 1% or 1 MiB read, and after each tensor written). */
  onProgress?: (progress: ConvertProgress) => void;
}

/** What a conversion wrote. */
export interface ConvertSummary {
  /** The network config written to `edm.network`. */
  network: SnapshotNetwork;
  /** Number of tensors written. */
  tensorCount: number;
  /** Number of scalar parameters (elements) over all tensors. */
  elementCount: number;
  /** Size of the checkpoint in bytes. */
  byteLength: number;
}

/** Metadata key of the snapshot's other entries (loss_fn, augment_pipe, dataset_kwargs), as JSON. */
export const SNAPSHOT_METADATA_KEY = 'edm.snapshot';

interface Plan {
  summary: ConvertSummary;
  header: Uint8Array;
  tensors: { name: string; bytes: () => Uint8Array; byteLength: number }[];
}

function plan(source: ByteSource, options: ConvertSnapshotOptions): Plan {
  const { onProgress } = options;
  const contents = readSnapshot(source, {
    ...(options.key !== undefined && { key: options.key }),
    ...(options.label !== undefined && { label: options.label }),
    ...(onProgress && { onRead: (done: number, total: number) => onProgress({ phase: 'read', done, total }) }),
  });
  for (const { name, tensor } of contents.tensors) checkFloatTensor(tensor, name);
  const entries: SafetensorsHeaderEntry[] = contents.tensors.map(({ name, tensor }) => ({
    name, dtype: 'F32', shape: [...tensor.size], byteLength: 4 * tensor.numel,
  }));
  const metadata = {
    'edm.format': '1',
    // Python's JSON: a non-finite kwarg (sigma_max=inf) is written bare, as the loader reads it.
    'edm.network': stringifyPythonJson(contents.network),
    [SNAPSHOT_METADATA_KEY]: JSON.stringify({ converted_by: 'edm convert', entry: contents.key, ...contents.others }),
  };
  const header = encodeSafetensorsHeader(entries, metadata);
  const dataBytes = entries.reduce((a, e) => a + e.byteLength, 0);
  return {
    header,
    tensors: contents.tensors.map(({ name, tensor }) => ({
      name, byteLength: 4 * tensor.numel, bytes: () => tensorF32Bytes(tensor, name),
    })),
    summary: {
      network: contents.network,
      tensorCount: entries.length,
      elementCount: dataBytes / 4,
      byteLength: header.byteLength + dataBytes,
    },
  };
}

/**
 * Converts a snapshot held in memory to a checkpoint (safetensors bytes). Browser-safe. Throws a
 * `PickleError` (malformed or disallowed pickle) or `SnapshotError` (not a convertible EDM snapshot).
 */
export function convertSnapshot(bytes: Uint8Array, options: ConvertSnapshotOptions = {}): Uint8Array {
  const p = plan(bytesSource(bytes), options);
  const out = new Uint8Array(p.summary.byteLength);
  out.set(p.header, 0);
  let at = p.header.byteLength;
  for (const t of p.tensors) {
    out.set(t.bytes(), at);
    at += t.byteLength;
    options.onProgress?.({ phase: 'write', done: at, total: out.byteLength });
  }
  return out;
}

/**
 * Converts a snapshot from any {@link ByteSource} (for example a file read on demand) and hands the
 * checkpoint to `write` in order: the header, then each tensor's bytes. Only one tensor is held at a time
 * (chunks may be views of the source: `write` must consume or copy them before returning). The whole
 * snapshot is validated before the first byte is written.
 */
export async function convertSnapshotTo(
  source: ByteSource,
  write: (chunk: Uint8Array) => void | Promise<void>,
  options: ConvertSnapshotOptions = {},
): Promise<ConvertSummary> {
  const p = plan(source, options);
  await write(p.header);
  let done = p.header.byteLength;
  for (const t of p.tensors) {
    await write(t.bytes());
    done += t.byteLength;
    options.onProgress?.({ phase: 'write', done, total: p.summary.byteLength });
  }
  return p.summary;
}
