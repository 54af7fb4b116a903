// Option definitions: each option is a value parser plus its help text, its default and its range. A command
// declares its options as one object keyed by camelCase names; the command line spells them in kebab-case
// (`batchGpu` -> `--batch-gpu`). Parsing, `--help`, defaults and validation all come from that one table
// (src/command/program.ts turns it into commander options).
// Typed builders (`int`, `float`, `str`, `bool`, `choice`, `intList`, `custom`) give the parsed value its
// TypeScript type: `T` when the option has a default or is required, `T | undefined` otherwise. Every
// numeric option states its range (`min` and `max`), so a value no run could finish is refused up front.
import { UsageError } from './errors';

/** An order between two options of the same table, checked after defaults are applied. */
export interface Relation {
  /** The other option (camelCase key). */
  option: string;
  /** `<`: this option must be below the other; `<=`: at most the other. */
  op: '<' | '<=';
}

/** One command-line option. */
export interface OptionDef<T> {
  /** Help text (one line), shown by `--help`. */
  readonly help: string;
  /** Placeholder for the value in help, e.g. `INT`, `FILE`. */
  readonly metavar: string;
  /** True for a boolean option that may be given without a value (`--xflip`). */
  readonly isFlag: boolean;
  /** The value when the option is not given. */
  readonly default?: T;
  /** The option must be given. */
  readonly required: boolean;
  /** Parses the raw text; throws a UsageError naming `flag` on a bad value. */
  parse(raw: string, flag: string): T;
  /** How `--help` shows the default (defaults to String(default)). */
  readonly showDefault?: string;
  /** The accepted range, as `--help` shows it (numeric options), e.g. `1..1000`. */
  readonly range?: string;
  /** This option's value must be below (or at most) another option's, when both are set. */
  readonly relation?: Relation;
}

/** Fields every builder accepts. */
export interface BaseSpec<T> {
  /** Help text (one line). */
  help: string;
  /** Value used when the option is absent. */
  default?: T;
  /** Fail with a usage error when the option is absent. */
  required?: boolean;
  /** Placeholder shown in help. */
  metavar?: string;
  /** Text shown as the default in help, when String(default) is not right. */
  showDefault?: string;
}

/** Range fields of the numeric builders: both ends are required. */
export interface RangeSpec {
  /** Smallest accepted value (inclusive unless `exclusiveMin`). */
  min: number;
  /** Largest accepted value (inclusive); Infinity only together with `allowInfinity`. */
  max: number;
  /** The value must be below (`<`) or at most (`<=`) another option's value. */
  relation?: Relation;
}

/** T when the spec has a default or is required, else T | undefined. */
export type Resolved<T, S> = S extends { default: T } ? T : S extends { required: true } ? T : T | undefined;

function make<T, S extends BaseSpec<T>>(
  spec: S,
  metavar: string,
  parse: (raw: string, flag: string) => T,
  extra: { isFlag?: boolean; range?: string; relation?: Relation } = {},
): OptionDef<Resolved<T, S>> {
  return {
    help: spec.help,
    metavar: spec.metavar ?? metavar,
    isFlag: extra.isFlag ?? false,
    default: spec.default as Resolved<T, S> | undefined,
    required: spec.required ?? false,
    parse: parse as (raw: string, flag: string) => Resolved<T, S>,
    showDefault: spec.showDefault,
    range: extra.range,
    relation: extra.relation,
  };
}

/** `inf` for Infinity, else the number as JavaScript prints it. */
function show(v: number): string {
  return v === Infinity ? 'inf' : String(v);
}

/** Parses a decimal integer (optionally within [min, max]). */
export function parseIntStrict(raw: string, flag: string, min?: number, max?: number): number {
  const t = raw.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new UsageError(`${flag}: expected an integer, got '${raw}'`);
  const v = Number(t);
  if (!Number.isSafeInteger(v)) throw new UsageError(`${flag}: integer out of range: '${raw}'`);
  if (min !== undefined && v < min) throw new UsageError(`${flag}: expected an integer >= ${min}, got ${v}`);
  if (max !== undefined && v > max) throw new UsageError(`${flag}: expected an integer <= ${max}, got ${v}`);
  return v;
}

/** Parses a finite number; `inf` is accepted only when allowInfinity. */
export function parseFloatStrict(raw: string, flag: string, allowInfinity = false): number {
  const t = raw.trim().toLowerCase();
  if (allowInfinity && (t === 'inf' || t === 'infinity')) return Infinity;
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) {
    throw new UsageError(`${flag}: expected a number, got '${raw}'`);
  }
  return Number(t);
}

