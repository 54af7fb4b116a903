// Long synchronous jobs (reading and writing a dataset) written as generators that yield after each unit of
// work (an image). `drainSteps` runs one to the end; `runSteps` lets the event loop run between units so a
// Ctrl-C / SIGTERM is seen, and stops the generator (its `finally` blocks clean up) on the abort signal.
import { InterruptedError } from '../command/errors';
import { yieldToEventLoop } from './yield';

/** A job that yields the index of each unit done and returns its result. */
export type Steps<T> = Generator<number, T, void>;

/** Runs `steps` to the end, calling `onStep` after each unit. */
export function drainSteps<T>(steps: Steps<T>, onStep?: (i: number) => void): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    onStep?.(r.value);
  }
}

/** Time between two turns of the event loop, ms. */
const SLICE_MS = 50;

/**
 * Runs `steps`, letting the event loop run about every 50 ms; on `signal` the generator is stopped (its
 * cleanup runs) and an InterruptedError with `interruptedMessage` is thrown (exit 130).
 */
export async function runSteps<T>(
  steps: Steps<T>, signal: AbortSignal, interruptedMessage: string, onStep?: (i: number) => void,
): Promise<T> {
  let last = performance.now();
  try {
    for (;;) {
      if (performance.now() - last > SLICE_MS) {
        await yieldToEventLoop();
        last = performance.now();
      }
      if (signal.aborted) throw new InterruptedError(interruptedMessage);
      const r = steps.next();
      if (r.done) return r.value;
      onStep?.(r.value);
    }
  } finally {
    steps.return(undefined as never);
  }
}
