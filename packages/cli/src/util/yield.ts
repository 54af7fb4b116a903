// Lets the event loop run (signal handlers, stream writes). Awaiting a wasm/cpu tensor's data() resolves as a
// microtask, so a loop of steps would otherwise never let a Ctrl-C handler run until it ended.
import { setImmediate } from 'node:timers/promises';

/** Resolves after pending I/O and signal callbacks have run. */
export function yieldToEventLoop(): Promise<void> {
  return setImmediate();
}
