// Where our SIMD functions run: on tfjs's single-threaded build, on the calling thread; on the threaded build,
// where the engine gives the cores to our kernels (setSimdThreads; XNNPACK then keeps one thread), split over
// rows by one row pool per heap memory, made by the factory the platform installs (setRowPoolFactory: Node's
// worker_threads in @edm/backend-node; none in browsers, where tfjs's threaded build keeps its threads for
// XNNPACK). Where the engine gives the threads to XNNPACK, our pooled functions stay out: tfjs's pthreads spin
// after each XNNPACK call and take the cores from any pool of ours (docs/performance.md).
import { heapMemory, type WasmModule } from '../heap';
import { CONV_FILTER_WASM } from './conv-filter-wasm';
import { CONV_WASM } from './conv-wasm';
import { GROUP_NORM_WASM } from './group-norm-wasm';
import { isSharedMemory, simdCompiled, type WatBinaries } from './instance';
import { WINOGRAD_WASM } from './winograd-wasm';
import { WINOGRAD4_WASM } from './winograd4-wasm';

/** The functions that run split over rows, each with a warm-up call within the first 64 KiB of a memory. */
const POOLED: readonly { binaries: WatBinaries; name: string; warmUpArgs: readonly number[] }[] = [
  // conv(x, w, bias, y, ho, wo, ci, co, h, w, top, left, kh, kw, cb, ws, zeros, row0, row1): a 3x3 'same', 8 -> 8
  // channels, 4x4 image (zeros: the fresh memory's).
  { binaries: CONV_WASM, name: 'conv', warmUpArgs: [0, 4096, 0, 8192, 4, 4, 8, 8, 4, 4, 1, 1, 3, 3, 64, 0, 12288, 0, 4] },
  // products(a, b, bias, c, quads, k, n, strideA, strideB, strideC, row0, row1): 16 planes of [8, 24] x [24, 20]
  // (both column blocks: 8 and the last 12), as the Winograd convolutions' channel sums, with a bias (b's first row).
  { binaries: CONV_WASM, name: 'products', warmUpArgs: [0, 12288, 12288, 43008, 2, 24, 20, 768, 1920, 640, 0, 32] },
  // filterGrad(x, dy, dw, ho, wo, hp, wp, ci, co, kh, kw, rb, rows, planeX, planeDy, planeDw, acc, row0, row1): its
  // gradient, one plane, all 18 filter groups.
  { binaries: CONV_FILTER_WASM, name: 'filterGrad',
    warmUpArgs: [0, 4096, 8192, 4, 4, 6, 6, 8, 8, 3, 3, 2, 4, 0, 0, 0, 0, 0, 18] },
  // winograd.wat, enough work per call for V8 to optimise the large loop bodies within the warm-up:
  // filterTiles(w, u, ci, co, row0, row1), 16 -> 16 channels; inputTiles(x, v, h, w, ci, top, left, th, tw, plane,
  // rowBase, zeros, row0, row1) of a 4x4 image, 32 channels, 'same', and outputTiles(m, y, bias, ho, wo, co, th, tw,
  // plane, rowBase, row0, row1) back, over its 2 tile rows (zeros: the fresh memory's last KiB).
  { binaries: WINOGRAD_WASM, name: 'filterTiles', warmUpArgs: [0, 16384, 16, 16, 0, 16] },
  { binaries: WINOGRAD_WASM, name: 'inputTiles', warmUpArgs: [0, 4096, 4, 4, 32, 1, 1, 2, 2, 4, 0, 64512, 0, 2] },
  { binaries: WINOGRAD_WASM, name: 'outputTiles', warmUpArgs: [4096, 16384, 0, 4, 4, 32, 2, 2, 4, 0, 0, 2] },
  // The filter gradient's: gradTiles(dy, e, ho, wo, co, th, tw, plane, rowBase, zeros, row0, row1) of a 4x4 dy,
  // 32 channels, and filterFromTiles(s, dw, ci, co, row0, row1), 16 -> 16 channels.
  { binaries: WINOGRAD_WASM, name: 'gradTiles', warmUpArgs: [0, 4096, 4, 4, 32, 2, 2, 4, 0, 64512, 0, 2] },
  { binaries: WINOGRAD_WASM, name: 'filterFromTiles', warmUpArgs: [16384, 0, 16, 16, 0, 16] },
  // winograd4.wat (F(4x4, 3x3)): filterTiles 16 -> 16 channels; inputTiles and outputTiles of an 8x8 image,
  // 32 channels, 'same' (2 tile rows of 2 tiles).
  { binaries: WINOGRAD4_WASM, name: 'filterTiles', warmUpArgs: [0, 16384, 16, 16, 0, 16] },
  { binaries: WINOGRAD4_WASM, name: 'inputTiles', warmUpArgs: [0, 8192, 8, 8, 32, 1, 1, 2, 2, 4, 0, 64512, 0, 2] },
  { binaries: WINOGRAD4_WASM, name: 'outputTiles', warmUpArgs: [8192, 32768, 0, 8, 8, 32, 2, 2, 4, 0, 0, 2] },
  // Its filter gradient's: gradTiles of an 8x8 dy, 32 channels (2 tile rows of 2 blocks), and filterFromTiles, 16 ->
  // 16 channels.
  { binaries: WINOGRAD4_WASM, name: 'gradTiles', warmUpArgs: [0, 8192, 8, 8, 32, 2, 2, 4, 0, 64512, 0, 2] },
  { binaries: WINOGRAD4_WASM, name: 'filterFromTiles', warmUpArgs: [16384, 0, 16, 16, 0, 16] },
  // group-norm.wat's passes over images [row0, row1): 2 images of 64 pixels x 16 channels (x at 0, y at 16384,
  // float64 sums and coefficients from 32768).
  // channelSums(a, b, p, c, s1, s2, row0, row1), affine(out, a, b, p, c, k1, k2, k0, ...), affineSilu(out, a, p, c,
  // k1, k0, ...), siluGradSums(dt, dy, x, p, c, k1, k0, s1, s2, ...).
  { binaries: GROUP_NORM_WASM, name: 'channelSums', warmUpArgs: [0, 0, 64, 16, 32768, 33024, 0, 2] },
  { binaries: GROUP_NORM_WASM, name: 'affine', warmUpArgs: [16384, 0, 0, 64, 16, 32768, 33024, 33280, 0, 2] },
  { binaries: GROUP_NORM_WASM, name: 'affineSilu', warmUpArgs: [16384, 0, 64, 16, 32768, 33024, 0, 2] },
  { binaries: GROUP_NORM_WASM, name: 'siluGradSums', warmUpArgs: [16384, 0, 8192, 64, 16, 32768, 33024, 33280, 33536, 0, 2] },
];

