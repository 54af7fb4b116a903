// Reference statistics of a dataset, computed once and saved, like NVlabs' `fid.py ref` (mu, sigma), as a
// safetensors file:
//   mu F64 [D], sigma F64 [D, D]  (mean and N - 1 covariance of all N images' features: the Frechet distance)
//   features F32 [M, D]            (the features of M of the N images, for KID and precision/recall: all of
//                                   them, or M drawn without replacement by a seeded Xoshiro128, in order)
//   __metadata__: edm.metrics.format "1", detector (name), detector.hash, count (N), dataset (a label)
// A reference is only compared with features of the same detector and weights: loading it for another
// detector is refused, naming both.
import { Xoshiro128 } from '@edm/core';
import { decodeSafetensors, encodeSafetensors, tensorToFloat32, type SafetensorsTensor } from '@edm/models';
import type { FeatureDetector } from './detector';
import { featureStats, type FeatureStats } from './frechet';
import { gatherRows, sampleIndices } from './subset';

/** `__metadata__` value of `edm.metrics.format`. */
export const REFERENCE_FORMAT = '1';

/** Statistics of a dataset's features. */
export interface ReferenceStats {
  /** Detector name (e.g. `fid-inception-v3`). */
  detector: string;
  /** Hash of the detector's weights. */
  detectorHash: string;
  /** What the images were (a dataset name or folder), for people. */
  dataset: string;
  /** Mean and covariance of all images' features. */
  stats: FeatureStats;
  /** Stored features [M, D] (M <= stats.count), for KID and precision/recall. */
  features: Float32Array;
}

/** Options of {@link makeReference}. */
export interface MakeReferenceOptions {
  /** What the images were. Default ''. */
  dataset?: string;
  /** Store at most this many feature vectors (a seeded subset). Default: all. */
  maxFeatures?: number;
  /** Seed of that subset. Default 0. */
  seed?: number;
}

/** Reference statistics from a dataset's features [N, D] made by `detector`. */
export function makeReference(
  detector: Pick<FeatureDetector, 'name' | 'hash' | 'featureDim'>, features: Float32Array, options: MakeReferenceOptions = {},
): ReferenceStats {
  const d = detector.featureDim;
  const stats = featureStats(features, d, options.dataset || 'reference features');
  const n = stats.count;
  const keep = Math.min(n, options.maxFeatures ?? n);
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`makeReference: maxFeatures must be a positive integer, got ${options.maxFeatures}`);
  const stored = keep < n ? gatherRows(features, d, sampleIndices(new Xoshiro128(options.seed ?? 0, 0x726566), n, keep)) : features;
  return { detector: detector.name, detectorHash: detector.hash, dataset: options.dataset ?? '', stats, features: stored };
}

const bytesOf = (a: Float32Array | Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The reference as safetensors bytes. */
export function encodeReference(ref: ReferenceStats): Uint8Array {
  const d = ref.stats.dim;
  const tensors = new Map<string, SafetensorsTensor>([
    ['mu', { dtype: 'F64', shape: [d], data: bytesOf(ref.stats.mean) }],
    ['sigma', { dtype: 'F64', shape: [d, d], data: bytesOf(ref.stats.cov) }],
    ['features', { dtype: 'F32', shape: [ref.features.length / d, d], data: bytesOf(ref.features) }],
  ]);
  return encodeSafetensors(tensors, {
    'edm.metrics.format': REFERENCE_FORMAT,
    detector: ref.detector,
    'detector.hash': ref.detectorHash,
    count: String(ref.stats.count),
    dataset: ref.dataset,
  });
}

/**
 * Reads reference statistics. With `detector`, refuses a reference made by another detector or other
 * weights, naming both. Errors name `label`.
 */
export function decodeReference(
  bytes: Uint8Array, label = 'reference', detector?: Pick<FeatureDetector, 'name' | 'hash' | 'featureDim'>,
): ReferenceStats {
  const { metadata, tensors } = decodeSafetensors(bytes, label);
  if (metadata['edm.metrics.format'] !== REFERENCE_FORMAT) {
    throw new Error(`${label}: not reference statistics (edm.metrics.format '${metadata['edm.metrics.format'] ?? ''}', expected '${REFERENCE_FORMAT}'; made by 'edm metrics ref')`);
  }
  const name = metadata.detector ?? '';
  const hash = metadata['detector.hash'] ?? '';
  if (detector && (name !== detector.name || hash !== detector.hash)) {
    throw new Error(`${label} was made with detector '${name}' (weights ${hash.slice(0, 12)}), ` +
      `not with '${detector.name}' (weights ${detector.hash.slice(0, 12)}): features of different detectors cannot be compared; make the reference again with this detector`);
  }
  const get = (key: string, dtype: 'F64' | 'F32', rank: number): SafetensorsTensor => {
    const t = tensors.get(key);
    if (!t) throw new Error(`${label}: tensor '${key}' is missing`);
    if (t.dtype !== dtype || t.shape.length !== rank) {
      throw new Error(`${label}: tensor '${key}' is ${t.dtype} [${t.shape.join(', ')}], expected ${dtype} of rank ${rank}`);
    }
    return t;
  };
  const mu = get('mu', 'F64', 1);
  const sigma = get('sigma', 'F64', 2);
  const feats = get('features', 'F32', 2);
  const d = mu.shape[0]!;
  if (sigma.shape[0] !== d || sigma.shape[1] !== d || feats.shape[1] !== d) {
    throw new Error(`${label}: shapes disagree: mu [${d}], sigma [${sigma.shape.join(', ')}], features [${feats.shape.join(', ')}]`);
  }
  if (detector && detector.featureDim !== d) {
    throw new Error(`${label}: features of width ${d}, but detector '${detector.name}' gives ${detector.featureDim}`);
  }
  const count = Number(metadata.count);
  if (!Number.isInteger(count) || count < 2) throw new Error(`${label}: metadata count '${metadata.count ?? ''}' must be an integer >= 2`);
  const f64 = (t: SafetensorsTensor) => new Float64Array(t.data.slice().buffer);
  return {
    detector: name,
    detectorHash: hash,
    dataset: metadata.dataset ?? '',
    stats: { count, dim: d, mean: f64(mu), cov: f64(sigma) },
    features: tensorToFloat32(feats, 'features'),
  };
}
