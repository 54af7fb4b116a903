// The row pool's hand-over protocol, on a module that counts the rows it is called for: every row runs exactly
// once, whichever thread claims its chunk, and a worker that takes no chunks (asleep, descheduled, gone) does not
// hold a call up. A caller stores a task, then notifies; descheduled in between (a loaded machine), its worker, not yet
// waiting, can take the task, finish it and wait again before the notify comes. That late notify must not make
// the worker run the task a second time: the caller has collected it and freed its buffers (a rerun of the
// Winograd filter gradient's products added into freed tile sums, corrupted the heap's allocator, and a
// training run hung in free()).
import { rowPoolStats } from '@edm/backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { RowPool, TASK } from '../src/threads/row-pool';

// count(p, row0, row1): atomically adds row1 - row0 to the int32 at byte p of a shared memory. Compiled from
//   (module (import "env" "memory" (memory 1 65536 shared))
//     (func (export "count") (param $p i32) (param $row0 i32) (param $row1 i32)
//       (drop (i32.atomic.rmw.add (local.get $p) (i32.sub (local.get $row1) (local.get $row0))))))
const COUNT_WASM = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 3, 127, 127, 127, 0, 2, 18, 1, 3, 101,
  110, 118, 6, 109, 101, 109, 111, 114, 121, 2, 3, 1, 128, 128, 4, 3, 2, 1, 0, 7, 9, 1, 5, 99, 111, 117, 110, 116, 0, 0,
  10, 16, 1, 14, 0, 32, 0, 32, 2, 32, 1, 107, 254, 30, 2, 0, 26, 11]);
const COUNTER = 64;

const module = new WebAssembly.Module(COUNT_WASM);
const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
const count = new WebAssembly.Instance(module, { env: { memory } }).exports.count as (...args: number[]) => void;
const counter = () => Atomics.load(new Int32Array(memory.buffer), COUNTER / 4);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const pool = new RowPool(memory, [{ module, name: 'count', warmUpArgs: [0, 0, 1] }], 2);
/** The worker's control words (private to the pool: the protocol under test). */
const control = (pool as unknown as { workers: { ctrl: Int32Array }[] }).workers[0]!.ctrl;

/** Ends a pool's one worker (private to the pool). */
const terminateWorker = (p: RowPool) =>
  (p as unknown as { workers: { worker: { terminate(): Promise<number> } }[] }).workers[0]!.worker.terminate();

afterAll(async () => {
  await terminateWorker(pool);
});

describe('RowPool', () => {
  it('runs each row once, also when a notify arrives after the worker has taken its task', async () => {
    await pool.ready;
    const workerRows = rowPoolStats.workerRows;
    let rows = 0;
    for (const n of [2, 7, 100, 3]) {
      pool.runRows(0, count, [COUNTER], n);
      rows += n;
    }
    expect(counter()).toBe(rows);
    expect(rowPoolStats.workerRows - workerRows).toBeLessThanOrEqual(rows);
    // The late notify of the last task: repeated until it finds the worker waiting (it returns the waiters woken).
    let woken = 0;
    for (let i = 0; i < 200 && woken === 0; i++) {
      await pause(5);
      woken = Atomics.notify(control, TASK);
    }
    expect(woken).toBe(1);
    await pause(200);
    // The next task: the worker takes it only after whatever that wake-up made it do, so a rerun is counted by now.
    pool.runRows(0, count, [COUNTER], 10);
    expect(counter()).toBe(rows + 10);
  });

  it('hands chunks to the worker: over repeated calls it runs some of the rows', () => {
    const before = counter();
    const workerRows = rowPoolStats.workerRows;
    let calls = 0;
    while (rowPoolStats.workerRows === workerRows && calls < 20000) {
      pool.runRows(0, count, [COUNTER], 64);
      calls++;
    }
    expect(rowPoolStats.workerRows).toBeGreaterThan(workerRows);
    expect(counter()).toBe(before + 64 * calls);
  });

  it('a chunk that traps fails the call (the caller\'s own trap as it was), and the next call runs every row once', async () => {
    // trap(p, row0, row1): traps on every chunk but the first. Compiled from
    //   (module (import "env" "memory" (memory 1 65536 shared))
    //     (func (export "trap") (param $p i32) (param $row0 i32) (param $row1 i32)
    //       (if (i32.ne (local.get $row0) (i32.const 0)) (then unreachable))))
    const trapModule = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 3, 127, 127,
      127, 0, 2, 18, 1, 3, 101, 110, 118, 6, 109, 101, 109, 111, 114, 121, 2, 3, 1, 128, 128, 4, 3, 2, 1, 0, 7, 8, 1, 4,
      116, 114, 97, 112, 0, 0, 10, 13, 1, 11, 0, 32, 1, 65, 0, 71, 4, 64, 0, 11, 11]));
    const trap = new WebAssembly.Instance(trapModule, { env: { memory } }).exports.trap as (...args: number[]) => void;
    const both = new RowPool(memory, [{ module, name: 'count', warmUpArgs: [0, 0, 1] },
      { module: trapModule, name: 'trap', warmUpArgs: [0, 0, 1] }], 2);
    await both.ready;
    try {
      for (let i = 0; i < 20; i++) {
        expect(() => both.runRows(1, trap, [0], 64)).toThrow(/unreachable|failed on a worker thread \(a row chunk trapped\)/);
        const before = counter();
        both.runRows(0, count, [COUNTER], 64);
        expect(counter()).toBe(before + 64);
      }
    } finally {
      await terminateWorker(both);
    }
  });

  it('a worker that takes no chunks does not hold a call up: the caller runs them all', async () => {
    const alone = new RowPool(memory, [{ module, name: 'count', warmUpArgs: [0, 0, 1] }], 2);
    await alone.ready;
    // Ready, then gone: it never claims a chunk again (as a worker the machine does not schedule).
    await terminateWorker(alone);
    const before = counter();
    const workerRows = rowPoolStats.workerRows;
    for (const n of [1, 5, 64, 1000]) alone.runRows(0, count, [COUNTER], n);
    expect(counter()).toBe(before + 1 + 5 + 64 + 1000);
    expect(rowPoolStats.workerRows).toBe(workerRows);
  });
});
