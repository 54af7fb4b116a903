// Checkpoints: safetensors with the reference's state_dict keys and PyTorch layouts (F32), and
// `__metadata__` {"edm.format": "1", "edm.network": JSON {class_name, kwargs}} (../shared/fixtures/README.md).
// Loading validates everything (format, config, every tensor's presence, shape, dtype and finiteness)
// before allocating, so a bad file never yields a partial network.
import { parsePythonJson, stringifyPythonJson, type NetworkConfig } from '../config';
import { toTorch } from '../layers/param-store';
import { declareNetwork, type Network } from '../network';
import {
  decodeSafetensors, encodeSafetensorsHeader, float32ToBytes, tensorToFloat32,
  type SafetensorsHeaderEntry,
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

/** Synchronous {@link loadNetwork}. */
export function loadNetworkSync(bytes: Uint8Array | ArrayBuffer, options: LoadNetworkOptions = {}): Network {
  const source = options.source ?? 'checkpoint';
  const { metadata, tensors } = decodeSafetensors(bytes, source);
  const format = metadata['edm.format'];
  if (format !== CHECKPOINT_FORMAT) {
    throw new Error(`${source}: metadata 'edm.format' must be "${CHECKPOINT_FORMAT}", got ${format === undefined ? 'none' : JSON.stringify(format)}`);
  }
  const networkJson = metadata['edm.network'];
  if (networkJson === undefined) throw new Error(`${source}: metadata 'edm.network' is missing (expected JSON {class_name, kwargs})`);
  let config: NetworkConfig;
  try {
    config = parsePythonJson(networkJson) as NetworkConfig;
  } catch (e) {
    throw new Error(`${source}: metadata 'edm.network' is not valid JSON (${(e as Error).message})`);
  }
  let net: Network;
  try {
    net = declareNetwork(config);
  } catch (e) {
    throw new Error(`${source}: edm.network: ${(e as Error).message}`);
  }

  // Validate every tensor before allocating anything.
  const specs = net.specs();
  const expected = new Set(specs.map((s) => s.name));
  const extra = [...tensors.keys()].filter((k) => !expected.has(k) && !k.startsWith(FIXTURE_PREFIX));
  if (extra.length > 0) {
    throw new Error(`${source}: unexpected tensor${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} (not in ${config.class_name} with these kwargs)`);
  }
  const values = new Map<string, Float32Array>();
  for (const spec of specs) {
    const t = tensors.get(spec.name);
    if (!t) throw new Error(`${source}: missing tensor '${spec.name}' (expected shape [${spec.torchShape.join(', ')}])`);
    if (t.shape.length !== spec.torchShape.length || t.shape.some((d, i) => d !== spec.torchShape[i])) {
      throw new Error(`${source}: tensor '${spec.name}' has shape [${t.shape.join(', ')}], expected [${spec.torchShape.join(', ')}]`);
    }
    const v = tensorToFloat32(t, `${source}: tensor '${spec.name}'`);
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

/**
 * Serialises a network to checkpoint bytes: its configuration and every state_dict tensor (PyTorch layout,
 * F32, the reference's order). `loadNetwork(saveNetwork(net))` reproduces every value bit for bit.
 */
export function saveNetwork(net: Network): Uint8Array {
  const entries: SafetensorsHeaderEntry[] = [];
  const chunks: Uint8Array[] = [];
  const tensors = net.tensors();
  for (const spec of net.specs()) {
    const data = float32ToBytes(toTorch(tensors.get(spec.name)!, spec.layout));
    entries.push({ name: spec.name, dtype: 'F32', shape: spec.torchShape, byteLength: data.byteLength });
    chunks.push(data);
  }
  const header = encodeSafetensorsHeader(entries, {
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
