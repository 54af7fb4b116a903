// Runs our SIMD functions over a row range split across threads, on tfjs's threaded build (shared heap), where
// the engine gives the cores to our kernels (@edm/backend-wasm's simd/pool.ts, which gets this pool through
// setRowPoolFactory: the one Node-only part of the wasm kernels). The pool keeps (threads - 1) worker_threads, each with
// its own instance of every pooled module on the same shared memory. A call's rows are cut into a few chunks per
// thread, which the calling thread and the workers claim one at a time from a shared counter: a worker that is
// slow to wake, or that the machine deschedules (another tenant, V8's own threads), leaves its chunks to the
// others instead of holding the call up. With a fixed half per thread the caller waited for the worker's half
// every time: on the mnist preset's step (161 split calls) a worker started its share 0.14 ms after the hand-off
// on average, and the caller spent 34 ms of a 190 ms step waiting, so two threads were no faster than one.
// Handing out work is a task word per worker in a SharedArrayBuffer with Atomics.wait / notify (a worker polls it
// for about a quarter of a millisecond first, longer than most gaps between two split calls of a training step):
// no messages, no event loop (the calling thread blocks while the last chunks finish, as a tfjs kernel does). A
// worker keeps the process alive only until it is ready (`ready`), so a process still exits on its own when its
// work is done, and a worker that is not ready yet (or failed to start) simply takes no chunks. A chunk computes
// exactly what the same rows compute on one thread, so results are bit-identical to the single-threaded build's
// whoever runs it.
import { Worker } from 'node:worker_threads';
import { rowPoolStats, type PooledFunction, type RowPool as RowPoolApi } from '@edm/backend-wasm';

// Control words per worker: [task, ready, function, argc, chunks, rows, args...].
/** The task word (exported for the protocol's test): the caller stores a new task number there, then notifies. */
export const TASK = 0;
const READY = 1;
const FUNCTION = 2;
const ARGC = 3;
const CHUNKS = 4;
const ROWS = 5;
const ARGS = 6;
const MAX_ARGS = 28;
// The pool's words, shared by every thread: [claim, finished, failed]. claim = (task tag << 6) | next chunk, the tag
// the task number's low 25 bits: a worker still holding an earlier task's arguments cannot claim a chunk of the
// current one (unless it stalled between reading them and claiming for 2^25 tasks, hours of calls).
const CLAIM = 0;
const FINISHED = 1;
const FAILED = 2;
/** Calls of each function's warm-up (see the worker source). */
const WARM_UP_CALLS = 200;
/** Chunks per thread: enough that a late thread's chunks go to the others, few enough that each is a real call. */
const CHUNKS_PER_THREAD = 4;
/** Bits of the claim word for the chunk index: up to 63 chunks a call (4 per thread on the 8 threads at most: 32). */
const CHUNK_BITS = 6;
/** Polls of a word before blocking on it: 235-270 us in optimised code here (about 12 ns a poll). */
const SPIN = 20000;