/** Checks a number against [min, max] (either end exclusive when asked); throws a UsageError naming `flag`. */
export function checkRange(v: number, flag: string, min: number, max: number, exclusiveMin = false, exclusiveMax = false): number {
  if (exclusiveMin ? v <= min : v < min) throw new UsageError(`${flag}: expected a number ${exclusiveMin ? '>' : '>='} ${min}, got ${v}`);
  if (exclusiveMax ? v >= max : v > max) throw new UsageError(`${flag}: expected a number ${exclusiveMax ? '<' : '<='} ${show(max)}, got ${v}`);
  return v;
}

/** An integer option within [min, max]. */
export function int<S extends BaseSpec<number> & RangeSpec>(spec: S) {
  return make<number, S>(spec, 'INT', (raw, flag) => parseIntStrict(raw, flag, spec.min, spec.max),
    { range: `${spec.min} to ${spec.max}`, relation: spec.relation });
}

/**
 * A number option within [min, max] (either end exclusive with `exclusiveMin` / `exclusiveMax`; `max` Infinity
 * needs `allowInfinity`).
 */
export function float<
  S extends BaseSpec<number> & RangeSpec & { exclusiveMin?: boolean; exclusiveMax?: boolean; allowInfinity?: boolean },
>(spec: S) {
  if (spec.max === Infinity && !spec.allowInfinity) throw new Error(`float option '${spec.help}': max Infinity needs allowInfinity`);
  const range = spec.exclusiveMin || spec.exclusiveMax
    ? `${spec.exclusiveMin ? '>' : '>='} ${spec.min} and ${spec.exclusiveMax ? '<' : '<='} ${show(spec.max)}`
    : `${spec.min} to ${show(spec.max)}`;
  return make<number, S>(spec, 'FLOAT', (raw, flag) =>
    checkRange(parseFloatStrict(raw, flag, spec.allowInfinity), flag, spec.min, spec.max, spec.exclusiveMin, spec.exclusiveMax),
  { range, relation: spec.relation });
}

/** A string option (a path, a name). */
export function str<S extends BaseSpec<string>>(spec: S) {
  return make<string, S>(spec, 'STR', (raw, flag) => {
    if (raw === '') throw new UsageError(`${flag}: expected a value, got an empty string`);
    return raw;
  });
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** Parses a boolean literal (1/0, true/false, yes/no, on/off; any case), or returns undefined. */
export function parseBoolLiteral(raw: string): boolean | undefined {
  const t = raw.trim().toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  return undefined;
}

/** A boolean option: `--flag`, `--flag=false`, `--flag 1` (as the reference's `--xflip=1`). */
export function bool<S extends BaseSpec<boolean>>(spec: S) {
  return make<boolean, S>(spec, 'BOOL', (raw, flag) => {
    const v = parseBoolLiteral(raw);
    if (v === undefined) throw new UsageError(`${flag}: expected a boolean (1/0, true/false, yes/no), got '${raw}'`);
    return v;
  }, { isFlag: true });
}

/** One of a fixed set of names (listed as the placeholder, or after the help when a `metavar` is given). */
export function choice<const C extends readonly string[], S extends BaseSpec<C[number]>>(choices: C, spec: S) {
  const range = spec.metavar ? `one of: ${choices.join(', ')}` : undefined;
  return make<C[number], S>(spec, choices.join('|'), (raw, flag) => {
    const v = raw.trim().toLowerCase();
    if (!(choices as readonly string[]).includes(v)) {
      throw new UsageError(`${flag}: unknown value '${raw}'; expected one of: ${choices.join(', ')}`);
    }
    return v as C[number];
  }, { range });
}

/** Parses a comma-separated list of integers, each within [min, max]. */
export function parseIntList(raw: string, flag: string, min: number, max: number): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new UsageError(`${flag}: expected a comma-separated list of integers, got '${raw}'`);
  }
  return parts.map((p) => parseIntStrict(p, flag, min, max));
}

/** A comma-separated list of integers, each within [min, max], e.g. `--cres 1,2,2`. */
export function intList<S extends BaseSpec<number[]> & RangeSpec>(spec: S) {
  return make<number[], S>(spec, 'LIST', (raw, flag) => parseIntList(raw, flag, spec.min, spec.max),
    { range: `each ${spec.min} to ${spec.max}` });
}

/** An option with its own parser (e.g. seeds ranges); `range` describes its bounds for help. */
export function custom<T, S extends BaseSpec<T> & { range?: string }>(metavar: string, parse: (raw: string, flag: string) => T, spec: S) {
  return make<T, S>(spec, metavar, parse, { range: spec.range });
}

/** `batchGpu` -> `batch-gpu`, `sChurn` -> `s-churn`. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
