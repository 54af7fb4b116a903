;; Elementwise add and multiply of float32 tensors on tfjs-backend-wasm's heap, for the broadcasts a U-Net's
;; training step makes: equal shapes (residual sums, gradient accumulation), a per-image or per-channel row
;; [N, 1, 1, C] or [C] against [N, H, W, C] (the embedding added to every pixel, biases), and a scalar (skip
;; scales). tfjs-backend-wasm 4.22 runs the broadcasts as a generic index loop, 2.2 ns per element on 16x28x28x12
;; with a [16, 1, 1, 12] row, against 0.7 for equal shapes. One IEEE operation per element: the same values as
;; tfjs's. Exported (on the calling thread: binary.ts says why):
;;   rows(op, a, b, out, outer, mid, inner, bStride):
;;     out[o, m, k] = a[o, m, k] (op) b[o bStride + k]   (o < outer, m < mid, k < inner, inner % 4 == 0; floats)
;;     equal shapes: mid 1, bStride inner; a row per image: mid H W, inner C, bStride C; a bias: bStride 0.
;;   scalar(op, a, s, out, count):  out[i] = a[i] (op) s[0]   (i < count, count % 4 == 0)
;; op: 0 add, 1 multiply.
(module
  (import "env" "memory" (memory MEMORY_LIMITS))

  (func (export "rows") (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $outer i32) (param $mid i32)
    (param $inner i32) (param $bStride i32)
    (local $o i32) (local $m i32) (local $pa i32) (local $pb i32) (local $po i32) (local $k i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $inner) (i32.const 2)))
    ;; a and out advance row by row: outer times mid rows of `inner` floats each
    (local.set $pa (local.get $a))
    (local.set $po (local.get $out))
    (local.set $o (i32.const 0))
    (block $o_done (loop $outers
      (br_if $o_done (i32.ge_u (local.get $o) (local.get $outer)))
      (local.set $pb (i32.add (local.get $b) (i32.shl (i32.mul (local.get $o) (local.get $bStride)) (i32.const 2))))
      (local.set $m (i32.const 0))
      (block $m_done (loop $middle
        (br_if $m_done (i32.ge_u (local.get $m) (local.get $mid)))
        (local.set $k (i32.const 0))
        (if (i32.eqz (local.get $op))
          (then (block $k_done (loop $lanes
            (br_if $k_done (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (v128.store (i32.add (local.get $po) (local.get $k))
              (f32x4.add (v128.load (i32.add (local.get $pa) (local.get $k))) (v128.load (i32.add (local.get $pb) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $lanes))))
          (else (block $k_done (loop $lanes
            (br_if $k_done (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (v128.store (i32.add (local.get $po) (local.get $k))
              (f32x4.mul (v128.load (i32.add (local.get $pa) (local.get $k))) (v128.load (i32.add (local.get $pb) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $lanes)))))
        (local.set $pa (i32.add (local.get $pa) (local.get $rowBytes)))
        (local.set $po (i32.add (local.get $po) (local.get $rowBytes)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $middle)))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br $outers))))

  (func (export "scalar") (param $op i32) (param $a i32) (param $s i32) (param $out i32) (param $count i32)
    (local $pa i32) (local $po i32) (local $end i32) (local $sv v128)
    (local.set $sv (v128.load32_splat (local.get $s)))
    (local.set $pa (local.get $a))
    (local.set $po (local.get $out))
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $count) (i32.const 2))))
    (if (i32.eqz (local.get $op))
      (then (block $done (loop $lanes
        (br_if $done (i32.ge_u (local.get $pa) (local.get $end)))
        (v128.store (local.get $po) (f32x4.add (v128.load (local.get $pa)) (local.get $sv)))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $po (i32.add (local.get $po) (i32.const 16)))
        (br $lanes))))
      (else (block $done (loop $lanes
        (br_if $done (i32.ge_u (local.get $pa) (local.get $end)))
        (v128.store (local.get $po) (f32x4.mul (v128.load (local.get $pa)) (local.get $sv)))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $po (i32.add (local.get $po) (i32.const 16)))
        (br $lanes))))))
)
