// Option and tensor validation shared by @edm/core: every error names the function, the option or tensor,
// what was expected and what was given.

/** Formats a value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return String(value);
}

/** Throws unless `value` is a finite number (optionally > 0 or >= 0). */
export function checkNumber(
  where: string,
  name: string,
  value: unknown,
  constraint: 'finite' | 'positive' | 'nonnegative' = 'finite',
): number {
  const ok = typeof value === 'number' && Number.isFinite(value) &&
    (constraint === 'finite' || (constraint === 'positive' ? value > 0 : value >= 0));
  if (!ok) {
    const want = constraint === 'finite' ? 'a finite number' : constraint === 'positive'
      ? 'a finite number > 0' : 'a finite number >= 0';
    throw new Error(`${where}: option ${name} must be ${want}, got ${show(value)}`);
  }
  return value as number;
}

/** Throws unless `value` is an integer >= min (and <= max). */
export function checkInteger(where: string, name: string, value: unknown, min: number, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new Error(`${where}: option ${name} must be an integer ${range}, got ${show(value)}`);
  }
  return value;
}

/** Throws unless `value` is one of `allowed`, naming the allowed values. */
export function checkChoice<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`${where}: option ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, ` +
      `got ${show(value)}`);
  }
  return value as T;
}

/** Throws unless 0 < sigmaMin < sigmaMax (sigmaMin = 0 allowed with `allowZeroMin`; sigmaMax may be Infinity). */
export function checkSigmaRange(where: string, sigmaMin: unknown, sigmaMax: unknown, allowZeroMin = false): void {
  if (typeof sigmaMin !== 'number' || !Number.isFinite(sigmaMin) || sigmaMin < 0 || (!allowZeroMin && sigmaMin === 0)) {
    throw new Error(`${where}: option sigmaMin must be a finite number ${allowZeroMin ? '>= 0' : '> 0'}, ` +
      `got ${show(sigmaMin)}`);
  }
  if (typeof sigmaMax !== 'number' || Number.isNaN(sigmaMax) || sigmaMax <= 0) {
    throw new Error(`${where}: option sigmaMax must be a number > 0, got ${show(sigmaMax)}`);
  }
  if (!(sigmaMin < sigmaMax)) {
    throw new Error(`${where}: options sigmaMin < sigmaMax required, got sigmaMin=${sigmaMin} >= sigmaMax=${sigmaMax}`);
  }
}

/** Throws unless `shape` is NHWC [N, H, W, C] with the expected H = W and C where given. */
export function checkNHWC(
  where: string,
  name: string,
  shape: readonly number[],
  expect: { resolution?: number; channels?: number } = {},
): void {
  const { resolution, channels } = expect;
  const want = `[N, ${resolution ?? 'H'}, ${resolution ?? 'W'}, ${channels ?? 'C'}] (NHWC)`;
  const bad = shape.length !== 4 || shape[0]! < 1 ||
    (resolution !== undefined && (shape[1] !== resolution || shape[2] !== resolution)) ||
    (channels !== undefined && shape[3] !== channels);
  if (bad) {
    const hint = shape.length === 4 && channels !== undefined && shape[1] === channels && shape[3] !== channels
      ? ' (this looks like NCHW; transpose with tf.transpose(x, [0, 2, 3, 1]))' : '';
    throw new Error(`${where}: tensor ${name} must have shape ${want}, got [${shape.join(', ')}]${hint}`);
  }
}
