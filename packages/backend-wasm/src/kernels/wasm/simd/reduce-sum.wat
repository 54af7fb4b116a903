;; Sum over a middle block of axes, on tfjs-backend-wasm's heap: x viewed as [outer, reduce, inner],
;;   y[o, i] = sum_r x[o, r, i]   (r in order, from 0)
;; the bias gradient of a convolution (dy summed over N, H, W: outer 1) and of a broadcast add (over H, W).
;; Each output row y[o, :] stays in cache as the accumulator while the rows x[o, r, :] stream through it in
;; order, 4 lanes at a time: contiguous reads, and every output sums its inputs in the same order as a loop
;; over r would.
(module
  (import "env" "memory" (memory MEMORY_LIMITS))
  (func (export "sumMiddle") (param $x i32) (param $y i32) (param $outer i32) (param $reduce i32) (param $inner i32)
    (local $o i32) (local $r i32) (local $py i32) (local $px i32) (local $end i32) (local $vecEnd i32) (local $p i32)
    (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $inner) (i32.const 2)))
    (local.set $px (local.get $x))
    (local.set $o (i32.const 0))
    (block $outerDone
      (loop $outerRows
        (br_if $outerDone (i32.ge_u (local.get $o) (local.get $outer)))
        (local.set $py (i32.add (local.get $y) (i32.mul (local.get $o) (local.get $rowBytes))))
        (local.set $end (i32.add (local.get $py) (local.get $rowBytes)))
        (local.set $vecEnd (i32.add (local.get $py) (i32.and (local.get $rowBytes) (i32.const -16))))
        (memory.fill (local.get $py) (i32.const 0) (local.get $rowBytes))
        (local.set $r (i32.const 0))
        (block $reduceDone
          (loop $reduceRows
            (br_if $reduceDone (i32.ge_u (local.get $r) (local.get $reduce)))
            (local.set $p (local.get $py))
            (block $vecDone
              (loop $vec
                (br_if $vecDone (i32.ge_u (local.get $p) (local.get $vecEnd)))
                (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (v128.load (local.get $px))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $px (i32.add (local.get $px) (i32.const 16)))
                (br $vec)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $p) (local.get $end)))
                (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load (local.get $px))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $px (i32.add (local.get $px) (i32.const 4)))
                (br $tail)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $reduceRows)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $outerRows)))))