/** Runs chunks of the task tagged `tag` while there are any: each chunk's rows, then counts it finished. */
const CLAIM_LOOP = `(sync, tag, chunks, rows, call) => {
  let mine = 0;
  for (;;) {
    const v = Atomics.load(sync, ${CLAIM});
    if ((v & ${-(1 << CHUNK_BITS)}) !== tag || (v & ${(1 << CHUNK_BITS) - 1}) >= chunks) return mine;
    if (Atomics.compareExchange(sync, ${CLAIM}, v, v + 1) !== v) continue;
    const i = v & ${(1 << CHUNK_BITS) - 1};
    const row0 = Math.floor((rows * i) / chunks);
    const row1 = Math.floor((rows * (i + 1)) / chunks);
    try { call(row0, row1); } catch { Atomics.store(sync, ${FAILED}, 1); }
    mine += row1 - row0;
    Atomics.add(sync, ${FINISHED}, 1);
    Atomics.notify(sync, ${FINISHED});
  }
}`;
/** The claim word's tag of a task number. */
const TASK_TAG = `(task) => (task & ${(1 << (31 - CHUNK_BITS)) - 1}) << ${CHUNK_BITS}`;
// One source for both sides of the protocol: the workers' (WORKER_SOURCE) and the calling thread's.
const taskTag = new Function(`return ${TASK_TAG}`)() as (task: number) => number;
const claimChunks = new Function(`return ${CLAIM_LOOP}`)() as
  (sync: Int32Array, tag: number, chunks: number, rows: number, call: (row0: number, row1: number) => void) => number;

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { functions, memory, control, shared } = workerData;
const ctrl = new Int32Array(control);
const sync = new Int32Array(shared);
const claimChunks = ${CLAIM_LOOP};
const taskTag = ${TASK_TAG};
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
  // again before that notify arrives. Woken then, it must not run the same task again (the claim word's tag
  // keeps it from chunks of a later one): the caller has collected it and may have freed and reused its buffers
  // (a late rerun into freed tile buffers corrupted emmalloc's free lists; free() then trapped holding its lock,
  // and the next free() spun forever).
  let task = seen;
  for (let k = 0; k < ${SPIN} && task === seen; k++) task = Atomics.load(ctrl, ${TASK});
  while ((task = Atomics.load(ctrl, ${TASK})) === seen) Atomics.wait(ctrl, ${TASK}, seen);
  seen = task;
  const run = runs[ctrl[${FUNCTION}]];
  const args = Array.from(ctrl.subarray(${ARGS}, ${ARGS} + ctrl[${ARGC}]));
  claimChunks(sync, taskTag(task), ctrl[${CHUNKS}], ctrl[${ROWS}], (row0, row1) => run(...args, row0, row1));
}`;

interface PoolWorker {
  ctrl: Int32Array;
  worker: Worker;
}

/** (threads - 1) workers running the pooled functions on one shared memory. */
export class RowPool implements RowPoolApi {
  private readonly workers: PoolWorker[] = [];
  private task = 0;
  private readonly sync = new Int32Array(new SharedArrayBuffer(12));
  /** Resolves once every worker has compiled and warmed up its functions (or failed to start). */
  readonly ready: Promise<void>;

  constructor(readonly memory: WebAssembly.Memory, private readonly functions: readonly PooledFunction[], threads: number) {
    const workerFunctions = functions.map(({ module, name, warmUpArgs }) => ({ module, name, warmUpArgs: [...warmUpArgs] }));
    for (let i = 1; i < threads; i++) {
      const control = new SharedArrayBuffer(4 * (ARGS + MAX_ARGS));
      const worker = new Worker(WORKER_SOURCE, { eval: true,
        workerData: { functions: workerFunctions, memory, control, shared: this.sync.buffer } });
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
   * Calls function `index` of the pool as `run(...args, row0, row1)` over rows [0, rows), in chunks claimed by the
   * calling thread and the ready workers. `run` is the caller's own instance of the same function.
   */
  runRows(index: number, run: (...args: number[]) => void, args: readonly number[], rows: number): void {
    if (args.length > MAX_ARGS) throw new Error(`RowPool: at most ${MAX_ARGS} arguments besides the row range`);
    const ready = this.workers.filter((w) => Atomics.load(w.ctrl, READY) === 1);
    const chunks = Math.min(rows, CHUNKS_PER_THREAD * (ready.length + 1), (1 << CHUNK_BITS) - 1);
    if (ready.length === 0 || chunks <= 1) {
      run(...args, 0, rows);
      return;
    }
    const task = ++this.task;
    const tag = taskTag(task);
    const sync = this.sync;
    Atomics.store(sync, FINISHED, 0);
    Atomics.store(sync, CLAIM, tag);
    for (const w of ready) {
      w.ctrl[FUNCTION] = index;
      w.ctrl[ARGC] = args.length;
      w.ctrl[CHUNKS] = chunks;
      w.ctrl[ROWS] = rows;
      for (let j = 0; j < args.length; j++) w.ctrl[ARGS + j] = args[j]!;
      Atomics.store(w.ctrl, TASK, task);
      Atomics.notify(w.ctrl, TASK);
    }
    let error: unknown = null;
    const mine = claimChunks(sync, tag, chunks, rows, (row0, row1) => {
      try {
        run(...args, row0, row1);
      } catch (e) {
        error ??= e; // the caller's own trap is rethrown as it was
        throw e;
      }
    });
    rowPoolStats.splitCalls++;
    rowPoolStats.workerRows += rows - mine;
    // The chunks the workers claimed: poll, then block until each has counted itself finished.
    for (let k = 0, done = Atomics.load(sync, FINISHED); done < chunks; done = Atomics.load(sync, FINISHED)) {
      if (++k > SPIN) Atomics.wait(sync, FINISHED, done);
    }
    const failed = Atomics.exchange(sync, FAILED, 0) === 1;
    if (error) throw error;
    if (failed) {
      throw new Error(`wasm: ${this.functions[index]!.name} failed on a worker thread (a row chunk trapped)`);
    }
  }
}
