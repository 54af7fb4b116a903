;; 2x nearest-neighbour resampling of NHWC float32 on tfjs-backend-wasm's heap, for the U-Nets' box-filter up and
;; down layers (resample_filter [1, 1]) and their gradients. Compiled by scripts/wat.mjs into resample2x-wasm.ts
;; (do not edit that).
;;   up(dst, src, rows, w, c, scale):  dst[r, 2 i + a, 2 j + b, :] = src[r, i, j, :] * scale  (a, b in {0, 1})
;;     for `rows` = N H input rows of w pixels of c channels: nearest-neighbour upsampling (scale 1) and
;;     AvgPoolGrad of a 2x2 stride-2 pool (scale 1/4: each dy spread over its window, dy * (1/4) as tfjs's loop).
;;   down(dst, src, rows, w, c):  dst[r, i, j, :] = (src[2 i, 2 j] + src[2 i + 1, 2 j]) + (src[2 i, 2 j + 1] + src[2 i + 1, 2 j + 1])
;;     for `rows` = N H/2 output rows of w = W/2 pixels: the gradient of nearest-neighbour upsampling, summed in
;;     the order the two-tile composition's gradient sums (rows first, then columns), bit for bit.
;; Channels go 4 at a time, the last c % 4 one by one.
(module
  (import "env" "memory" (memory MEMORY_LIMITS))

  (func (export "up") (param $dst i32) (param $src i32) (param $rows i32) (param $w i32) (param $c i32) (param $scale f32)
    (local $r i32) (local $j i32) (local $k i32) (local $rowBytes i32) (local $pix i32) (local $c4 i32) (local $vs v128)
    (local $v v128) (local $d i32)
    (local.set $pix (i32.shl (local.get $c) (i32.const 2)))
    (local.set $c4 (i32.and (local.get $pix) (i32.const -16)))
    (local.set $rowBytes (i32.mul (i32.mul (local.get $w) (local.get $pix)) (i32.const 2)))
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      ;; the output's first row of the pair, pixel by pixel, each written twice
      (local.set $d (local.get $dst))
      (local.set $j (i32.const 0))
      (block $pixDone (loop $pixLoop
        (br_if $pixDone (i32.ge_u (local.get $j) (local.get $w)))
        (local.set $k (i32.const 0))
        (block $vecDone (loop $vec
          (br_if $vecDone (i32.ge_u (local.get $k) (local.get $c4)))
          (local.set $v (f32x4.mul (v128.load (i32.add (local.get $src) (local.get $k))) (local.get $vs)))
          (v128.store (i32.add (local.get $d) (local.get $k)) (local.get $v))
          (v128.store (i32.add (i32.add (local.get $d) (local.get $pix)) (local.get $k)) (local.get $v))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $vec)))
        (block $tailDone (loop $tail
          (br_if $tailDone (i32.ge_u (local.get $k) (local.get $pix)))
          (f32.store (i32.add (local.get $d) (local.get $k))
            (f32.mul (f32.load (i32.add (local.get $src) (local.get $k))) (local.get $scale)))
          (f32.store (i32.add (i32.add (local.get $d) (local.get $pix)) (local.get $k))
            (f32.mul (f32.load (i32.add (local.get $src) (local.get $k))) (local.get $scale)))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $tail)))
        (local.set $src (i32.add (local.get $src) (local.get $pix)))
        (local.set $d (i32.add (local.get $d) (i32.shl (local.get $pix) (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $pixLoop)))
      ;; the second row of the pair: a copy of the first
      (memory.copy (i32.add (local.get $dst) (local.get $rowBytes)) (local.get $dst) (local.get $rowBytes))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $rowBytes) (i32.const 1))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rowLoop))))

  (func (export "down") (param $dst i32) (param $src i32) (param $rows i32) (param $w i32) (param $c i32)
    (local $r i32) (local $j i32) (local $k i32) (local $pix i32) (local $c4 i32) (local $inRow i32) (local $p i32)
    (local.set $pix (i32.shl (local.get $c) (i32.const 2)))
    (local.set $c4 (i32.and (local.get $pix) (i32.const -16)))
    ;; bytes of one input row: 2 w pixels
    (local.set $inRow (i32.mul (i32.mul (local.get $w) (local.get $pix)) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $pixDone (loop $pixLoop
        (br_if $pixDone (i32.ge_u (local.get $j) (local.get $w)))
        ;; $p: input pixel (2 i, 2 j); + pix: (2 i, 2 j + 1); + inRow: (2 i + 1, 2 j)
        (local.set $p (local.get $src))
        (local.set $k (i32.const 0))
        (block $vecDone (loop $vec
          (br_if $vecDone (i32.ge_u (local.get $k) (local.get $c4)))
          (v128.store (i32.add (local.get $dst) (local.get $k)) (f32x4.add
            (f32x4.add (v128.load (i32.add (local.get $p) (local.get $k)))
              (v128.load (i32.add (i32.add (local.get $p) (local.get $inRow)) (local.get $k))))
            (f32x4.add (v128.load (i32.add (i32.add (local.get $p) (local.get $pix)) (local.get $k)))
              (v128.load (i32.add (i32.add (i32.add (local.get $p) (local.get $inRow)) (local.get $pix)) (local.get $k))))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $vec)))
        (block $tailDone (loop $tail
          (br_if $tailDone (i32.ge_u (local.get $k) (local.get $pix)))
          (f32.store (i32.add (local.get $dst) (local.get $k)) (f32.add
            (f32.add (f32.load (i32.add (local.get $p) (local.get $k)))
              (f32.load (i32.add (i32.add (local.get $p) (local.get $inRow)) (local.get $k))))
            (f32.add (f32.load (i32.add (i32.add (local.get $p) (local.get $pix)) (local.get $k)))
              (f32.load (i32.add (i32.add (i32.add (local.get $p) (local.get $inRow)) (local.get $pix)) (local.get $k))))))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $tail)))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $pix) (i32.const 1))))
        (local.set $dst (i32.add (local.get $dst) (local.get $pix)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $pixLoop)))
      ;; skip the odd input row (read through $inRow above)
      (local.set $src (i32.add (local.get $src) (local.get $inRow)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rowLoop))))
)
