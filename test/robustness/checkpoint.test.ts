// `edm info` and `edm generate` on hostile or mistaken checkpoints, run as a user would (the built CLI), under
// caps and measured (harness.ts): a training state given as a network, 200,000 extra tensors, a `null`
// header, files past 2 GiB (sparse, made here) whose header does not describe them, a 1.6 GB tensor of the
// wrong shape, symlink loops and dangling links, control characters in metadata. Each is rejected (or shown)
// with a short message naming the file, within 512 MB and 10 s, after reading the header only.
import { closeSync, ftruncateSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeSafetensors, encodeSafetensors, encodeSafetensorsHeader, type SafetensorsTensor,
} from '../../packages/models/src/io/safetensors';
import { expectWithinBounds, requireBuiltCli, runCli, tempDir } from './harness';

const SHIPPED = fileURLToPath(new URL('../../packages/cli/models/mnist-cond.safetensors', import.meta.url));
let dir: string;
let shipped: ReturnType<typeof decodeSafetensors>;

beforeAll(() => {
  requireBuiltCli();
  dir = tempDir();
  shipped = decodeSafetensors(new Uint8Array(readFileSync(SHIPPED)), 'shipped');
});

/** Writes a file of `size` bytes that starts with `head` and is a hole after it (sparse: no disk space). */
function writeSparse(name: string, head: Uint8Array, size: number): void {
  const fd = openSync(join(dir, name), 'w');
  writeSync(fd, head);
  ftruncateSync(fd, size);
  closeSync(fd);
}

const info = (file: string) => runCli(['info', file, '--backend', 'cpu'], dir);

describe('edm info / generate: checkpoints that are not what they claim', () => {
  it('a training state is named as one, in one short line (not a 31 KB list of tensor names)', async () => {
    const tensors = new Map<string, SafetensorsTensor>();
    for (const prefix of ['net', 'ema', 'adam_m', 'adam_v']) for (const [k, t] of shipped.tensors) tensors.set(`${prefix}/${k}`, t);
    writeFileSync(join(dir, 'state.safetensors'), encodeSafetensors(tensors, {
      'edm.format': '1', 'edm.state': JSON.stringify({ step: 1, nimg: 64 }), 'edm.network': shipped.metadata['edm.network']!,
    }));
    for (const args of [['info', 'state.safetensors'], ['generate', '--net', 'state.safetensors', '--grid', 'g.png', '--seeds', '0']]) {
      const r = await runCli([...args, '--backend', 'cpu'], dir);
      expectWithinBounds(r, `${args[0]} on a training state`);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("state.safetensors: is a training state (a run's training-state.safetensors");
      expect(r.stderr.length).toBeLessThan(600);
    }
  });

  it('200,000 extra tensors: one short message', async () => {
    const tensors = new Map(shipped.tensors);
    for (let i = 0; i < 200_000; i++) tensors.set(`extra.${i}`, { dtype: 'F32', shape: [0], data: new Uint8Array(0) });
    writeFileSync(join(dir, 'extra.safetensors'), encodeSafetensors(tensors, shipped.metadata));
    const r = await info('extra.safetensors');
    expectWithinBounds(r, '200,000 extra tensors');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unexpected tensors 'extra.0', 'extra.1', 'extra.2', 'extra.3', 'extra.4' and 199995 more");
    expect(r.stderr.length).toBeLessThan(600);
  });

  it('a JSON null header is reported as null', async () => {
    const text = new TextEncoder().encode('null    ');
    const bytes = new Uint8Array(8 + text.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
    bytes.set(text, 8);
    writeFileSync(join(dir, 'null.safetensors'), bytes);
    const r = await info('null.safetensors');
    expectWithinBounds(r, 'null header');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('null.safetensors: not a valid edm checkpoint: null.safetensors: bad header: expected a JSON object, got null');
  });

  it('a 2.5 GiB file whose header describes 0.7 MiB is refused after reading the header', async () => {
    const bytes = new Uint8Array(readFileSync(SHIPPED));
    writeSparse('big.safetensors', bytes, 2.5 * 2 ** 30);
    const r = await info('big.safetensors');
    expectWithinBounds(r, '2.5 GiB sparse file');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/big\.safetensors: not a valid edm checkpoint: big\.safetensors: \d+ byte\(s\) after the last tensor's data/);
    expect(r.stderr).not.toMatch(/greater than 2 GiB/);
  });

  it('a 1.6 GB checkpoint whose first tensor is (20000, 20000): refused from its header in well under a second of work', async () => {
    const entries = [...shipped.tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, byteLength: t.data.byteLength }));
    const first = entries[0]!;
    entries[0] = { ...first, shape: [20_000, 20_000], byteLength: 4 * 20_000 * 20_000 };
    const header = encodeSafetensorsHeader(entries, shipped.metadata);
    writeSparse('huge.safetensors', header, header.length + entries.reduce((a, e) => a + e.byteLength, 0));
    const r = await info('huge.safetensors');
    expectWithinBounds(r, '1.6 GB checkpoint of a wrong shape');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`huge.safetensors: tensor '${first.name}' has shape [20000, 20000], expected [${first.shape.join(', ')}]`);
  });

  it('a config declaring a million blocks is refused at once (not minutes and gigabytes of declarations)', async () => {
    const config = JSON.parse(shipped.metadata['edm.network']!);
    writeFileSync(join(dir, 'blocks.safetensors'), encodeSafetensors(new Map(shipped.tensors), {
      ...shipped.metadata, 'edm.network': JSON.stringify({ ...config, kwargs: { ...config.kwargs, num_blocks: 1_000_000 } }),
    }));
    const r = await info('blocks.safetensors');
    expectWithinBounds(r, 'num_blocks 1,000,000');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`blocks.safetensors: edm.network: the config declares more than ${shipped.tensors.size} tensors (more than the file holds)`);
  });

  it('a symlink loop and a dangling link are named as such', async () => {
    symlinkSync('loop-b.safetensors', join(dir, 'loop-a.safetensors'));
    symlinkSync('loop-a.safetensors', join(dir, 'loop-b.safetensors'));
    symlinkSync('nowhere.safetensors', join(dir, 'dangling.safetensors'));
    const loop = await info('loop-a.safetensors');
    expectWithinBounds(loop, 'symlink loop');
    expect(loop.code).toBe(1);
    expect(loop.stderr).toContain("checkpoint 'loop-a.safetensors': too many levels of symbolic links (a symlink loop) (ELOOP)");
    const dangling = await info('dangling.safetensors');
    expect(dangling.code).toBe(1);
    expect(dangling.stderr).toContain("checkpoint 'dangling.safetensors' not found");
  });

  it('metadata with ESC/BEL and CSI sequences is printed escaped', async () => {
    writeFileSync(join(dir, 'esc.safetensors'), encodeSafetensors(new Map(shipped.tensors), {
      ...shipped.metadata, 'note\x1b]0;owned\x07': 'x\x1b[2J\x9b31m',
    }));
    const r = await info('esc.safetensors');
    expectWithinBounds(r, 'control characters in metadata');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('note\\u001b]0;owned\\u0007: x\\u001b[2J\\u009b31m');
    expect(r.stdout + r.stderr).not.toMatch(/[\x07\x1b\x9b]/);
    const json = await runCli(['info', 'esc.safetensors', '--json', '--backend', 'cpu'], dir);
    expect(JSON.parse(json.stdout).metadata['note\x1b]0;owned\x07']).toBe('x\x1b[2J\x9b31m');
  });
});
