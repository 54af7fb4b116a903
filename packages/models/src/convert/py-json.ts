// Python values -> JSON, for the checkpoint's `edm.network` (strict: only what a constructor keyword
// argument can be) and for the snapshot's other entries in `edm.snapshot` (lenient: a summary). Both are
// bounded in size and depth (limits.ts).

import { SnapshotError } from './errors';
import { MAX_METADATA_BYTES, MAX_NESTING } from './limits';
import { describePy, PersistentObject, PyDict, PyTuple } from './pickle-values';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The size and depth of one JSON conversion, checked as it goes: a crafted pickle can reference one value
 * many times through its memo (a list holding the list below it twice, 60 levels deep, is 2^60 values when
 * expanded) or nest values thousands of levels deep.
 */
export class JsonBudget {
  private bytes = 0;
  /** @param where prefix of the paths in messages (e.g. the file's label and ': '). */
  constructor(readonly where = '', readonly maxBytes = MAX_METADATA_BYTES) {}

  /** Counts `n` more bytes of JSON written at `path`; throws past the limit. */
  charge(n: number, path: string): void {
    this.bytes += n;
    if (this.bytes > this.maxBytes) {
      throw new SnapshotError(`${this.where}${path}: more than ${this.maxBytes} bytes of JSON metadata (the limit): refusing`);
    }
  }

  /** Throws when `depth` is past the nesting limit. */
  enter(depth: number, path: string): void {
    if (depth > MAX_NESTING) {
      throw new SnapshotError(`${this.where}${path}: nested more than ${MAX_NESTING} levels deep (the limit): refusing`);
    }
  }
}

/** Bytes of JSON a scalar takes (about). */
function scalarBytes(v: string | number | bigint | boolean | null): number {
  return typeof v === 'string' ? v.length + 2 : String(v).length;
}

/**
 * Converts a keyword-argument value (None, bool, int, float, str, list, tuple, dict with str keys, numpy
 * scalars already decoded) to JSON. Non-finite floats stay numbers (the checkpoint writes them bare, as
 * Python's json.dumps does). Throws a {@link SnapshotError} naming `path` for anything else, including
 * ints beyond 2^53, and past the budget's size or nesting limit (a value referenced twice is written twice,
 * as Python would, and counted twice).
 */
export function kwargToJson(v: unknown, path: string, budget = new JsonBudget(), depth = 0): Json {
  budget.enter(depth, path);
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') {
    budget.charge(scalarBytes(v), path);
    return v;
  }
  if (typeof v === 'bigint') throw new SnapshotError(`${path} is the integer ${v}: beyond 2^53, not representable in JSON`);
  if (Array.isArray(v) || v instanceof PyTuple) {
    const items = Array.isArray(v) ? v : v.items;
    budget.charge(2, path);
    return items.map((x, i) => kwargToJson(x, `${path}[${i}]`, budget, depth + 1));
  }
  if (v instanceof PyDict) {
    const out: { [key: string]: Json } = {};
    budget.charge(2, path);
    for (const [k, x] of v.map) {
      if (typeof k !== 'string') throw new SnapshotError(`${path} has a non-string key ${String(k)}: not representable in JSON`);
      budget.charge(k.length + 3, path);
      out[k] = kwargToJson(x, `${path}.${k}`, budget, depth + 1);
    }
    return out;
  }
  throw new SnapshotError(`${path} is a ${describePy(v)}: expected None, bool, number, str, list, tuple or dict`);
}

/** The recorded `_init_kwargs` of a persistent object, as JSON (lenient; see {@link summaryJson}). */
export function initKwargs(obj: PersistentObject, path: string, budget: JsonBudget, seen: Map<object, string>, depth: number): Json {
  const kw = obj.state.get('_init_kwargs');
  return kw === undefined ? null : summaryJson(kw, `${path}.init_kwargs`, budget, seen, depth + 1);
}

/**
 * A lenient JSON summary: non-finite numbers and big ints become strings, persistent objects become
 * `{class_name, init_kwargs}` plus, for non-modules, their public attributes; anything else its type name.
 * A container met a second time (a memo reference, or a cycle) is written as `"<same list as PATH>"`, never
 * expanded again. Throws a {@link SnapshotError} past the budget's size or nesting limit.
 */
export function summaryJson(
  v: unknown, path: string, budget = new JsonBudget(), seen = new Map<object, string>(), depth = 0,
): Json {
  budget.enter(depth, path);
  if (typeof v === 'number' || typeof v === 'bigint' || v === null || typeof v === 'boolean' || typeof v === 'string') {
    const json = typeof v === 'number' ? (Number.isFinite(v) ? v : String(v)) : typeof v === 'bigint' ? v.toString() : v;
    budget.charge(scalarBytes(json), path);
    return json;
  }
  const container = Array.isArray(v) || v instanceof PyTuple || v instanceof PyDict || v instanceof PersistentObject;
  if (container) {
    const first = seen.get(v as object);
    if (first !== undefined) {
      const ref = `<same ${describePy(v)} as ${first}>`;
      budget.charge(ref.length + 2, path);
      return ref;
    }
    seen.set(v as object, path);
    budget.charge(2, path);
  }
  if (Array.isArray(v) || v instanceof PyTuple) {
    return (Array.isArray(v) ? v : v.items).map((x, i) => summaryJson(x, `${path}[${i}]`, budget, seen, depth + 1));
  }
  if (v instanceof PyDict) {
    const out: { [key: string]: Json } = {};
    for (const [k, x] of v.map) {
      budget.charge(String(k).length + 3, path);
      out[String(k)] = summaryJson(x, `${path}.${String(k)}`, budget, seen, depth + 1);
    }
    return out;
  }
  if (v instanceof PersistentObject) {
    budget.charge(v.className.length + 30, path);
    const out: { [key: string]: Json } = { class_name: v.className, init_kwargs: initKwargs(v, path, budget, seen, depth) };
    if (v.state.get('_parameters') === undefined) {
      const attributes: { [key: string]: Json } = {};
      for (const [k, x] of v.state.map) {
        if (typeof k === 'string' && !k.startsWith('_')) {
          budget.charge(k.length + 3, path);
          attributes[k] = summaryJson(x, `${path}.${k}`, budget, seen, depth + 1);
        }
      }
      out['attributes'] = attributes;
    }
    return out;
  }
  return `<${describePy(v)}>`;
}
