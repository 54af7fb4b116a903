// Checkpoints a careless or hostile user could hand the loader: a `null` or array header, a header length
// past 100 MB, a network config nested thousands of levels deep or declaring a million blocks, 200,000 extra
// tensors, a header checked alone (no tensor data read). Each is refused with a short message naming the problem.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkCheckpointHeader, decodeSafetensors, decodeSafetensorsHeader, encodeSafetensors, loadNetwork, type SafetensorsTensor,
} from '../src/index';
import { loadFixture } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A safetensors file whose header is exactly `json`. */
function withHeader(json: string): Uint8Array {
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

const load = (bytes: Uint8Array) => loadNetwork(bytes, { source: 'bad.safetensors' });

describe('hostile checkpoint headers', () => {
  it('a null, array or number header is named as such (not "got object")', async () => {
    await expect(load(withHeader('null'))).rejects.toThrow('bad.safetensors: bad header: expected a JSON object, got null');
    await expect(load(withHeader('[1]'))).rejects.toThrow('expected a JSON object, got an array');
    await expect(load(withHeader('{"__metadata__": null}'))).rejects.toThrow("'__metadata__' must be an object of strings, got null");
    await expect(load(withHeader('{"w": null}'))).rejects.toThrow("tensor 'w': header entry must be an object, got null");
  });

  it('a header length past 100 MB is refused before reading it', () => {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setBigUint64(0, 200_000_000n, true);
    expect(() => decodeSafetensorsHeader(head, 3e9, 'big.safetensors')).toThrow(
      'big.safetensors: bad header: header length 200000000 is more than 100000000 bytes (the limit)');
  });

  it('an edm.network nested 10,000 levels deep is refused (no stack overflow)', async () => {
    const { metadata, tensors } = decodeSafetensors(loadFixture('edm_ddpmpp').bytes);
    const deep = `{"class_name": "EDMPrecond", "kwargs": {"x": ${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const bytes = encodeSafetensors(new Map(tensors), { ...metadata, 'edm.network': deep });
    await expect(load(bytes)).rejects.toThrow("bad.safetensors: metadata 'edm.network' is nested 10002 levels deep (the limit is 100)");
  });

  it('a config declaring a million blocks, or an iDDPM table of a billion steps, fails at once', async () => {
    const { metadata, tensors } = decodeSafetensors(loadFixture('edm_ddpmpp').bytes);
    const config = JSON.parse(metadata['edm.network']!);
    const blocks = encodeSafetensors(new Map(tensors), {
      ...metadata, 'edm.network': JSON.stringify({ ...config, kwargs: { ...config.kwargs, num_blocks: 1_000_000 } }),
    });
    const t0 = performance.now();
    await expect(load(blocks)).rejects.toThrow(`bad.safetensors: edm.network: the config declares more than ${tensors.size} tensors (more than the file holds)`);
    expect(performance.now() - t0).toBeLessThan(5000); // unbounded, it runs for minutes and gigabytes
    const iddpm = encodeSafetensors(new Map(tensors), {
      ...metadata, 'edm.network': JSON.stringify({ class_name: 'iDDPMPrecond', kwargs: {
        ...Object.fromEntries(Object.entries(config.kwargs).filter(([k]) => !k.startsWith('sigma_'))), M: 1e9,
      } }),
    });
    await expect(load(iddpm)).rejects.toThrow('option M must be an integer in [2, 100000], got 1000000000');
  });

  it('200,000 extra tensors give one short message', async () => {
    const { metadata, tensors } = decodeSafetensors(loadFixture('edm_ddpmpp').bytes);
    const more = new Map<string, SafetensorsTensor>(tensors);
    for (let i = 0; i < 200_000; i++) more.set(`extra.${i}`, { dtype: 'F32', shape: [0], data: new Uint8Array(0) });
    let message = '';
    await load(encodeSafetensors(more, metadata)).catch((e: Error) => { message = e.message; });
    expect(message).toBe("bad.safetensors: unexpected tensors 'extra.0', 'extra.1', 'extra.2', 'extra.3', 'extra.4' and 199995 more (not in EDMPrecond with these kwargs)");
  });

  it('the header alone is validated against the config, with no tensor data', () => {
    const bytes = loadFixture('edm_ddpmpp').bytes;
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = decodeSafetensorsHeader(bytes.subarray(0, 8 + n), bytes.byteLength, 'ok.safetensors');
    expect(() => checkCheckpointHeader(header.metadata, header.tensors, 'ok.safetensors')).not.toThrow();
    const first = [...header.tensors.keys()].find((k) => !k.startsWith('fixture.'))!;
    const wrong = new Map(header.tensors);
    wrong.set(first, { ...wrong.get(first)!, shape: [100_000, 100_000] });
    expect(() => checkCheckpointHeader(header.metadata, wrong, 'ok.safetensors')).toThrow(
      new RegExp(`ok\\.safetensors: tensor '${first.replace(/\./g, '\\.')}' has shape \\[100000, 100000\\], expected \\[`));
  });
});