/** One function a pool runs: a module's export and a warm-up call of it. */
export interface PooledFunction {
  module: WebAssembly.Module;
  name: string;
  /** A full argument list (row range included) whose call stays within the first 64 KiB page of memory. */
  warmUpArgs: readonly number[];
}

/** Threads running the pooled functions over rows on one shared memory (the platform's: worker_threads in Node). */
export interface RowPool {
  /** Resolves once every worker is ready (or failed to start: it then takes no share). */
  readonly ready: Promise<void>;
  /** Calls function `index` as `run(...args, row0, row1)` over rows [0, rows), shared with the calling thread. */
  runRows(index: number, run: (...args: number[]) => void, args: readonly number[], rows: number): void;
}

/** Makes a pool of `threads - 1` workers (plus the calling thread) for the functions on `memory`. */
export type RowPoolFactory = (memory: WebAssembly.Memory, functions: readonly PooledFunction[], threads: number) => RowPool;

let poolFactory: RowPoolFactory | null = null;

/** Installs the platform's row pool (before the first kernel call on a threaded heap). */
export function setRowPoolFactory(factory: RowPoolFactory): void {
  poolFactory = factory;
}

/** Work the pools split so far in this process (wasmThreadStats); pools count into it. */
export const rowPoolStats = { splitCalls: 0, workerRows: 0 };

let poolThreads = 1;

/** Threads our SIMD kernels use on the threaded build (1: none, XNNPACK's threads serve instead). */
export function setSimdThreads(threads: number): void {
  poolThreads = threads;
}

/**
 * One of our functions over rows [0, rows): its arguments but the row range, which it takes last, and the
 * call's floating-point operations (calls below MIN_SPLIT_FLOPS stay on the calling thread).
 */
export type RowRun = (args: readonly number[], rows: number, flops: number) => void;

/**
 * Calls with fewer operations run on the calling thread alone: a worker polls for its next task for about 0.25
 * ms, then blocks, and a call shorter than a wake-up gains nothing. Measured on the mnist preset's training step on
 * 2 threads (medians of 20 steps, the same minutes): 2^21 161 ms, 2^19 143-152, 2^17 134-141, 2^16 139-144, 2^15
 * 145-223; one thread 181-199 ms.
 */
const MIN_SPLIT_FLOPS = 2 ** 17;

const pools = new WeakMap<WebAssembly.Memory, RowPool>();

function poolFor(module: WasmModule, memory: WebAssembly.Memory): RowPool | null {
  let pool = pools.get(memory);
  if (!pool) {
    if (!poolFactory) return null;
    const functions = [];
    for (const { binaries, name, warmUpArgs } of POOLED) {
      const compiled = simdCompiled(module, binaries);
      if (!compiled) return null;
      functions.push({ module: compiled.module, name, warmUpArgs });
    }
    pools.set(memory, (pool = poolFactory(memory, functions, poolThreads)));
  }
  return pool;
}

/**
 * `name` of the module on this heap, as a function of its row count, or null where it does not serve this
 * engine (no WebAssembly SIMD, or the threaded build with XNNPACK's threads).
 */
export function simdRows(module: WasmModule, binaries: WatBinaries, name: string): RowRun | null {
  const compiled = simdCompiled(module, binaries);
  if (!compiled) return null;
  const run = compiled.exports[name] as (...args: number[]) => void;
  const memory = heapMemory(module);
  if (!isSharedMemory(memory)) return (args, rows) => run(...args, 0, rows);
  const index = POOLED.findIndex((f) => f.binaries === binaries && f.name === name);
  const pool = poolThreads > 1 && index >= 0 ? poolFor(module, memory) : null;
  if (!pool) return null;
  return (args, rows, flops) => (flops < MIN_SPLIT_FLOPS ? run(...args, 0, rows) : pool.runRows(index, run, args, rows));
}

/** Starts the pool's workers on this heap, where the engine has one, and resolves once they are ready. */
export async function startSimdPool(module: WasmModule): Promise<void> {
  const memory = heapMemory(module);
  if (poolThreads > 1 && isSharedMemory(memory)) await poolFor(module, memory)?.ready;
}

/** What the wasm engine's threads did for our kernels in this process (with `threadKernels` 'edm'). */
export interface WasmThreadStats {
  /** Threads our SIMD kernels run on (1: the calling thread only). */
  threads: number;
  /** Kernel calls split over more than one thread. */
  splitCalls: number;
  /** Rows (of those calls' row axes) computed on worker threads. */
  workerRows: number;
}

/** How much of our SIMD kernels' work ran on worker threads (a check that the threads are used). */
export function wasmThreadStats(): WasmThreadStats {
  return { threads: poolThreads, ...rowPoolStats };
}
