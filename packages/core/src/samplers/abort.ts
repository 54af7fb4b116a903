// Cancellation of samplers with an AbortSignal: checked between steps.

/** Thrown (rejected) when a sampler's `signal` is aborted. `name` is 'AbortError', as the DOM's. */
export class SamplerAbortedError extends Error {
  override readonly name = 'AbortError';
  /** The signal's `reason`, if any. */
  readonly reason: unknown;
  constructor(sampler: string, step: number, reason?: unknown) {
    super(`${sampler}: sampling aborted by options.signal before step ${step}` +
      (reason !== undefined ? ` (reason: ${String(reason instanceof Error ? reason.message : reason)})` : ''));
    this.reason = reason;
  }
}

/** Throws a `SamplerAbortedError` naming the sampler and step when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, sampler: string, step: number): void {
  if (signal?.aborted) throw new SamplerAbortedError(sampler, step, signal.reason);
}
