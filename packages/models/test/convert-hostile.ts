// Test helper: hostile snapshot pickles, as a careless or malicious file could be, built in memory from the
// real NVlabs fixture (test/fixtures/pickles/edm-ddpmpp-tiny.pkl) or the pickle writer. Used by the
// converter's limit tests and by the CLI robustness suite (test/robustness).
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PickleWriter, Raw, writeSnapshot, type ModuleSpec, type TensorSpec } from './convert-pickle-writer';

/** The real NVlabs snapshot fixture (1.7 MB: EDMPrecond + a small DDPM++). */
export function fixtureSnapshot(): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL('../../../test/fixtures/pickles/edm-ddpmpp-tiny.pkl', import.meta.url))));
}

/**
 * The fixture with one more top-level entry `name` (written by `value`), put into the snapshot dict's last
 * SETITEMS: the fixture ends with SETITEMS (0x75) and STOP (0x2e), and nothing after the new entry uses the
 * memo, so its own memo indices (LONG_BINPUT from 1,000,000) cannot clash.
 */
export function fixtureWithEntry(name: string, value: (w: PickleWriter) => void): Uint8Array {
  const pkl = fixtureSnapshot();
  if (pkl[pkl.length - 2] !== 0x75 || pkl[pkl.length - 1] !== 0x2e) throw new Error('the fixture no longer ends with SETITEMS, STOP');
  const w = new PickleWriter(4).str(name);
  value(w);
  const entry = w.finish();
  const out = new Uint8Array(pkl.length + entry.length);
  out.set(pkl.subarray(0, pkl.length - 2));
  out.set(entry, pkl.length - 2);
  out.set(pkl.subarray(pkl.length - 2), pkl.length - 2 + entry.length);
  return out;
}

/** First memo index the hostile values use (LONG_BINPUT / LONG_BINGET). */
const MEMO_BASE = 1_000_000;

/**
 * A "billion laughs" list: level 0 is [], level k is [level k-1, level k-1] through the memo, so the pickle
 * is about 20 bytes per level while the value, expanded, holds 2^levels lists.
 */
export function nestedTwice(levels: number): (w: PickleWriter) => void {
  return (w) => {
    w.raw(0x5d, 0x72).le(MEMO_BASE, 4); // EMPTY_LIST, LONG_BINPUT
    for (let k = 1; k <= levels; k++) {
      w.raw(0x30, 0x5d).mark(); // POP the level below (it stays in the memo), EMPTY_LIST, MARK
      w.raw(0x6a).le(MEMO_BASE + k - 1, 4).raw(0x6a).le(MEMO_BASE + k - 1, 4); // LONG_BINGET twice
      w.raw(0x65, 0x72).le(MEMO_BASE + k, 4); // APPENDS, LONG_BINPUT
    }
  };
}

/** A list nested `levels` deep ([[[...]]]): one EMPTY_LIST per level, then one APPEND per level. */
export function nestedDeep(levels: number): (w: PickleWriter) => void {
  return (w) => {
    for (let k = 0; k < levels; k++) w.raw(0x5d);
    for (let k = 1; k < levels; k++) w.raw(0x61);
  };
}

/** A list of `n` small ints in one APPENDS. */
export function longList(n: number): (w: PickleWriter) => void {
  return (w) => {
    w.raw(0x5d).mark();
    for (let i = 0; i < n; i++) w.raw(0x4b, i & 0xff);
    w.raw(0x65);
  };
}

/** `n` empty dicts in a list (a pickle that builds n values from about 2n bytes). */
export function manyDicts(n: number): (w: PickleWriter) => void {
  return (w) => {
    w.raw(0x5d);
    for (let i = 0; i < n; i += 1000) {
      w.mark();
      for (let j = i; j < Math.min(n, i + 1000); j++) w.raw(0x7d);
      w.raw(0x65);
    }
  };
}

/** A VPPrecond + SongUNet config whose network this version declares (model_channels 4, 4x4x3 images). */
export const SMALL_VP_KWARGS: [string, unknown][] = [
  ['model_type', 'SongUNet'], ['embedding_type', 'positional'], ['encoder_type', 'standard'], ['decoder_type', 'standard'],
  ['channel_mult_noise', 1], ['resample_filter', [1, 1]], ['model_channels', 4], ['channel_mult', [1]], ['dropout', 0.1],
  ['use_fp16', false], ['img_resolution', 4], ['img_channels', 3], ['label_dim', 10],
];

