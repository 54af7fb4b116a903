// The FID Inception weights from pytorch-fid's `pt_inception-2015-12-05-6726825d.pth` (a torch state_dict,
// legacy or zip format, read by @edm/models' allow-listed pickle reader: nothing in the file is executed),
// checked against the architecture, with each BatchNorm folded into its convolution:
//   BN(conv(x, W)) = conv(x, W * s) + (beta - mean * s),  s = gamma / sqrt(running_var + eps)
// (computed in float64, rounded once to float32), filters transposed from PyTorch's [out, in, kh, kw] to
// tfjs's [kh, kw, in, out]. Browser-safe: bytes in.
import { readTorchStateDict, stateDictTensorF32, type StateDictEntry } from '@edm/models';
import { sha256Hex } from '../hash';
import { BATCH_NORM_EPS, INCEPTION_CONVS, INCEPTION_TENSORS, type ConvSpec } from './architecture';

/** One folded convolution: filter [kh, kw, in, out] and bias [out], float32. */
export interface FoldedConv {
  spec: ConvSpec;
  filter: Float32Array;
  bias: Float32Array;
}

/** The weights ready for the forward pass, and what identifies them. */
export interface InceptionWeights {
  /** Folded convolutions by state_dict prefix. */
  convs: Map<string, FoldedConv>;
  /** SHA-256 (hex) of the file's float32 tensor values in state_dict order (the same for both file formats). */
  hash: string;
  /** The file's format. */
  format: 'legacy' | 'zip';
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * Reads and checks a FID Inception weights file. An error names `label` and the first tensor that does not
 * fit: an unexpected name, a shape other than the architecture's (expected vs got), a non-float or
 * non-finite tensor, or a missing one.
 */
export async function readInceptionWeights(bytes: Uint8Array, label = 'inception weights'): Promise<InceptionWeights> {
  const { format, entries } = readTorchStateDict(bytes, { label });
  const expected = new Map(INCEPTION_TENSORS.map((t) => [t.name, t.shape]));
  const byName = new Map<string, StateDictEntry>();
  const fail = (msg: string): never => {
    throw new Error(`${label}: not the FID Inception-v3 weights (pt_inception-2015-12-05): ${msg}`);
  };
  for (const e of entries) {
    if (e.name.endsWith('.bn.num_batches_tracked') && expected.has(e.name.replace(/num_batches_tracked$/, 'running_var'))) continue;
    const shape = expected.get(e.name);
    if (!shape) fail(`unexpected tensor '${e.name}' ${shapeText(e.tensor.size)}`);
    if (shapeText(shape!) !== shapeText(e.tensor.size)) {
      fail(`tensor '${e.name}' has shape ${shapeText(e.tensor.size)}, expected ${shapeText(shape!)}`);
    }
    if (!['float32', 'float64', 'float16', 'bfloat16'].includes(e.tensor.storage.dtype)) {
      fail(`tensor '${e.name}' is ${e.tensor.storage.dtype}, expected floating point`);
    }
    byName.set(e.name, e);
  }
  const values = new Map<string, Float32Array>();
  for (const t of INCEPTION_TENSORS) {
    const e = byName.get(t.name);
    if (!e) fail(`tensor '${t.name}' ${shapeText(t.shape)} is missing`);
    const v = stateDictTensorF32(e!);
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) fail(`tensor '${t.name}' holds a non-finite value at element ${i}`);
    values.set(t.name, v);
  }
  const hash = await sha256Hex(INCEPTION_TENSORS.map((t) => values.get(t.name)!));
  const convs = new Map<string, FoldedConv>();
  for (const spec of INCEPTION_CONVS) convs.set(spec.name, fold(spec, values));
  return { convs, hash, format };
}

/** BatchNorm folded into the convolution; the filter transposed to [kh, kw, in, out]. */
function fold(spec: ConvSpec, values: Map<string, Float32Array>): FoldedConv {
  const get = (k: string) => values.get(`${spec.name}.${k}`)!;
  const w = get('conv.weight');
  const gamma = get('bn.weight');
  const beta = get('bn.bias');
  const mean = get('bn.running_mean');
  const variance = get('bn.running_var');
  const { inChannels: cin, outChannels: cout } = spec;
  const [kh, kw] = spec.kernel;
  const filter = new Float32Array(w.length);
  const bias = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    const s = gamma[o]! / Math.sqrt(variance[o]! + BATCH_NORM_EPS);
    bias[o] = beta[o]! - mean[o]! * s;
    for (let i = 0; i < cin; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          filter[((y * kw + x) * cin + i) * cout + o] = w[((o * cin + i) * kh + y) * kw + x]! * s;
        }
      }
    }
  }
  return { spec, filter, bias };
}
