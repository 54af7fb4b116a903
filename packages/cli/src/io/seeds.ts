// Integer lists and ranges as the reference's generate.py takes them: `--seeds 0-63,100` means 0, 1, ..., 63,
// 100 (ranges inclusive). Seeds are unsigned 32-bit integers, like the reference's per-seed generators.
import { UsageError } from '../command/errors';

/** Largest seed (2^32 - 1). */
export const MAX_SEED = 0xffffffff;

/** Largest number of values one list may expand to (guards against `0-4294967295`). */
export const MAX_LIST_LENGTH = 1_000_000;

/**
 * Parses `"0-63,100"` into [0..63, 100]. Throws a UsageError naming `flag` for empty parts, non-integers,
 * descending ranges, values above `max`, duplicates, or more than MAX_LIST_LENGTH values.
 */
export function parseRangeList(raw: string, flag = '--seeds', max = MAX_SEED): number[] {
  const syntax = `expected a comma-separated list of integers or inclusive ranges like '0-63,100'`;
  const text = raw.trim();
  if (text === '') throw new UsageError(`${flag}: ${syntax}, got an empty value`);
  const out: number[] = [];
  const seen = new Set<number>();
  const push = (v: number) => {
    if (seen.has(v)) throw new UsageError(`${flag}: ${v} appears more than once in '${raw}'`);
    seen.add(v);
    out.push(v);
  };
  for (const part of text.split(',')) {
    const p = part.trim();
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    if (!m) throw new UsageError(`${flag}: bad part '${p}' in '${raw}': ${syntax}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > max || hi > max) throw new UsageError(`${flag}: ${Math.max(lo, hi)} is above the largest allowed value ${max}`);
    if (hi < lo) throw new UsageError(`${flag}: range '${p}' is descending (write '${hi}-${lo}')`);
    if (out.length + (hi - lo + 1) > MAX_LIST_LENGTH) {
      throw new UsageError(`${flag}: '${raw}' expands to more than ${MAX_LIST_LENGTH} values`);
    }
    for (let v = lo; v <= hi; v++) push(v);
  }
  return out;
}

/**
 * The file name of seed `seed`'s image in an output folder, as generate.py names it: `NNNNNN.png`, or with
 * `subdirs` in a folder per 1000 seeds (`001000/001234.png`).
 */
export function seedImageName(seed: number, subdirs: boolean): string {
  const sub = subdirs ? `${String(seed - (seed % 1000)).padStart(6, '0')}/` : '';
  return `${sub}${String(seed).padStart(6, '0')}.png`;
}
