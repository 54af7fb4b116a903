// Python values -> JSON, for the checkpoint's `edm.network` (strict: only what a constructor keyword
// argument can be) and for the snapshot's other entries in `edm.snapshot` (lenient: a summary).

import { SnapshotError } from './errors';
import { describePy, PersistentObject, PyDict, PyTuple } from './pickle-values';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Converts a keyword-argument value (None, bool, int, float, str, list, tuple, dict with str keys, numpy
 * scalars already decoded) to JSON. Non-finite floats stay numbers (the checkpoint writes them bare, as
 * Python's json.dumps does). Throws a {@link SnapshotError} naming `path` for anything else, including
 * ints beyond 2^53.
 */
export function kwargToJson(v: unknown, path: string): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') throw new SnapshotError(`${path} is the integer ${v}: beyond 2^53, not representable in JSON`);
  if (Array.isArray(v) || v instanceof PyTuple) {
    const items = Array.isArray(v) ? v : v.items;
    return items.map((x, i) => kwargToJson(x, `${path}[${i}]`));
  }
  if (v instanceof PyDict) {
    const out: { [key: string]: Json } = {};
    for (const [k, x] of v.map) {
      if (typeof k !== 'string') throw new SnapshotError(`${path} has a non-string key ${String(k)}: not representable in JSON`);
      out[k] = kwargToJson(x, `${path}.${k}`);
    }
    return out;
  }
  throw new SnapshotError(`${path} is a ${describePy(v)}: expected None, bool, number, str, list, tuple or dict`);
}

/** The recorded `_init_kwargs` of a persistent object, as JSON (lenient). */
export function initKwargs(obj: PersistentObject): Json {
  const kw = obj.state.get('_init_kwargs');
  return kw === undefined ? null : summaryJson(kw);
}

/**
 * A lenient JSON summary: non-finite numbers and big ints become strings, persistent objects become
 * `{class_name, init_kwargs}` plus, for non-modules, their public attributes; anything else its type name.
 */
export function summaryJson(v: unknown): Json {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v) || v instanceof PyTuple) return (Array.isArray(v) ? v : v.items).map(summaryJson);
  if (v instanceof PyDict) {
    const out: { [key: string]: Json } = {};
    for (const [k, x] of v.map) out[String(k)] = summaryJson(x);
    return out;
  }
  if (v instanceof PersistentObject) {
    const out: { [key: string]: Json } = { class_name: v.className, init_kwargs: initKwargs(v) };
    if (v.state.get('_parameters') === undefined) {
      const attributes: { [key: string]: Json } = {};
      for (const [k, x] of v.state.map) {
        if (typeof k === 'string' && !k.startsWith('_')) attributes[k] = summaryJson(x);
      }
      out['attributes'] = attributes;
    }
    return out;
  }
  return `<${describePy(v)}>`;
}
