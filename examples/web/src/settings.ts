// The sampling settings of the page: read from the form, validated with errors that name the field and say
// what was expected and what was got. The sampler's settings are checked against @edm/core's sampler table
// (the fields are generated from it: options-form.ts); names follow the paper and `edm generate`.
import { resolveSamplerOptions, type SamplerName } from '@edm/core';
import { optionFields } from './options-form';
import { samplerName } from './samplers';

/** One sampling request, as the controls describe it. */
export interface SampleSettings {
  /** First seed; the batch uses seeds seed .. seed + batch - 1 (`edm generate --seeds`). */
  seed: number;
  /** Number of images (one per seed). */
  batch: number;
  /** Class label of every image; null = seed mod the number of classes (as `edm generate` without --class). */
  classIndex: number | null;
  /** The sampler (a name of the sampler table, as `edm generate --sampler`). */
  sampler: SamplerName;
  /** Its settings by table key (`numSteps`, `sChurn`, ...): every field with a value. */
  settings: Record<string, number | string | boolean>;
  /** Autoguidance weight w, when a guide network is loaded (`edm generate --guidance`). */
  guidance?: number;
}

/** Largest batch the page accepts (a grid of 8 x 8). */
export const MAX_BATCH = 64;

/** Range of a number field. */
interface NumberRange {
  integer?: boolean;
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
}

/** Parses a number field; `inf`/`Infinity` accepted where max is Infinity. Throws naming the field. */
export function parseNumber(field: string, raw: string, o: NumberRange = {}): number {
  const text = raw.trim();
  const allowInfinity = o.max === Infinity;
  const value = allowInfinity && /^(\+?inf(inity)?)$/i.test(text) ? Infinity : text === '' ? NaN : Number(text);
  const lo = o.min === undefined ? '' : ` ${o.exclusiveMin ? '>' : '>='} ${o.min}`;
  const hi = o.max === undefined || o.max === Infinity ? '' : ` and ${o.exclusiveMax ? '<' : '<='} ${o.max}`;
  const kind = `${o.integer ? 'an integer' : 'a number'}${lo}${hi}${allowInfinity ? ' (or inf)' : ''}`;
  const bad = Number.isNaN(value) || (!Number.isFinite(value) && !(allowInfinity && value === Infinity)) ||
    (o.integer && !Number.isInteger(value)) ||
    (o.min !== undefined && (o.exclusiveMin ? value <= o.min : value < o.min)) ||
    (o.max !== undefined && (o.exclusiveMax ? value >= o.max : value > o.max));
  if (bad) throw new Error(`${field}: expected ${kind}, got '${raw}'`);
  return value;
}

/** The raw values of the form fields. */
export interface RawSettings {
  seed: string;
  batch: string;
  classIndex: string;
  sampler: string;
  /** The sampler's fields by table key; a missing one takes the table's default, an empty one only if it has none. */
  options: Record<string, string>;
  /** The guidance weight field, given only when a guide network is loaded. */
  guidance?: string;
}

/** Range of the autoguidance weight (as `edm generate --guidance`). */
export const GUIDANCE_RANGE = { min: 0, max: 100 };

/** Validates the raw field values against the sampler's table and the network's number of classes (labelDim). */
export function parseSettings(raw: RawSettings, labelDim: number): SampleSettings {
  const seed = parseNumber('Seed', raw.seed, { integer: true, min: 0, max: 2 ** 32 - MAX_BATCH });
  const batch = parseNumber('Batch size', raw.batch, { integer: true, min: 1, max: MAX_BATCH });
  const classIndex = raw.classIndex === '' || raw.classIndex === 'auto' ? null
    : parseNumber('Class', raw.classIndex, { integer: true, min: 0, max: Math.max(labelDim - 1, 0) });
  if (classIndex !== null && labelDim === 0) throw new Error(`Class: the network is unconditional, got class ${classIndex}`);
  const sampler = samplerName(raw.sampler);
  const fields = optionFields(sampler);
  const settings: Record<string, number | string | boolean> = {};
  for (const { key, label, spec } of fields) {
    if (raw.options[key] === undefined) continue;
    const text = raw.options[key].trim();
    if (text === '') {
      if (spec.default === undefined) continue;
      throw new Error(`${label}: expected a value (default ${spec.default === Infinity ? 'inf' : spec.default}), got ''`);
    }
    switch (spec.kind) {
      case 'boolean':
        if (text !== 'true' && text !== 'false') throw new Error(`${label}: expected true or false, got '${text}'`);
        settings[key] = text === 'true';
        break;
      case 'choice':
        if (!spec.choices.includes(text)) throw new Error(`${label}: expected one of ${spec.choices.join(', ')}, got '${text}'`);
        settings[key] = text;
        break;
      default:
        settings[key] = parseNumber(label, text, { ...spec, integer: spec.kind === 'int' });
    }
  }
  try {
    resolveSamplerOptions(sampler, settings); // the relations between fields (S_min <= S_max, sigma_min < sigma_max)
  } catch (e) {
    const labels = new Map(fields.map((f) => [f.key, f.label]));
    const text = (e instanceof Error ? e.message : String(e)).replace(/^\w+: /, '')
      .replace(/\b\w+\b/g, (w) => (w.length > 1 && labels.has(w) ? labels.get(w)! : w));
    throw new Error(`${text} (the ${sampler} sampler)`);
  }
  const guidance = raw.guidance === undefined ? undefined : parseNumber('Guidance weight w', raw.guidance, GUIDANCE_RANGE);
  return { seed, batch, classIndex, sampler, settings, ...(guidance !== undefined && { guidance }) };
}

/** The seeds of a request: seed .. seed + batch - 1. */
export function seedsOf(s: SampleSettings): number[] {
  return Array.from({ length: s.batch }, (_, i) => s.seed + i);
}

/** The number of steps of a request (NaN for a sampler that picks its own, dpm_adaptive). */
export function stepsOf(s: SampleSettings): number {
  const n = s.settings.numSteps;
  return typeof n === 'number' ? n : NaN;
}
