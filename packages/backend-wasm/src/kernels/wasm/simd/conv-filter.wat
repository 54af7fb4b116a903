;; Filter gradient of a stride-1 convolution, NHWC, on tfjs-backend-wasm's heap: for filter rows
;; [row0, row1) of dW viewed as [planes * KH * KW * Ci / 4] groups of 4 input channels,
;;   dW[ky, kx, ci, co] (+)= sum_{b, oy, ox} x[b, oy + ky, ox + kx, ci] * dy[b, oy, ox, co]
;; with x already padded ([N, Hp, Wp, Ci]), dy [N, Ho, Wo, Co] and dW in tfjs's filter layout [KH, KW, Ci, Co];
;; with acc != 0 it adds to dW instead of overwriting it. Plane p (a product of its own: the Winograd filter
;; gradient's 16 tile positions, conv2d-winograd.ts) reads x + p * planeX, dy + p * planeDy and writes
;; dW + p * planeDw (byte offsets; one plane: rows [0, KH * KW * Ci / 4)).
;; A product whose depth is the N * Ho * Wo pixels, read in place: no transposed or shifted copies of x.
;; The inner block keeps 4 input channels x 8 output channels in 8 registers (8 f32x4 accumulators; each pixel
;; loads two vectors of dy and splats four channels of x). Preconditions (the caller checks): Ci % 4 == 0,
;; Co % 4 == 0; where Co % 8 == 4 the last block of channels computes 8 (reading 4 floats past dy's last pixel)
;; and stores 4 (the caller leaves room for that read). Pixels go in chunks of `rb` output rows (of the
;; flattened [N * Ho] row axis): within a chunk every group of dW reads the same rows of x and dy, which stay
;; in cache; later chunks add to the partial sums in dW. Within a chunk, products are summed over rows, then
;; pixels, in order.
(module
  (import "env" "memory" (memory MEMORY_LIMITS))
  (func (export "filterGrad")
    (param $x i32) (param $dy i32) (param $dw i32)
    (param $ho i32) (param $wo i32) (param $hp i32) (param $wp i32) (param $ci i32) (param $co i32) (param $kh i32)
    (param $kw i32) (param $rb i32) (param $rows i32) (param $planeX i32) (param $planeDy i32) (param $planeDw i32)
    (param $acc i32) (param $row0 i32) (param $row1 i32)
    (local $r0 i32) (local $r1 i32) (local $u i32) (local $tap i32) (local $groups i32) (local $c0 i32)
    (local $perPlane i32) (local $plane i32) (local $g i32) (local $xp i32) (local $dyp i32) (local $dwp i32)
    (local $ky i32) (local $kx i32) (local $j i32) (local $r i32) (local $q i32) (local $pa i32) (local $pb i32)
    (local $pd i32) (local $ci4 i32) (local $co4 i32) (local $woCo4 i32) (local $sh i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $ci4 (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $co4 (i32.shl (local.get $co) (i32.const 2)))
    (local.set $woCo4 (i32.mul (local.get $wo) (local.get $co4)))
    (local.set $groups (i32.shr_u (local.get $ci) (i32.const 2)))
    (local.set $perPlane (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $groups)))
    (local.set $r0 (i32.const 0))
    (block $chunksDone
      (loop $chunks
        (br_if $chunksDone (i32.ge_u (local.get $r0) (local.get $rows)))
        (local.set $r1 (i32.add (local.get $r0) (local.get $rb)))
        (if (i32.gt_u (local.get $r1) (local.get $rows)) (then (local.set $r1 (local.get $rows))))
        (local.set $u (local.get $row0))
        (block $groupsDone
          (loop $filterGroups
            (br_if $groupsDone (i32.ge_u (local.get $u) (local.get $row1)))
            ;; plane u / perPlane; within it, group g: tap = g / groups = ky * KW + kx, input channels c0 .. c0 + 3
            (local.set $plane (i32.div_u (local.get $u) (local.get $perPlane)))
            (local.set $g (i32.rem_u (local.get $u) (local.get $perPlane)))
            (local.set $xp (i32.add (local.get $x) (i32.mul (local.get $plane) (local.get $planeX))))
            (local.set $dyp (i32.add (local.get $dy) (i32.mul (local.get $plane) (local.get $planeDy))))
            (local.set $dwp (i32.add (local.get $dw) (i32.mul (local.get $plane) (local.get $planeDw))))
            (local.set $tap (i32.div_u (local.get $g) (local.get $groups)))
            (local.set $c0 (i32.shl (i32.rem_u (local.get $g) (local.get $groups)) (i32.const 2)))
            (local.set $ky (i32.div_u (local.get $tap) (local.get $kw)))
            (local.set $kx (i32.rem_u (local.get $tap) (local.get $kw)))
            (local.set $j (i32.const 0))
            (loop $channels
              ;; bytes from output channel j to j + 4: 16, or 0 in a last block of 4 channels (Co % 8 == 4)
              (local.set $sh (select (i32.const 16) (i32.const 0) (i32.ge_u (i32.sub (local.get $co) (local.get $j)) (i32.const 8))))
              ;; dW[tap, c0, j]: 4 rows of Co floats
              (local.set $pd (i32.add (local.get $dwp) (i32.shl
                (i32.add (i32.mul (i32.add (i32.mul (local.get $tap) (local.get $ci)) (local.get $c0)) (local.get $co)) (local.get $j))
                (i32.const 2))))
              (if (i32.or (local.get $r0) (local.get $acc))
                (then ;; later chunks (or every chunk, with acc) add to the partial sums in dW
                  (local.set $c00 (v128.load (local.get $pd)))
                  (local.set $c01 (v128.load (i32.add (local.get $pd) (local.get $sh))))
                  (local.set $c10 (v128.load (i32.add (local.get $pd) (local.get $co4))))
                  (local.set $c11 (v128.load (i32.add (i32.add (local.get $pd) (local.get $co4)) (local.get $sh))))
                  (local.set $c20 (v128.load (i32.add (local.get $pd) (i32.shl (local.get $co4) (i32.const 1)))))
                  (local.set $c21 (v128.load (i32.add (i32.add (local.get $pd) (i32.shl (local.get $co4) (i32.const 1))) (local.get $sh))))
                  (local.set $c30 (v128.load (i32.add (local.get $pd) (i32.mul (local.get $co4) (i32.const 3)))))
                  (local.set $c31 (v128.load (i32.add (i32.add (local.get $pd) (i32.mul (local.get $co4) (i32.const 3))) (local.get $sh)))))
                (else
                  (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
                  (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
                  (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
                  (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))))
              (local.set $r (local.get $r0))
              (loop $outputRows
                ;; output row r = b * Ho + oy reads input row b * Hp + oy + ky, from column kx
                (local.set $pa (i32.add (local.get $xp) (i32.add (i32.shl (local.get $c0) (i32.const 2))
                  (i32.mul
                    (i32.add
                      (i32.mul
                        (i32.add
                          (i32.mul (i32.div_u (local.get $r) (local.get $ho)) (local.get $hp))
                          (i32.add (i32.rem_u (local.get $r) (local.get $ho)) (local.get $ky)))
                        (local.get $wp))
                      (local.get $kx))
                    (local.get $ci4)))))
                (local.set $pb (i32.add (local.get $dyp)
                  (i32.add (i32.mul (local.get $r) (local.get $woCo4)) (i32.shl (local.get $j) (i32.const 2)))))
                (local.set $q (local.get $wo))
                (loop $pixels
                  (local.set $b0 (v128.load (local.get $pb)))
                  (local.set $b1 (v128.load offset=16 (local.get $pb)))
                  (local.set $a (v128.load32_splat (local.get $pa)))
                  (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
                  (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
                  (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
                  (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
                  (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
                  (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
                  (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
                  (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
                  (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
                  (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
                  (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
                  (local.set $pa (i32.add (local.get $pa) (local.get $ci4)))
                  (local.set $pb (i32.add (local.get $pb) (local.get $co4)))
                  (br_if $pixels (local.tee $q (i32.sub (local.get $q) (i32.const 1)))))
                (br_if $outputRows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $r1))))
              ;; dW[tap, c0 .. c0 + 3, j .. j + 7]; in a block of 4 channels the second halves alias the first,
              ;; which are stored after them
              (v128.store (i32.add (local.get $pd) (local.get $sh)) (local.get $c01))
              (v128.store (local.get $pd) (local.get $c00))
              (local.set $pd (i32.add (local.get $pd) (local.get $co4)))
              (v128.store (i32.add (local.get $pd) (local.get $sh)) (local.get $c11))
              (v128.store (local.get $pd) (local.get $c10))
              (local.set $pd (i32.add (local.get $pd) (local.get $co4)))
              (v128.store (i32.add (local.get $pd) (local.get $sh)) (local.get $c21))
              (v128.store (local.get $pd) (local.get $c20))
              (local.set $pd (i32.add (local.get $pd) (local.get $co4)))
              (v128.store (i32.add (local.get $pd) (local.get $sh)) (local.get $c31))
              (v128.store (local.get $pd) (local.get $c30))
              (br_if $channels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $co))))
            (local.set $u (i32.add (local.get $u) (i32.const 1)))
            (br $filterGroups)))
        (local.set $r0 (local.get $r1))
        (br $chunks)))))
