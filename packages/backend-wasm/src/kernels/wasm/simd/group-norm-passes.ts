// @edm/core's GroupNorm passes (GroupNormPasses) run by group-norm.wat on the wasm heap: the same float64
// arithmetic in the same order as the JavaScript loops, four channels per step (bit-identical results; the
// GroupNorm + SiLU passes compute t and the sigmoid in float32, their own, within a few ulp). Each pass covers the N images; on the
// threaded build with our pool they are split over the threads by image (a pass of 2 MFLOP or more; pool.ts).
import type { GroupNormPasses } from '@edm/core';
import { heapMemory, type WasmModule } from '../heap';
import { GROUP_NORM_WASM } from './group-norm-wasm';
import { heapPointer, simdInstance } from './instance';
import { simdRows, type RowRun } from './pool';

/** Passes plus the heap scratch they own: call `release` when the kernel is done. */
export interface HeapGroupNormPasses {
  passes: GroupNormPasses;
  release(): void;
}

/** Floating-point operations per element of each pass (for the pool's split threshold). */
const FLOPS = { channelSums: 4, affine: 6, affineSilu: 30, siluGradSums: 40 } as const;

/** `name` over images [0, n): through the pool where it serves this heap, else on the calling thread. */
function imagesRun(module: WasmModule, name: keyof typeof FLOPS): RowRun | null {
  const pooled = simdRows(module, GROUP_NORM_WASM, name);
  if (pooled) return pooled;
  // A shared heap without our pool (a browser's threaded build): the calling thread does all images.
  const f = simdInstance(module, GROUP_NORM_WASM)?.[name] as ((...args: number[]) => void) | undefined;
  return f ? (args, rows) => f(...args, 0, rows) : null;
}

/**
 * SIMD passes for C channels with scratch for `floats` float64 values, allocated in the heap now: create these
 * BEFORE taking views of the kernel's tensors (allocating may grow the heap and detach older views). Null where
 * the SIMD module cannot run or C is not a multiple of 4: keep the JavaScript passes then.
 */
export function heapGroupNormPasses(module: WasmModule, c: number, floats: number): HeapGroupNormPasses | null {
  if (c % 4 !== 0) return null;
  const runs = { channelSums: imagesRun(module, 'channelSums'), affine: imagesRun(module, 'affine'),
    affineSilu: imagesRun(module, 'affineSilu'), siluGradSums: imagesRun(module, 'siluGradSums') };
  if (!runs.channelSums || !runs.affine || !runs.affineSilu || !runs.siluGradSums) return null;
  const { channelSums, affine, affineSilu, siluGradSums } = runs as Record<keyof typeof FLOPS, RowRun>;
  const memory = heapMemory(module);
  // emscripten's _malloc returns a signed i32: heaps past 2 GiB give negative numbers (a CIFAR-10 training step).
  const block = module._malloc(floats * 8) >>> 0;
  if (block === 0) return null; // heap exhausted: the JavaScript passes need no scratch in it
  if (block % 8 !== 0) throw new Error(`simd: malloc returned an unaligned block (${block})`);
  let used = 0;
  const ptr = (v: ArrayBufferView) => heapPointer(memory, v);
  const passes: GroupNormPasses = {
    channelSums(a, b, n, p, ch, s1, s2) {
      channelSums([ptr(a), ptr(b), p, ch, ptr(s1), ptr(s2)], n, FLOPS.channelSums * n * p * ch);
    },
    affine(out, a, b, n, p, ch, k1, k2, k0) {
      affine([ptr(out), ptr(a), b ? ptr(b) : 0, p, ch, ptr(k1), ptr(k2), ptr(k0)], n, FLOPS.affine * n * p * ch);
    },
    affineSilu(out, a, n, p, ch, k1, k0) {
      affineSilu([ptr(out), ptr(a), p, ch, ptr(k1), ptr(k0)], n, FLOPS.affineSilu * n * p * ch);
    },
    siluGradSums(dt, dy, x, n, p, ch, k1, k0, s1, s2) {
      siluGradSums([ptr(dt), ptr(dy), ptr(x), p, ch, ptr(k1), ptr(k0), ptr(s1), ptr(s2)], n, FLOPS.siluGradSums * n * p * ch);
    },
    scratch(length, count) {
      if (used + length * count > floats) throw new Error(`simd: scratch of ${count}x${length} exceeds the ${floats} floats allocated`);
      const views = Array.from({ length: count }, (_, i) => new Float64Array(memory.buffer, block + (used + i * length) * 8, length).fill(0));
      used += length * count;
      return views;
    },
  };
  return { passes, release: () => module._free(block) };
}
