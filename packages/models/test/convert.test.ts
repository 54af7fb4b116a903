// edm convert on the real NVlabs snapshot fixture (test/fixtures/pickles/edm-ddpmpp-tiny.pkl, written by
// the unmodified NVlabs code with PyTorch 1.13): every tensor bit-equal to the expected checkpoint, the same
// names in the same order, the same network config; streaming gives the same bytes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bytesSource, convertSnapshot, convertSnapshotTo, readSnapshot, type ByteSource, type ConvertProgress } from '../src/convert/index';
import { decodeSafetensors } from '../src/io/safetensors';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/pickles/', import.meta.url));
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(fixtures + name));
const pkl = read('edm-ddpmpp-tiny.pkl');
const expected = decodeSafetensors(read('edm-ddpmpp-tiny.expected.safetensors'), 'edm-ddpmpp-tiny.expected.safetensors');
const expectedNames = [...expected.tensors.keys()].filter((k) => !k.startsWith('fixture.'));

describe('convertSnapshot on the NVlabs DDPM++ snapshot fixture', () => {
  const out = convertSnapshot(pkl, { label: 'edm-ddpmpp-tiny.pkl' });
  const got = decodeSafetensors(out, 'converted');

  it('writes every state_dict tensor, in the reference order, F32, bit-identical', () => {
    expect(expectedNames).toHaveLength(296);
    expect([...got.tensors.keys()]).toEqual(expectedNames);
    let differing = 0;
    for (const name of expectedNames) {
      const e = expected.tensors.get(name)!;
      const g = got.tensors.get(name)!;
      expect(g.dtype, name).toBe('F32');
      expect(g.shape, name).toEqual(e.shape);
      if (Buffer.compare(Buffer.from(g.data), Buffer.from(e.data)) !== 0) differing++;
    }
    expect(differing).toBe(0);
    expect(got.tensors.get('model.enc.4x4_down.conv0.resample_filter')!.shape).toEqual([1, 1, 2, 2]);
    expect(got.tensors.get('model.enc.8x8_conv.weight')!.shape).toEqual([16, 3, 3, 3]);
  });

  it('writes edm.format and edm.network equal to the expected config (keys in pickle order)', () => {
    expect(got.metadata['edm.format']).toBe('1');
    const net = JSON.parse(got.metadata['edm.network']!);
    const want = JSON.parse(expected.metadata['edm.network']!);
    expect(net).toEqual(want);
    expect(Object.keys(net.kwargs)).toEqual(Object.keys(want.kwargs));
    expect(net.kwargs.dropout).toBe(0.13);
  });

  it("carries the snapshot's other entries in edm.snapshot", () => {
    const s = JSON.parse(got.metadata['edm.snapshot']!);
    expect(s.entry).toBe('ema');
    expect(s.loss_fn).toEqual({ class_name: 'EDMLoss', init_kwargs: {}, attributes: { P_mean: -1.2, P_std: 1.2, sigma_data: 0.5 } });
    expect(s.augment_pipe).toBeNull();
    const notes = JSON.parse(expected.metadata['edm.notes']!);
    expect(s.dataset_kwargs).toEqual(notes.dataset_kwargs);
  });

  it('readSnapshot reports the network and tensor views without reading tensor data', () => {
    const reads: number[] = [];
    const src = bytesSource(pkl);
    const counting: ByteSource = { byteLength: src.byteLength, read: (o, n) => { reads.push(n); return src.read(o, n); } };
    const s = readSnapshot(counting, { label: 'tiny' });
    expect(s.network.class_name).toBe('EDMPrecond');
    expect(s.tensors).toHaveLength(296);
    expect(s.tensors.reduce((a, t) => a + t.tensor.numel, 0)).toBe(
      expectedNames.reduce((a, n) => a + expected.tensors.get(n)!.data.byteLength / 4, 0),
    );
    // the pickle walk reads windows of at most 1 MiB, and storage headers; never one read per tensor's data
    expect(Math.max(...reads)).toBeLessThanOrEqual(1 << 20);
  });
});

describe('convertSnapshotTo (streaming)', () => {
  it('writes the same bytes as convertSnapshot, header first, one tensor per chunk, with progress', async () => {
    const whole = convertSnapshot(pkl);
    const chunks: Uint8Array[] = [];
    const progress: ConvertProgress[] = [];
    const summary = await convertSnapshotTo(bytesSource(pkl), (c) => { chunks.push(c.slice()); }, {
      onProgress: (p) => progress.push(p),
    });
    expect(chunks).toHaveLength(1 + 296);
    const joined = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) { joined.set(c, at); at += c.byteLength; }
    expect(Buffer.compare(Buffer.from(joined), Buffer.from(whole))).toBe(0);
    expect(summary).toMatchObject({ tensorCount: 296, byteLength: whole.byteLength });
    expect(summary.network.kwargs['model_type']).toBe('SongUNet');
    const readP = progress.filter((p) => p.phase === 'read');
    const writeP = progress.filter((p) => p.phase === 'write');
    expect(readP.at(-1)).toEqual({ phase: 'read', done: pkl.byteLength, total: pkl.byteLength });
    expect(writeP).toHaveLength(296);
    expect(writeP.at(-1)).toEqual({ phase: 'write', done: whole.byteLength, total: whole.byteLength });
    for (const list of [readP, writeP]) for (let i = 1; i < list.length; i++) expect(list[i]!.done).toBeGreaterThanOrEqual(list[i - 1]!.done);
  });

  it('awaits an asynchronous sink and holds one tensor at a time', async () => {
    let pending = 0;
    let maxChunk = 0;
    await convertSnapshotTo(bytesSource(pkl), async (c) => {
      pending++;
      expect(pending).toBe(1);
      maxChunk = Math.max(maxChunk, c.byteLength);
      await new Promise((r) => setTimeout(r, 0));
      pending--;
    });
    const largest = Math.max(...expectedNames.map((n) => expected.tensors.get(n)!.data.byteLength));
    expect(maxChunk).toBeLessThanOrEqual(Math.max(largest, 64 * 1024));
  });
});
