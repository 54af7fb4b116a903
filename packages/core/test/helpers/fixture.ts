// Reads the NVlabs reference fixtures (test/fixtures/*.safetensors, see /work/shared/fixtures/README.md):
// the metadata JSON and F32/F64 tensors as plain arrays (NCHW as stored).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface FixtureTensor {
  shape: number[];
  data: Float64Array;
}

export interface Fixture {
  meta: Record<string, string>;
  /** The parsed `edm.fixture` JSON: per fixture tensor, what it is and the call's params. */
  info: Record<string, { params?: Record<string, unknown> & { net_sigmas?: number[] } }>;
  tensor(name: string): FixtureTensor;
}

export function loadFixture(file = 'edm_ddpmpp.safetensors'): Fixture {
  const path = fileURLToPath(new URL(`../../../../test/fixtures/${file}`, import.meta.url));
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const meta = header.__metadata__ as Record<string, string>;
  const base = 8 + n;
  return {
    meta,
    info: JSON.parse(meta['edm.fixture']!),
    tensor(name) {
      const e = header[name] as { dtype: string; shape: number[]; data_offsets: [number, number] } | undefined;
      if (!e) throw new Error(`fixture ${file}: no tensor '${name}'`);
      const bytes = buf.subarray(base + e.data_offsets[0], base + e.data_offsets[1]);
      const copy = new Uint8Array(bytes).buffer;
      const data = e.dtype === 'F64' ? new Float64Array(copy) : Float64Array.from(new Float32Array(copy));
      return { shape: e.shape, data };
    },
  };
}

/** NCHW data to NHWC order. */
export function nchwToNhwc(t: FixtureTensor): { shape: [number, number, number, number]; data: Float32Array } {
  const [n, c, h, w] = t.shape as [number, number, number, number];
  const out = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    out[((b * h + y) * w + x) * c + ch] = t.data[((b * c + ch) * h + y) * w + x]!;
  }
  return { shape: [n, h, w, c], data: out };
}
