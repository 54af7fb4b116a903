// Runs our SIMD functions over a row range split across threads, on tfjs's threaded build (shared heap), where
// the engine gives the cores to our kernels (@edm/backend-wasm's simd/pool.ts, which gets this pool through
// setRowPoolFactory: the one Node-only part of the wasm kernels). The pool keeps (threads - 1) worker_threads, each with
// its own instance of every pooled module on the same shared memory, and the calling thread takes the first
// share. Handing out and collecting work is a counter per worker in a SharedArrayBuffer with Atomics.wait /
// notify: no messages, no event loop (the calling thread blocks while the workers finish, as a tfjs kernel
// does). A worker keeps the process alive only until it is ready (`ready`), so a process still exits on its own
// when its work is done, and a worker that is not ready yet (or failed to start) simply gets no share (the
// caller runs it). A row share computes exactly what the same rows compute on one
// thread, so results are bit-identical to the single-threaded build's.
import { Worker } from 'node:worker_threads';
import { rowPoolStats, type PooledFunction, type RowPool as RowPoolApi } from '@edm/backend-wasm';

// Control words per worker: [task, done, failed, ready, function, argc, args...].
/** The task word (exported for the protocol's test): the caller stores a new task number there, then notifies. */
export const TASK = 0;
const DONE = 1;
const FAILED = 2;
const READY = 3;
const FUNCTION = 4;
const ARGC = 5;
const ARGS = 6;
const MAX_ARGS = 28;
/** Calls of each function's warm-up (see the worker source). */
const WARM_UP_CALLS = 200;

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { functions, memory, control } = workerData;
const ctrl = new Int32Array(control);
// V8 compiles a new isolate's WebAssembly with its baseline compiler first (several times slower on SIMD) and
// optimises a function only after it has run a while, between calls: warm each up on a private memory (the
// optimised code serves every instance of the module in this thread) before taking any share.
const scratch = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
const runs = functions.map(({ module, name, warmUpArgs }) => {
  const warm = new WebAssembly.Instance(module, { env: { memory: scratch } }).exports[name];
  for (let i = 0; i < ${WARM_UP_CALLS}; i++) warm(...warmUpArgs);
  return new WebAssembly.Instance(module, { env: { memory } }).exports[name];
});
Atomics.store(ctrl, ${READY}, 1);
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  // Only a changed task word means a new task, never a wake-up alone: the caller stores the task, then notifies,
  // and where it is descheduled in between, this worker (not yet waiting) can see the task, run it and wait
  // again before that notify arrives. Woken then, it must not run the same task again: the caller has
  // collected it and may have freed and reused its buffers (a late rerun into freed tile buffers corrupted
  // emmalloc's free lists; free() then trapped holding its lock, and the next free() spun forever).
  let task;
  while ((task = Atomics.load(ctrl, ${TASK})) === seen) Atomics.wait(ctrl, ${TASK}, seen);
  seen = task;
  const argc = ctrl[${ARGC}];
  const args = Array.from(ctrl.subarray(${ARGS}, ${ARGS} + argc));
  try { runs[ctrl[${FUNCTION}]](...args); } catch { Atomics.store(ctrl, ${FAILED}, 1); }
  Atomics.store(ctrl, ${DONE}, seen);
  Atomics.notify(ctrl, ${DONE});
}`;

interface PoolWorker {
  ctrl: Int32Array;
  worker: Worker;
}

/** (threads - 1) workers running the pooled functions on one shared memory. */
export class RowPool implements RowPoolApi {
  private readonly workers: PoolWorker[] = [];
  private task = 0;
  /** Resolves once every worker has compiled and warmed up its functions (or failed to start). */
  readonly ready: Promise<void>;

  constructor(readonly memory: WebAssembly.Memory, private readonly functions: readonly PooledFunction[], threads: number) {
    const workerFunctions = functions.map(({ module, name, warmUpArgs }) => ({ module, name, warmUpArgs: [...warmUpArgs] }));
    for (let i = 1; i < threads; i++) {
      const control = new SharedArrayBuffer(4 * (ARGS + MAX_ARGS));
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { functions: workerFunctions, memory, control } });
      this.workers.push({ ctrl: new Int32Array(control), worker });
    }
    this.ready = Promise.all(this.workers.map(({ worker }) => new Promise<void>((resolve) => {
      const settle = () => {
        worker.unref();
        resolve();
      };
      worker.once('message', settle);
      worker.once('error', settle); // no shares for it (READY never set)
      worker.once('exit', settle);
    }))).then(() => undefined);
  }

  /**
   * Calls function `index` of the pool as `run(...args, row0, row1)` over rows [0, rows), in one share per ready
   * worker plus the caller's. `run` is the caller's own instance of the same function.
   */
  runRows(index: number, run: (...args: number[]) => void, args: readonly number[], rows: number): void {
    if (args.length + 2 > MAX_ARGS) throw new Error(`RowPool: at most ${MAX_ARGS - 2} arguments`);
    const ready = this.workers.filter((w) => Atomics.load(w.ctrl, READY) === 1);
    const shares = Math.min(ready.length + 1, rows);
    if (shares <= 1) {
      run(...args, 0, rows);
      return;
    }
    const bound = (i: number) => Math.floor((rows * i) / shares);
    const task = ++this.task;
    const busy = ready.slice(0, shares - 1);
    rowPoolStats.splitCalls++;
    rowPoolStats.workerRows += rows - bound(1);
    busy.forEach((w, i) => {
      const all = [...args, bound(i + 1), bound(i + 2)];
      w.ctrl[FUNCTION] = index;
      w.ctrl[ARGC] = all.length;
      for (let j = 0; j < all.length; j++) w.ctrl[ARGS + j] = all[j]!;
      Atomics.store(w.ctrl, TASK, task);
      Atomics.notify(w.ctrl, TASK);
    });
    let error: unknown = null;
    try {
      run(...args, 0, bound(1));
    } catch (e) {
      error = e;
    }
    let failed = false;
    for (const w of busy) {
      for (let done = Atomics.load(w.ctrl, DONE); done !== task; done = Atomics.load(w.ctrl, DONE)) {
        Atomics.wait(w.ctrl, DONE, done);
      }
      if (Atomics.exchange(w.ctrl, FAILED, 0) === 1) failed = true;
    }
    if (error) throw error;
    if (failed) throw new Error(`wasm: ${this.functions[index]!.name} failed on a worker thread (a row share trapped)`);
  }
}
