// Checkpoints: safetensors with the reference's state_dict keys and PyTorch layouts (F32), and
// `__metadata__` {"edm.format": "1", "edm.network": JSON {class_name, kwargs}} (../shared/fixtures/README.md).
// Loading validates everything (format, config, every tensor's presence, shape, dtype and finiteness)
// before allocating, so a bad file never yields a partial network.
import { parsePythonJson, stringifyPythonJson, type NetworkConfig } from '../config';
import { toTorch } from '../layers/param-store';
import { declareNetwork, type Network } from '../network';
import {
  decodeSafetensors, encodeSafetensorsHeader, float32ToBytes, tensorToFloat32,
  type SafetensorsDtype, type SafetensorsHeaderEntry,
} from './safetensors';

/** The checkpoint format version written in `edm.format`. */
export const CHECKPOINT_FORMAT = '1';
/** Tensors with this prefix (reference fixtures) are ignored by the loader. */
export const FIXTURE_PREFIX = 'fixture.';

/** Options of {@link loadNetwork}. */
export interface LoadNetworkOptions {
  /** Name used in error messages (a file name). Default 'checkpoint'. */
  source?: string;
}

/**
 * Loads a network from checkpoint bytes. Throws a clear error (naming the field or tensor, expected vs got)
 * for a truncated file, a bad header, a wrong format, an unknown class_name or kwarg, a missing, extra or
 * misshapen tensor, or NaN/Inf values. Tensors named `fixture.*` are ignored.
 */
export async function loadNetwork(bytes: Uint8Array | ArrayBuffer, options: LoadNetworkOptions = {}): Promise<Network> {
  return loadNetworkSync(bytes, options);
}

/** Up to `max` names quoted, then how many more (a message stays one readable line for any file). */
function someNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** Nesting of the network config's JSON the loader parses (a config needs 3; deeper would overflow the stack). */
const MAX_CONFIG_NESTING = 100;

/** The deepest nesting of arrays and objects in JSON text (strings skipped), without parsing it. */
function jsonNesting(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** What {@link checkCheckpointHeader} needs of a tensor: its dtype and shape (no data). */
export interface CheckpointTensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
}

/**
 * Validates a checkpoint from its header alone (metadata and tensor shapes, no tensor data): the format, the
 * network config, and every tensor's presence, dtype and shape against the network the config declares.
 * Returns the declared network (nothing allocated). Throws a clear error naming the field or tensor, expected
 * vs got; a long list of extra or missing tensors is summarised. Lets a caller reject a large file after
 * reading only its first bytes.
 */
