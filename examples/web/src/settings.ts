// The sampling settings of the page: read from the form, validated with errors that name the field and say
// what was expected and what was got. Names follow the paper (Algorithm 2) and `edm generate`'s options.

/** One sampling request, as the controls describe it. */
export interface SampleSettings {
  /** First seed; the batch uses seeds seed .. seed + batch - 1 (`edm generate --seeds`). */
  seed: number;
  /** Number of images (one per seed). */
  batch: number;
  /** Class label of every image; null = seed mod the number of classes (as `edm generate` without --class). */
  classIndex: number | null;
  /** N, number of sampling steps. */
  steps: number;
  /** Sampler id (see samplers.ts). */
  sampler: string;
  /** S_churn, amount of stochasticity (0 = deterministic, Algorithm 1). */
  sChurn: number;
  /** S_tmin: churn only where t_i >= S_tmin. */
  sMin: number;
  /** S_tmax: churn only where t_i <= S_tmax (Infinity = no upper bound). */
  sMax: number;
  /** S_noise, scale of the churn noise. */
  sNoise: number;
}

/** Largest batch the page accepts (a grid of 8 x 8). */
export const MAX_BATCH = 64;

/** Parses a number field; `inf`/`Infinity` accepted where allowInfinity. Throws naming the field. */
export function parseNumber(field: string, raw: string, o: { integer?: boolean; min?: number; max?: number; allowInfinity?: boolean } = {}): number {
  const text = raw.trim();
  const value = o.allowInfinity && /^(\+?inf(inity)?)$/i.test(text) ? Infinity : text === '' ? NaN : Number(text);
  const kind = `${o.integer ? 'an integer' : 'a number'}${o.min !== undefined ? ` >= ${o.min}` : ''}` +
    `${o.max !== undefined ? ` and <= ${o.max}` : ''}${o.allowInfinity ? ' (or inf)' : ''}`;
  const bad = Number.isNaN(value) || (!Number.isFinite(value) && !(o.allowInfinity && value === Infinity)) ||
    (o.integer && !Number.isInteger(value)) || (o.min !== undefined && value < o.min) || (o.max !== undefined && value > o.max);
  if (bad) throw new Error(`${field}: expected ${kind}, got '${raw}'`);
  return value;
}

/** The raw values of the form fields. */
export interface RawSettings {
  seed: string;
  batch: string;
  classIndex: string;
  steps: string;
  sampler: string;
  sChurn: string;
  sMin: string;
  sMax: string;
  sNoise: string;
}

/** Validates the raw field values against the loaded network's number of classes (labelDim). */
export function parseSettings(raw: RawSettings, labelDim: number): SampleSettings {
  const classIndex = raw.classIndex === '' || raw.classIndex === 'auto' ? null
    : parseNumber('Class', raw.classIndex, { integer: true, min: 0, max: Math.max(labelDim - 1, 0) });
  if (classIndex !== null && labelDim === 0) throw new Error(`Class: the network is unconditional, got class ${classIndex}`);
  const sMin = parseNumber('S_tmin', raw.sMin, { min: 0 });
  const sMax = parseNumber('S_tmax', raw.sMax, { min: 0, allowInfinity: true });
  if (sMax < sMin) throw new Error(`S_tmax: expected >= S_tmin (${sMin}), got ${sMax}`);
  return {
    seed: parseNumber('Seed', raw.seed, { integer: true, min: 0, max: 2 ** 32 - MAX_BATCH }),
    batch: parseNumber('Batch size', raw.batch, { integer: true, min: 1, max: MAX_BATCH }),
    classIndex,
    steps: parseNumber('Steps', raw.steps, { integer: true, min: 1, max: 1000 }),
    sampler: raw.sampler,
    sChurn: parseNumber('S_churn', raw.sChurn, { min: 0 }),
    sMin,
    sMax,
    sNoise: parseNumber('S_noise', raw.sNoise, { min: 0 }),
  };
}

/** The seeds of a request: seed .. seed + batch - 1. */
export function seedsOf(s: SampleSettings): number[] {
  return Array.from({ length: s.batch }, (_, i) => s.seed + i);
}
