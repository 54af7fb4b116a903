// Validation of the reference's keyword arguments (checkpoint `edm.network` kwargs): unknown names and
// wrong types fail with an error naming the option, the allowed names and what was expected.

/** Throws when `given` holds a key outside `allowed`. */
export function checkKnownKwargs(where: string, given: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!allowed.includes(key)) {
      throw new Error(`${where}: unknown kwarg '${key}' (allowed: ${allowed.join(', ')})`);
    }
  }
}

/** An integer >= min. */
export function intKwarg(where: string, name: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`${where}: kwarg '${name}' must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A finite number in [min, max]. */
export function numKwarg(where: string, name: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new Error(`${where}: kwarg '${name}' must be a number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A boolean. */
export function boolKwarg(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new Error(`${where}: kwarg '${name}' must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** A list of integers >= min (non-empty unless allowEmpty). */
export function intListKwarg(where: string, name: string, value: unknown, min = 0, allowEmpty = true): number[] {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)
    || !value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= min)) {
    throw new Error(`${where}: kwarg '${name}' must be a ${allowEmpty ? '' : 'non-empty '}list of integers >= ${min}, got ${JSON.stringify(value)}`);
  }
  return [...value] as number[];
}

/** A list of positive finite numbers. */
export function numListKwarg(where: string, name: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) {
    throw new Error(`${where}: kwarg '${name}' must be a non-empty list of positive numbers, got ${JSON.stringify(value)}`);
  }
  return [...value] as number[];
}

/** One of the given strings. */
export function enumKwarg<T extends string>(where: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new Error(`${where}: kwarg '${name}' must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
