// NVlabs EDM network snapshot (.pkl) -> our safetensors checkpoint: `edm.format` "1", `edm.network`
// {class_name, kwargs}, one F32 tensor per state_dict entry in PyTorch's order and layout
// (test/fixtures/README.md). Two forms: in memory (browsers) and streaming to a sink (large files: the
// tensors are read from the source one at a time, never all held at once).

import { bytesSource, type ByteSource } from './byte-source';
import { SnapshotError } from './errors';
import { MAX_HEADER_BYTES, MAX_METADATA_BYTES, MAX_TENSORS } from './limits';
import { readSnapshot, someNames, type SnapshotNetwork } from './snapshot';
import type { StateDictEntry } from './state-dict';
import { checkFloatTensor, tensorF32Bytes } from './tensor-bytes';
import { stringifyPythonJson, type NetworkConfig } from '../config';
import { encodeSafetensorsHeader, type SafetensorsHeaderEntry } from '../io/safetensors';
import { declareNetwork } from '../network';

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
  /** Entries of the snapshot that were not converted (neither the network nor loss_fn, augment_pipe, dataset_kwargs). */
  skipped: string[];
  /**
   * Why the checkpoint will not load in this version of @edm/models, if it will not: the config is not
   * supported yet, or tensors are missing or not part of the network. Undefined when it matches.
   */
  mismatch?: string;
}

/** Metadata key of the snapshot's other entries (loss_fn, augment_pipe, dataset_kwargs), as JSON. */
export const SNAPSHOT_METADATA_KEY = 'edm.snapshot';

interface Plan {
  summary: ConvertSummary;
  header: Uint8Array;
  tensors: { name: string; bytes: () => Uint8Array; byteLength: number }[];
}

/**
 * Checks every tensor's shape against the network its config declares, before any tensor data is read or
 * allocated: a tensor of the network must have the declared shape. And the tensors may not add up to more
 * than twice the input's size plus 1 MiB: each element comes from a storage in the file (float16 ones double
 * in F32), so only a stride-0 broadcast, or a config declaring a huge network, could pass that, turning a
 * few bytes into gigabytes. Returns why the checkpoint will not load, if it will not.
 */
function checkTensors(tensors: StateDictEntry[], network: SnapshotNetwork, inputBytes: number, label: string): string | undefined {
  let specs: Map<string, readonly number[]> | undefined;
  let mismatch: string | undefined;
  try {
    // At most MAX_TENSORS declared (no snapshot the reader accepts holds more): a crafted num_blocks costs nothing.
    specs = new Map(declareNetwork(network as unknown as NetworkConfig, 0, MAX_TENSORS).specs().map((p) => [p.name, p.torchShape]));
  } catch (e) {
    mismatch = `its config is not supported by this version: ${(e as Error).message}`;
  }
  let bytes = 0;
  const extra: string[] = [];
  for (const { name, tensor } of tensors) {
    const shape = specs?.get(name);
    if (shape && (shape.length !== tensor.size.length || shape.some((d, i) => d !== tensor.size[i]))) {
      throw new SnapshotError(`${label}: tensor '${name}' has shape (${tensor.size.join(', ')}), but ${network.class_name} with these kwargs declares (${shape.join(', ')})`);
    }
    if (specs && !shape) extra.push(name);
    bytes += 4 * tensor.numel;
    if (bytes > OUTPUT_SLACK + 2 * inputBytes) {
      const broadcast = tensor.numel > tensor.storage.numel
        ? ` (a broadcast of its ${tensor.storage.numel}-element storage, stride (${tensor.stride.join(', ')}))` : '';
      throw new SnapshotError(
        `${label}: tensor '${name}' of shape (${tensor.size.join(', ')})${broadcast} takes the checkpoint past ` +
        `${OUTPUT_SLACK + 2 * inputBytes} bytes of tensor data (twice the input's size, plus 1 MiB): refusing`,
      );
    }
  }
  if (specs) {
    const have = new Set(tensors.map((t) => t.name));
    const missing = [...specs.keys()].filter((n) => !have.has(n));
    const parts = [
      extra.length ? `${extra.length} tensor(s) not in ${network.class_name} with these kwargs (${someNames(extra, 3)})` : '',
      missing.length ? `${missing.length} tensor(s) missing (${someNames(missing, 3)})` : '',
    ].filter(Boolean);
    if (parts.length) mismatch = parts.join('; ');
  }
  return mismatch;
}

/** Tensor bytes allowed beyond twice the input's size (tiny files with small broadcast buffers). */
const OUTPUT_SLACK = 1 << 20;

/** A metadata JSON value, refused past {@link MAX_METADATA_BYTES}. */
function metadataJson(key: string, json: string, label: string): string {
  if (json.length > MAX_METADATA_BYTES) {
    throw new SnapshotError(`${label}: metadata '${key}' would be ${json.length} bytes of JSON, more than ${MAX_METADATA_BYTES} (the limit): refusing`);
  }
  return json;
}

function plan(source: ByteSource, options: ConvertSnapshotOptions): Plan {
  const { onProgress } = options;
  const label = options.label ?? 'snapshot';
  const contents = readSnapshot(source, {
    ...(options.key !== undefined && { key: options.key }),
    label,
    ...(onProgress && { onRead: (done: number, total: number) => onProgress({ phase: 'read', done, total }) }),
  });
  for (const { name, tensor } of contents.tensors) checkFloatTensor(tensor, name);
  const mismatch = checkTensors(contents.tensors, contents.network, source.byteLength, label);
  const entries: SafetensorsHeaderEntry[] = contents.tensors.map(({ name, tensor }) => ({
    name, dtype: 'F32', shape: [...tensor.size], byteLength: 4 * tensor.numel,
  }));
  const metadata = {
    'edm.format': '1',
    // Python's JSON: a non-finite kwarg (sigma_max=inf) is written bare, as the loader reads it.
    'edm.network': metadataJson('edm.network', stringifyPythonJson(contents.network), label),
    [SNAPSHOT_METADATA_KEY]: metadataJson(SNAPSHOT_METADATA_KEY,
      JSON.stringify({ converted_by: 'edm convert', entry: contents.key, ...contents.others }), label),
  };
  const names = entries.reduce((a, e) => a + e.name.length + 80, 0);
  if (names > MAX_HEADER_BYTES) {
    throw new SnapshotError(`${label}: the checkpoint header would take about ${names} bytes, more than ${MAX_HEADER_BYTES} (the limit): refusing`);
  }
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
      skipped: contents.skipped,
      ...(mismatch !== undefined && { mismatch }),
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