/**
 * A snapshot whose network has one tensor `model.<name>` of shape `size` viewing a one-element storage with
 * stride 0 on every dimension (a broadcast): a few hundred bytes that expand to prod(size) x 4 bytes.
 * `declared`: the config is {@link SMALL_VP_KWARGS} (so `map_label.weight` has a declared shape); otherwise
 * the config only names the backbone (this version cannot declare it).
 */
export function broadcastSnapshot(name: string, size: number[], declared: boolean): Uint8Array {
  const ema: ModuleSpec = {
    className: 'VPPrecond',
    modules: [['model', {
      className: 'SongUNet',
      params: [[name, { storage: [0.5], size, stride: size.map(() => 0) }]],
    }]],
    initKwargs: declared ? SMALL_VP_KWARGS : [['model_type', 'SongUNet']],
  };
  return writeSnapshot(ema);
}

/** A snapshot whose network modules are nested `levels` deep (each holding the next as `_modules['m']`). */
export function deepModules(levels: number): Uint8Array {
  let inner: ModuleSpec = { className: 'Leaf', params: [['w', { storage: [1, 2], size: [2] }]] };
  for (let k = 0; k < levels; k++) inner = { className: 'Wrap', modules: [['m', inner]] };
  return writeSnapshot({ className: 'EDMPrecond', modules: [['model', { className: 'SongUNet', modules: [['m', inner]] }]], initKwargs: [['model_type', 'SongUNet']] });
}

/**
 * A snapshot whose `model` module holds `n` parameters `p0`, `p1`, ..., all one memoised tensor (a pickle of
 * about 10 bytes per parameter).
 */
export function manyTensors(n: number): Uint8Array {
  const params: [string, TensorSpec | null][] = [];
  const first = new Raw((w) => w.tensor({ storage: [1], size: [1] }).raw(0x72).le(MEMO_BASE, 4));
  const again = new Raw((w) => w.raw(0x6a).le(MEMO_BASE, 4));
  for (let i = 0; i < n; i++) params.push([`p${i}`, { storage: [], size: [], raw: i === 0 ? first : again }]);
  return writeSnapshot({ className: 'EDMPrecond', modules: [['model', { className: 'SongUNet', params }]], initKwargs: [['model_type', 'SongUNet']] });
}

/**
 * Writes to `path` a snapshot of `tensors` parameters of `bytesEach` bytes each (float32, zeros) whose data
 * are holes of a sparse file: a gigabyte snapshot made in milliseconds, taking no disk space. Its config only
 * names the backbone (this version cannot declare it), so any tensor size converts.
 */
export function writeSparseSnapshot(path: string, tensors: number, bytesEach: number): number {
  const markers: Uint8Array[] = [];
  const params: [string, TensorSpec | null][] = [];
  for (let i = 0; i < tensors; i++) {
    const marker = new TextEncoder().encode(`<<hole ${String(i).padStart(6, '0')}>>`);
    markers.push(marker);
    params.push([`p${i}`, { storage: [], size: [bytesEach / 4], hole: { bytes: bytesEach, marker } }]);
  }
  const pkl = writeSnapshot({ className: 'EDMPrecond', modules: [['model', { className: 'SongUNet', params }]], initKwargs: [['model_type', 'SongUNet']] });
  const fd = openSync(path, 'w');
  try {
    let from = 0;
    let at = 0;
    for (const marker of markers) {
      const i = Buffer.from(pkl.buffer, pkl.byteOffset, pkl.byteLength).indexOf(Buffer.from(marker), from);
      if (i < 0) throw new Error('sparse snapshot: marker not found');
      writeSync(fd, pkl, from, i - from, at);
      at += i - from + bytesEach; // the hole
      from = i + marker.length;
    }
    writeSync(fd, pkl, from, pkl.length - from, at);
    at += pkl.length - from;
    ftruncateSync(fd, at);
    return at;
  } finally {
    closeSync(fd);
  }
}

/** A value written raw (for {@link writeSnapshot}'s `extra` and `initKwargs`). */
export const raw = (write: (w: PickleWriter) => void): Raw => new Raw(write);
