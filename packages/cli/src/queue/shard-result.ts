// A metrics shard's result, as a worker stores it in Redis for the submitter: safetensors bytes holding what
// the requested metrics need from the shard's samples and nothing else:
//   mean F64 [D], m2 F64 [D, D]   mergeable moments (FID; @edm/metrics featureMoments), with metadata count
//   features F32 [n, D]           every sample's features, in seed order (KID, precision/recall)
//   probs F32 [n, classes]        the digit judge's class probabilities, in seed order (accuracy)
// Shard results go under their own key (not BullMQ's returnvalue, which is also copied into the queue's event
// stream): a D = 2048 Inception shard's moments are 32 MiB.
import { checkFeatureMoments, type FeatureMoments } from '@edm/metrics';
import { decodeSafetensors, encodeSafetensors, tensorToFloat32, type SafetensorsTensor } from '@edm/models';
import { CliError, errorMessage } from '../command/errors';

/** `edm.shard` metadata value of the format. */
const SHARD_FORMAT = '1';

/** What one shard hands back. */
export interface ShardResult {
  /** Number of samples. */
  count: number;
  moments: FeatureMoments | null;
  features: Float32Array | null;
  probs: Float32Array | null;
}

const bytesOf = (a: Float32Array | Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The shard's bytes. */
export function encodeShardResult(r: ShardResult, featureDim: number): Uint8Array {
  const tensors = new Map<string, SafetensorsTensor>();
  if (r.moments) {
    const d = r.moments.dim;
    tensors.set('mean', { dtype: 'F64', shape: [d], data: bytesOf(r.moments.mean) });
    tensors.set('m2', { dtype: 'F64', shape: [d, d], data: bytesOf(r.moments.m2) });
  }
  if (r.features) tensors.set('features', { dtype: 'F32', shape: [r.count, featureDim], data: bytesOf(r.features) });
  if (r.probs) tensors.set('probs', { dtype: 'F32', shape: [r.count, r.probs.length / r.count], data: bytesOf(r.probs) });
  return encodeSafetensors(tensors, { 'edm.shard': SHARD_FORMAT, count: String(r.count) });
}

/**
 * Reads a shard's bytes, checking them against what was asked: `count` samples of `featureDim` features, and
 * the parts `want` names. Errors name `label` (the job).
 */
export function decodeShardResult(
  bytes: Uint8Array, label: string, count: number, featureDim: number, want: { moments: boolean; features: boolean; probs: boolean },
): ShardResult {
  try {
    const { metadata, tensors } = decodeSafetensors(bytes, label);
    if (metadata['edm.shard'] !== SHARD_FORMAT) throw new Error(`not a shard result (edm.shard '${metadata['edm.shard'] ?? ''}')`);
    if (Number(metadata.count) !== count) throw new Error(`holds ${metadata.count} samples, the job had ${count}`);
    const get = (name: string, dtype: 'F32' | 'F64', shape: number[] | null): SafetensorsTensor => {
      const t = tensors.get(name);
      if (!t) throw new Error(`tensor '${name}' is missing`);
      if (t.dtype !== dtype || (shape && t.shape.join(',') !== shape.join(','))) {
        throw new Error(`tensor '${name}' is ${t.dtype} [${t.shape.join(', ')}], expected ${dtype}${shape ? ` [${shape.join(', ')}]` : ''}`);
      }
      return t;
    };
    const f64 = (t: SafetensorsTensor) => new Float64Array(t.data.slice().buffer);
    let moments: FeatureMoments | null = null;
    if (want.moments) {
      moments = { count, dim: featureDim, mean: f64(get('mean', 'F64', [featureDim])), m2: f64(get('m2', 'F64', [featureDim, featureDim])) };
      checkFeatureMoments(moments, label);
    }
    const features = want.features ? tensorToFloat32(get('features', 'F32', [count, featureDim]), 'features') : null;
    let probs: Float32Array | null = null;
    if (want.probs) {
      const t = get('probs', 'F32', null);
      if (t.shape.length !== 2 || t.shape[0] !== count) throw new Error(`tensor 'probs' is [${t.shape.join(', ')}], expected [${count}, classes]`);
      probs = tensorToFloat32(t, 'probs');
    }
    return { count, moments, features, probs };
  } catch (e) {
    throw new CliError(`${label}: bad shard result: ${errorMessage(e).replace(`${label}: `, '')}`);
  }
}
