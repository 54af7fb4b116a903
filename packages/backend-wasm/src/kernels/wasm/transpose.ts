// Transpose for wasm, tiled. tfjs-backend-wasm 4.22's Transpose walks one side of the copy with a large
// stride; with power-of-two sizes that thrashes the cache: [8, 32, 32, 64] -> [64, 32, 32, 8] took 7.8 ms
// where [8, 34, 34, 64] took 1.4, and [8192, 64] -> [64, 8192] 15 ms (the explicit transposes of the 1x1
// filter gradient and of BatchMatMul). The permutation is first reduced (size-1 axes dropped, axes
// that stay neighbours merged); when the innermost axis moves, each plane (input-innermost axis u, output-
// innermost axis v) is copied in 16x16 tiles by simd/transpose.wat on the heap. Values are moved, never
// computed: bit-identical. Otherwise (innermost axis kept: contiguous rows) the original kernel runs.
import * as tf from '@tensorflow/tfjs-core';
import { fullStrides, heapOffset, type WasmHeapBackend } from './heap';
import { simdInstance } from './simd/instance';
import { TRANSPOSE_WASM } from './simd/transpose-wasm';

interface TransposeExports extends WebAssembly.Exports {
  plane(src: number, dst: number, nv: number, nu: number, srcStrideV: number, dstStrideU: number): void;
}

/** Planes with a side shorter than this stay with the original kernel: for [8, 1024, 64] -> [64, 1024, 8]
 * (planes 8 x 64) it took 0.8 ms and the tiles 2.9 (every plane's rows share one cache set). */
const MIN_SIDE = 16;

/** A permutation reduced to its essentials: input shape and output order of the remaining axes. */
export interface ReducedTranspose {
  shape: number[];
  perm: number[];
}

/** Drops size-1 axes and merges axes that are neighbours in both input and output (same data order). */
export function reduceTranspose(shape: readonly number[], perm: readonly number[]): ReducedTranspose {
  const kept = shape.map((_, a) => a).filter((a) => shape[a]! > 1);
  const rankOf = new Map(kept.map((a, i) => [a, i]));
  const order = perm.filter((a) => shape[a]! > 1).map((a) => rankOf.get(a)!);
  // Runs of output-consecutive axes that are also input-consecutive.
  const groups: number[][] = [];
  for (const a of order) {
    const last = groups.at(-1);
    if (last && last.at(-1)! + 1 === a) last.push(a);
    else groups.push([a]);
  }
  const byInput = [...groups].sort((g, h) => g[0]! - h[0]!);
  return {
    shape: byInput.map((g) => g.reduce((n, a) => n * shape[kept[a]!]!, 1)),
    perm: groups.map((g) => byInput.indexOf(g)),
  };
}

/** Wraps the original wasm Transpose kernel (kept for 1- and 2-byte dtypes and when the innermost axis stays). */
export function tiledTranspose(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    const { perm } = args.attrs as unknown as { perm: number[] };
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return original(args);
    const { shape, perm: q } = reduceTranspose(x.shape, perm);
    const r = shape.length;
    if (r < 2) return original(args);
    const u = r - 1; // innermost input axis
    const v = q[r - 1]!; // innermost output axis
    if (u === v || shape[u]! < MIN_SIDE || shape[v]! < MIN_SIDE) return original(args);
    const b = args.backend as unknown as WasmHeapBackend;
    const simd = simdInstance<TransposeExports>(b.wasm, TRANSPOSE_WASM);
    if (!simd) return original(args);
    const out = b.makeOutput(perm.map((a) => x.shape[a]!), x.dtype);
    const src = heapOffset(b, x);
    const dst = heapOffset(b, out);
    const inStrides = fullStrides(shape);
    const outPos = fullStrides(q.map((a) => shape[a]!));
    const outStrides = shape.map((_, a) => outPos[q.indexOf(a)]!); // output stride of each input axis
    const others = shape.map((_, a) => a).filter((a) => a !== u && a !== v);
    const index = others.map(() => 0);
    for (;;) {
      let s = 0;
      let d = 0;
      others.forEach((a, k) => {
        s += index[k]! * inStrides[a]!;
        d += index[k]! * outStrides[a]!;
      });
      simd.plane(src + 4 * s, dst + 4 * d, shape[v]!, shape[u]!, inStrides[v]!, outStrides[u]!);
      let k = others.length - 1;
      while (k >= 0 && ++index[k]! === shape[others[k]!]) index[k--] = 0;
      if (k < 0) break;
    }
    return out;
  };
}
