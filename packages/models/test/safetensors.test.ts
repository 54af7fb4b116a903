import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  encodeSafetensorsHeader,
  float32ToBytes,
  tensorToFloat32,
  type SafetensorsTensor,
} from '../src/io/safetensors';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url)));

function f32(shape: number[], values: number[]): SafetensorsTensor {
  return { dtype: 'F32', shape, data: float32ToBytes(new Float32Array(values)) };
}

describe('safetensors', () => {
  it('decodes the NVlabs fixtures (header, metadata, tensors)', () => {
    for (const name of ['edm_ddpmpp.safetensors', 'edm_adm.safetensors']) {
      const { metadata, tensors } = decodeSafetensors(fixture(name), name);
      expect(metadata['edm.format']).toBe('1');
      expect(JSON.parse(metadata['edm.network']!).class_name).toBe('EDMPrecond');
      const x = tensors.get('fixture.x')!;
      expect(x.shape).toEqual([2, 3, 8, 8]);
      const values = tensorToFloat32(x);
      expect(values.length).toBe(2 * 3 * 8 * 8);
      expect(values.every(Number.isFinite)).toBe(true);
    }
  });

  it('round-trips bit-exactly and pads the header to a multiple of 8', () => {
    const tensors = new Map<string, SafetensorsTensor>([
      ['a.weight', f32([2, 3], [1, -2, 3.5, 1e-30, -0, Math.PI])],
      ['b', { dtype: 'I64', shape: [2], data: new Uint8Array(16).fill(7) }],
      ['scalar', f32([], [42])],
      ['empty', f32([0, 4], [])],
    ]);
    const bytes = encodeSafetensors(tensors, { 'edm.format': '1' });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLen % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ 'edm.format': '1' });
    expect([...back.tensors.keys()]).toEqual(['a.weight', 'b', 'scalar', 'empty']);
    for (const [k, t] of tensors) {
      const u = back.tensors.get(k)!;
      expect(u.dtype).toBe(t.dtype);
      expect(u.shape).toEqual(t.shape);
      expect(Array.from(u.data)).toEqual(Array.from(t.data));
    }
    expect(encodeSafetensors(back.tensors, back.metadata)).toEqual(bytes);
  });

  it('header offsets are back to back in the given order (streaming)', () => {
    const h = encodeSafetensorsHeader([
      { name: 'z', dtype: 'F16', shape: [3], byteLength: 6 },
      { name: 'a', dtype: 'F64', shape: [1], byteLength: 8 },
    ]);
    const n = Number(new DataView(h.buffer).getBigUint64(0, true));
    expect(h.length).toBe(8 + n);
    const json = JSON.parse(new TextDecoder().decode(h.subarray(8)));
    expect(json.z.data_offsets).toEqual([0, 6]);
    expect(json.a.data_offsets).toEqual([6, 14]);
    expect(() => encodeSafetensorsHeader([{ name: 'x', dtype: 'F32', shape: [3], byteLength: 8 }])).toThrow(/expected 12 bytes, got 8/);
  });

  it('converts F64, F16 and BF16 to float32', () => {
    const f64 = new Float64Array([1.5, -2.25, 1e-3]);
    expect(Array.from(tensorToFloat32({ dtype: 'F64', shape: [3], data: new Uint8Array(f64.buffer) }))).toEqual(Array.from(new Float32Array(f64)));
    // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, smallest subnormal 0x0001 = 2^-24, inf 0x7c00.
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00]);
    expect(Array.from(tensorToFloat32({ dtype: 'F16', shape: [5], data: new Uint8Array(f16.buffer) }))).toEqual([1, -2, 65504, 2 ** -24, Infinity]);
    // BF16: top 16 bits of float32. 1.0 = 0x3f80, -3.0 = 0xc040.
    const bf16 = new Uint16Array([0x3f80, 0xc040]);
    expect(Array.from(tensorToFloat32({ dtype: 'BF16', shape: [2], data: new Uint8Array(bf16.buffer) }))).toEqual([1, -3]);
    expect(() => tensorToFloat32({ dtype: 'I32', shape: [1], data: new Uint8Array(4) }, 'w')).toThrow(/w: expected a floating-point dtype.*got I32/);
  });

  it('rejects malformed files with clear errors', () => {
    const good = encodeSafetensors(new Map([['w', f32([2], [1, 2])], ['v', f32([1], [3])]]));
    expect(() => decodeSafetensors(good.subarray(0, 5), 'f.st')).toThrow(/f.st: truncated file/);
    expect(() => decodeSafetensors(good.subarray(0, 20), 'f.st')).toThrow(/f.st: bad header: header length \d+ exceeds/);
    expect(() => decodeSafetensors(good.subarray(0, good.length - 2), 'f.st')).toThrow(/tensor 'v'.*out of range/);
    const withHeader = (json: string) => {
      const body = new TextEncoder().encode(json);
      const out = new Uint8Array(8 + body.length + 16);
      new DataView(out.buffer).setBigUint64(0, BigInt(body.length), true);
      out.set(body, 8);
      return out;
    };
    expect(() => decodeSafetensors(withHeader('{"w": '), 'f.st')).toThrow(/f.st: bad header: not valid UTF-8 JSON/);
    expect(() => decodeSafetensors(withHeader('[1]'), 'f.st')).toThrow(/expected a JSON object/);
    expect(() => decodeSafetensors(withHeader('{"w":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}}'))).toThrow(/tensor 'w': unknown dtype 'F8'/);
    expect(() => decodeSafetensors(withHeader('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}'))).toThrow(/tensor 'w': F32 \[2\] needs 8 bytes, data_offsets give 4/);
    expect(() => decodeSafetensors(withHeader('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'))).toThrow(/'w' \[0, 8\] and 'v' \[4, 8\] overlap/);
    expect(() => decodeSafetensors(withHeader('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}'))).toThrow(/tensor 'w': shape must be/);
    expect(() => decodeSafetensors(withHeader('{"__metadata__":{"a":1}}'))).toThrow(/metadata 'a' must be a string/);
  });
});
