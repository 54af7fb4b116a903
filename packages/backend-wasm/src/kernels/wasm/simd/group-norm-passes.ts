// @edm/core's GroupNorm passes (GroupNormPasses) run by group-norm.wat on the wasm heap: the same float64
// arithmetic in the same order as the JavaScript loops, four channels per step (bit-identical results; the
// GroupNorm + SiLU passes' sigmoid is the module's own, within a few ulp).
import type { GroupNormPasses } from '@edm/core';
import { heapMemory, type WasmModule } from '../heap';
import { GROUP_NORM_WASM } from './group-norm-wasm';
import { heapPointer, simdInstance } from './instance';

interface GroupNormExports extends WebAssembly.Exports {
  channelSums(a: number, b: number, p: number, c: number, s1: number, s2: number): void;
  affine(out: number, a: number, b: number, p: number, c: number, k1: number, k2: number, k0: number): void;
  affineSilu(out: number, a: number, p: number, c: number, k1: number, k0: number): void;
  siluGradSums(dt: number, dy: number, x: number, p: number, c: number, k1: number, k0: number, s1: number, s2: number): void;
}

/** Passes plus the heap scratch they own: call `release` when the kernel is done. */
export interface HeapGroupNormPasses {
  passes: GroupNormPasses;
  release(): void;
}

/**
 * SIMD passes for C channels with up to `arrays` float64 scratch arrays, allocated in the heap now: create
 * these BEFORE taking views of the kernel's tensors (allocating may grow the heap and detach older views).
 * Null where the SIMD module cannot run or C is not a multiple of 4: keep the JavaScript passes then.
 */
export function heapGroupNormPasses(module: WasmModule, c: number, arrays: number): HeapGroupNormPasses | null {
  if (c % 4 !== 0) return null;
  const simd = simdInstance<GroupNormExports>(module, GROUP_NORM_WASM);
  if (!simd) return null;
  const memory = heapMemory(module);
  // emscripten's _malloc returns a signed i32: heaps past 2 GiB give negative numbers (a CIFAR-10 training step).
  const block = module._malloc(arrays * c * 8) >>> 0;
  if (block === 0) return null; // heap exhausted: the JavaScript passes need no scratch in it
  if (block % 8 !== 0) throw new Error(`simd: malloc returned an unaligned block (${block})`);
  let used = 0;
  const ptr = (v: ArrayBufferView) => heapPointer(memory, v);
  const passes: GroupNormPasses = {
    channelSums(a, b, base, p, ch, s1, s2) {
      simd.channelSums(ptr(a) + base * 4, ptr(b) + base * 4, p, ch, ptr(s1), ptr(s2));
    },
    affine(out, a, b, base, p, ch, k1, k2, k0) {
      simd.affine(ptr(out) + base * 4, ptr(a) + base * 4, b ? ptr(b) + base * 4 : 0, p, ch, ptr(k1), ptr(k2), ptr(k0));
    },
    affineSilu(out, a, base, p, ch, k1, k0) {
      simd.affineSilu(ptr(out) + base * 4, ptr(a) + base * 4, p, ch, ptr(k1), ptr(k0));
    },
    siluGradSums(dt, dy, x, base, p, ch, k1, k0, s1, s2) {
      simd.siluGradSums(ptr(dt), ptr(dy) + base * 4, ptr(x) + base * 4, p, ch, ptr(k1), ptr(k0), ptr(s1), ptr(s2));
    },
    scratch(ch, count) {
      if (ch !== c || used + count > arrays) throw new Error(`simd: scratch of ${count}x${ch} exceeds the ${arrays}x${c} allocated`);
      const views = Array.from({ length: count }, (_, i) => new Float64Array(memory.buffer, block + (used + i) * c * 8, c).fill(0));
      used += count;
      return views;
    },
  };
  return { passes, release: () => module._free(block) };
}