export function checkCheckpointHeader(
  metadata: Record<string, string>, tensors: ReadonlyMap<string, CheckpointTensorInfo>, source = 'checkpoint',
): Network {
  const format = metadata['edm.format'];
  if (format !== CHECKPOINT_FORMAT) {
    throw new Error(`${source}: metadata 'edm.format' must be "${CHECKPOINT_FORMAT}", got ${format === undefined ? 'none' : JSON.stringify(format)}`);
  }
  const networkJson = metadata['edm.network'];
  if (networkJson === undefined) throw new Error(`${source}: metadata 'edm.network' is missing (expected JSON {class_name, kwargs})`);
  const depth = jsonNesting(networkJson);
  if (depth > MAX_CONFIG_NESTING) {
    throw new Error(`${source}: metadata 'edm.network' is nested ${depth} levels deep (the limit is ${MAX_CONFIG_NESTING})`);
  }
  let config: NetworkConfig;
  try {
    config = parsePythonJson(networkJson) as NetworkConfig;
  } catch (e) {
    throw new Error(`${source}: metadata 'edm.network' is not valid JSON (${(e as Error).message})`);
  }
  let net: Network;
  try {
    net = declareNetwork(config, 0, tensors.size);
  } catch (e) {
    throw new Error(`${source}: edm.network: ${(e as Error).message}`);
  }
  const specs = net.specs();
  const expected = new Set(specs.map((s) => s.name));
  const extra = [...tensors.keys()].filter((k) => !expected.has(k) && !k.startsWith(FIXTURE_PREFIX));
  if (extra.length > 0) {
    throw new Error(`${source}: unexpected tensor${extra.length > 1 ? 's' : ''} ${someNames(extra)} (not in ${config.class_name} with these kwargs)`);
  }
  const missing = specs.filter((s) => !tensors.has(s.name));
  if (missing.length > 0) {
    const first = missing[0]!;
    throw new Error(missing.length === 1
      ? `${source}: missing tensor '${first.name}' (expected shape [${first.torchShape.join(', ')}])`
      : `${source}: missing tensors ${someNames(missing.map((s) => s.name))} (expected '${first.name}' of shape [${first.torchShape.join(', ')}], ...)`);
  }
  for (const spec of specs) {
    const t = tensors.get(spec.name)!;
    if (t.shape.length !== spec.torchShape.length || t.shape.some((d, i) => d !== spec.torchShape[i])) {
      throw new Error(`${source}: tensor '${spec.name}' has shape [${t.shape.join(', ')}], expected [${spec.torchShape.join(', ')}]`);
    }
    if (!FLOAT_DTYPES.includes(t.dtype)) {
      throw new Error(`${source}: tensor '${spec.name}': expected a floating-point dtype (${FLOAT_DTYPES.join(', ')}), got ${t.dtype}`);
    }
  }
  return net;
}

/** Dtypes a checkpoint's tensors may have (read as float32). */
const FLOAT_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F64', 'F16', 'BF16'];

/** Synchronous {@link loadNetwork}. */
export function loadNetworkSync(bytes: Uint8Array | ArrayBuffer, options: LoadNetworkOptions = {}): Network {
  const source = options.source ?? 'checkpoint';
  const { metadata, tensors } = decodeSafetensors(bytes, source);
  // Validate every tensor before allocating anything.
  const net = checkCheckpointHeader(metadata, tensors, source);
  const values = new Map<string, Float32Array>();
  for (const spec of net.specs()) {
    const v = tensorToFloat32(tensors.get(spec.name)!, `${source}: tensor '${spec.name}'`);
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i]!)) {
        throw new Error(`${source}: tensor '${spec.name}' holds a non-finite value (${v[i]} at flat index ${i})`);
      }
    }
    values.set(spec.name, v);
  }
  net.store.materialize((spec) => values.get(spec.name)!);
  return net;
}

/** Options of {@link saveNetwork}. */
export interface SaveNetworkOptions {
  /** Extra `__metadata__` entries (string values), e.g. `edm.phema` of a power-function EMA snapshot. */
  metadata?: Record<string, string>;
}

/**
 * Serialises a network to checkpoint bytes: its configuration and every state_dict tensor (PyTorch layout,
 * F32, the reference's order). `loadNetwork(saveNetwork(net))` reproduces every value bit for bit.
 */
export function saveNetwork(net: Network, options: SaveNetworkOptions = {}): Uint8Array {
  const entries: SafetensorsHeaderEntry[] = [];
  const chunks: Uint8Array[] = [];
  const tensors = net.tensors();
  for (const spec of net.specs()) {
    const data = float32ToBytes(toTorch(tensors.get(spec.name)!, spec.layout));
    entries.push({ name: spec.name, dtype: 'F32', shape: spec.torchShape, byteLength: data.byteLength });
    chunks.push(data);
  }
  for (const key of Object.keys(options.metadata ?? {})) {
    if (key === 'edm.format' || key === 'edm.network') throw new Error(`saveNetwork: metadata '${key}' is written by saveNetwork itself`);
  }
  const header = encodeSafetensorsHeader(entries, {
    ...options.metadata,
    'edm.format': CHECKPOINT_FORMAT,
    'edm.network': stringifyPythonJson(net.config),
  });
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, header.byteLength));
  out.set(header, 0);
  let offset = header.byteLength;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
