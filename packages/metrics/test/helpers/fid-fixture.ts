// The FID fixture (../shared/fixtures/fid/, see its README): the stand-in weights file in the real file's
// format and names (95.6 MB, not in the repository), and what pytorch-fid computed from it
// (test/fixtures/fid-reference.safetensors, copied here). Suites that need the weights are skipped with one
// loud line naming the file and where to get it when it is absent (a fresh clone without ../shared).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeSafetensors, tensorToFloat32, type SafetensorsTensor } from '@edm/models';
import { describe } from 'vitest';

/** Where the weights file is taken from: the shared fixtures next to the checkout. */
export const FID_WEIGHTS_PATH = fileURLToPath(new URL('../../../../../shared/fixtures/fid/fid-inception-standin.pth', import.meta.url));

/** The weights file's bytes (only inside a suite made by {@link describeWithFidWeights}). */
export function fidWeights(): Uint8Array {
  return new Uint8Array(readFileSync(FID_WEIGHTS_PATH));
}

/** describe() for a suite that needs the weights file: skipped with one loud line where it is absent. */
export function describeWithFidWeights(title: string, fn: () => void): void {
  if (existsSync(FID_WEIGHTS_PATH)) {
    describe(title, fn);
    return;
  }
  process.stderr.write(`\n!!! SKIPPED: ${title}: needs ${FID_WEIGHTS_PATH} (fid-inception-standin.pth, 95.6 MB: the shared ` +
    'fixtures\' fid/ folder, made by pytorch-fid as its README says; not in the repository)\n\n');
  describe.skip(title, fn);
}

/** The reference numbers: name -> tensor. */
export function fidReference(): Map<string, SafetensorsTensor> {
  const bytes = new Uint8Array(readFileSync(new URL('../fixtures/fid-reference.safetensors', import.meta.url)));
  return decodeSafetensors(bytes, 'fid-reference.safetensors').tensors;
}

/** A reference tensor as float64 values. */
export function refValues(ref: Map<string, SafetensorsTensor>, name: string): Float64Array {
  const t = ref.get(name)!;
  if (t.dtype === 'F64') return new Float64Array(t.data.slice().buffer);
  if (t.dtype === 'U8') return Float64Array.from(t.data);
  return Float64Array.from(tensorToFloat32(t, name));
}
