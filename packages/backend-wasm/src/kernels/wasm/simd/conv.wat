;; Two functions: `conv` (here) and `products` (matrix products of small depth, at the end).
;; Stride-1 convolution, NHWC, on tfjs-backend-wasm's heap: for output rows [row0, row1) of the
;; flattened [N * Ho] row axis,
;;   y[b, oy, ox, co] = bias[co] + sum_{ky, kx, ci} x[b, oy + ky - top, ox + kx - left, ci] * w[ky, kx, ci, co]
;; with x [N, H, W, Ci] unpadded (reads outside it are the zero padding), w in tfjs's filter layout
;; [KH, KW, Ci, Co] and y [N, Ho, Wo, Co]. With ws > 0 each image b has its own filter at w + b * ws bytes (a
;; batch of matrix products, as 1x1 convolutions); ws = 0 shares one.
;; A matrix product over shifted rows, with no im2col copy: for one tap (ky, kx), four consecutive output
;; pixels read four consecutive input pixels (stride Ci), and w[ky, kx] is a contiguous [Ci, Co] matrix.
;; The inner block keeps 4 pixels x 8 output channels in 8 registers (8 f32x4 accumulators; each step loads two
;; vectors of w and splats four inputs). Padding is never copied: tap rows outside the image are skipped, and
;; where a tap's 4 pixels reach past the row's edge, those outside it read `zeros` (at least cb zero floats)
;; instead. Precondition (the caller checks): Co % 4 == 0. Where Wo % 4 != 0 the last quad of a row computes
;; past the row's end but stores only the row's pixels; where Co % 8 == 4 the last block of channels computes 8
;; (reading 4 floats past w's and the bias's rows, past the last ones too: the caller leaves room for that) but
;; stores 4.
;; Input channels go in blocks of `cb` (the filter rows a block reads stay in L1; later blocks add to the
;; partial sums in y); within a block, products are summed over taps in (ky, kx) order, channels in order.
(module
  (import "env" "memory" (memory MEMORY_LIMITS))
  (func (export "conv")
    (param $x i32) (param $w i32) (param $bias i32) (param $y i32)
    (param $ho i32) (param $wo i32) (param $ci i32) (param $co i32) (param $h i32) (param $wi i32)
    (param $top i32) (param $left i32) (param $kh i32) (param $kw i32) (param $cb i32) (param $ws i32)
    (param $zeros i32) (param $row0 i32) (param $row1 i32)
    (local $c0 i32) (local $kc i32) (local $row i32) (local $xRow i32) (local $yRow i32) (local $j i32) (local $ox i32)
    (local $ky i32) (local $kx i32) (local $pa i32) (local $pw i32) (local $k i32)
    (local $ci4 i32) (local $ci8 i32) (local $ci12 i32) (local $co4 i32) (local $py i32) (local $wImage i32)
    (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $sh i32)
    (local $oy i32) (local $kyLo i32) (local $kyHi i32) (local $xr i32) (local $ix i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $ci4 (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $ci8 (i32.shl (local.get $ci) (i32.const 3)))
    (local.set $ci12 (i32.mul (local.get $ci) (i32.const 12)))
    (local.set $co4 (i32.shl (local.get $co) (i32.const 2)))
    (local.set $row (local.get $row0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $row1)))
        ;; image b = row / ho, output row oy = row % ho; xRow: image b of x; taps ky in [kyLo, kyHi) read input
        ;; rows oy + ky - top inside the image (the others read padding: zeros, skipped)
        (local.set $oy (i32.rem_u (local.get $row) (local.get $ho)))
        (local.set $xRow (i32.add (local.get $x)
          (i32.mul (i32.mul (i32.mul (i32.div_u (local.get $row) (local.get $ho)) (local.get $h)) (local.get $wi)) (local.get $ci4))))
        (local.set $kyLo (i32.sub (local.get $top) (local.get $oy)))
        (if (i32.lt_s (local.get $kyLo) (i32.const 0)) (then (local.set $kyLo (i32.const 0))))
        (local.set $kyHi (i32.sub (i32.add (local.get $h) (local.get $top)) (local.get $oy)))
        (if (i32.gt_s (local.get $kyHi) (local.get $kh)) (then (local.set $kyHi (local.get $kh))))
        ;; image b's filter: w + b * ws (ws = 0: one filter for all images)
        (local.set $wImage (i32.add (local.get $w) (i32.mul (i32.div_u (local.get $row) (local.get $ho)) (local.get $ws))))
        (local.set $yRow (i32.add (local.get $y) (i32.mul (i32.mul (local.get $row) (local.get $wo)) (local.get $co4))))
        (local.set $c0 (i32.const 0))
        (loop $inputBlocks
        ;; input channels [c0, c0 + kc): the filter rows they read, 9 x kc x 8 floats for a 3x3, stay in L1
        (local.set $kc (select (local.get $cb) (i32.sub (local.get $ci) (local.get $c0))
          (i32.lt_u (local.get $cb) (i32.sub (local.get $ci) (local.get $c0)))))
        (local.set $j (i32.const 0))
        (loop $channels
          ;; bytes from output channel j to j + 4: 16, or 0 in a last block of 4 channels (Co % 8 == 4)
          (local.set $sh (select (i32.const 16) (i32.const 0) (i32.ge_u (i32.sub (local.get $co) (local.get $j)) (i32.const 8))))
          (local.set $ox (i32.const 0))
          (loop $pixels
            (local.set $py (i32.add (local.get $yRow)
              (i32.shl (i32.add (i32.mul (local.get $ox) (local.get $co)) (local.get $j)) (i32.const 2))))
            ;; pixels ox + 1 .. ox + 3 at these byte offsets from pixel ox; past the row's end (its last quad when
            ;; Wo % 4 != 0) they alias pixel ox, which is stored last
            (local.set $s1 (select (local.get $co4) (i32.const 0) (i32.gt_u (i32.sub (local.get $wo) (local.get $ox)) (i32.const 1))))
            (local.set $s2 (select (i32.shl (local.get $co4) (i32.const 1)) (i32.const 0)
              (i32.gt_u (i32.sub (local.get $wo) (local.get $ox)) (i32.const 2))))
            (local.set $s3 (select (i32.mul (local.get $co4) (i32.const 3)) (i32.const 0)
              (i32.gt_u (i32.sub (local.get $wo) (local.get $ox)) (i32.const 3))))
            (if (local.get $c0)
              (then ;; later input blocks add to the partial sums in y
                (local.set $c00 (v128.load (local.get $py)))
                (local.set $c01 (v128.load (i32.add (local.get $py) (local.get $sh))))
                (local.set $c10 (v128.load (i32.add (local.get $py) (local.get $s1))))
                (local.set $c11 (v128.load (i32.add (i32.add (local.get $py) (local.get $s1)) (local.get $sh))))
                (local.set $c20 (v128.load (i32.add (local.get $py) (local.get $s2))))
                (local.set $c21 (v128.load (i32.add (i32.add (local.get $py) (local.get $s2)) (local.get $sh))))
                (local.set $c30 (v128.load (i32.add (local.get $py) (local.get $s3))))
                (local.set $c31 (v128.load (i32.add (i32.add (local.get $py) (local.get $s3)) (local.get $sh)))))
              (else
                (if (local.get $bias)
                  (then
                    (local.set $c00 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
                    (local.set $c01 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
                  (else
                    (local.set $c00 (v128.const i32x4 0 0 0 0))
                    (local.set $c01 (v128.const i32x4 0 0 0 0))))
                (local.set $c10 (local.get $c00)) (local.set $c11 (local.get $c01))
                (local.set $c20 (local.get $c00)) (local.set $c21 (local.get $c01))
                (local.set $c30 (local.get $c00)) (local.set $c31 (local.get $c01))))
            (local.set $ky (local.get $kyLo))
            (block $tapRowsDone
              (loop $tapRows
                (br_if $tapRowsDone (i32.ge_s (local.get $ky) (local.get $kyHi)))
                ;; input row oy + ky - top, from channel c0
                (local.set $xr (i32.add (i32.add (local.get $xRow) (i32.shl (local.get $c0) (i32.const 2)))
                  (i32.mul (i32.mul (i32.sub (i32.add (local.get $oy) (local.get $ky)) (local.get $top)) (local.get $wi))
                    (local.get $ci4))))
                (local.set $kx (i32.const 0))
                (loop $taps
                  ;; this tap's first input column (pixel ox) and w[ky, kx, c0, j]
                  (local.set $ix (i32.sub (i32.add (local.get $ox) (local.get $kx)) (local.get $left)))
                  (local.set $pw (i32.add (local.get $wImage) (i32.shl
                    (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $kw)) (local.get $kx)) (local.get $ci))
                      (local.get $c0)) (local.get $co)) (local.get $j))
                    (i32.const 2))))
                  (local.set $k (local.get $kc))
                  (if (i32.and (i32.ge_s (local.get $ix) (i32.const 0))
                        (i32.le_s (i32.add (local.get $ix) (i32.const 4)) (local.get $wi)))
                    (then ;; the 4 input pixels inside the row: consecutive
                      (local.set $pa (i32.add (local.get $xr) (i32.mul (local.get $ix) (local.get $ci4))))
                      (loop $inner
                        (local.set $b0 (v128.load (local.get $pw)))
                        (local.set $b1 (v128.load offset=16 (local.get $pw)))
                        (local.set $a (v128.load32_splat (local.get $pa)))
                        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
                        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
                        (local.set $a (v128.load32_splat (i32.add (local.get $pa) (local.get $ci4))))
                        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
                        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
                        (local.set $a (v128.load32_splat (i32.add (local.get $pa) (local.get $ci8))))
                        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
                        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
                        (local.set $a (v128.load32_splat (i32.add (local.get $pa) (local.get $ci12))))
                        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
                        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
                        (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                        (local.set $pw (i32.add (local.get $pw) (local.get $co4)))
                        (br_if $inner (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
                    (else ;; at the row's edges: pixels outside it (padding) read the zero block instead
                      (local.set $p0 (select (i32.add (local.get $xr) (i32.mul (local.get $ix) (local.get $ci4))) (local.get $zeros)
                        (i32.lt_u (local.get $ix) (local.get $wi))))
                      (local.set $p1 (select (i32.add (local.get $xr) (i32.mul (i32.add (local.get $ix) (i32.const 1)) (local.get $ci4)))
                        (local.get $zeros) (i32.lt_u (i32.add (local.get $ix) (i32.const 1)) (local.get $wi))))
                      (local.set $p2 (select (i32.add (local.get $xr) (i32.mul (i32.add (local.get $ix) (i32.const 2)) (local.get $ci4)))
                        (local.get $zeros) (i32.lt_u (i32.add (local.get $ix) (i32.const 2)) (local.get $wi))))
                      (local.set $p3 (select (i32.add (local.get $xr) (i32.mul (i32.add (local.get $ix) (i32.const 3)) (local.get $ci4)))
                        (local.get $zeros) (i32.lt_u (i32.add (local.get $ix) (i32.const 3)) (local.get $wi))))
                      (loop $edge
                        (local.set $b0 (v128.load (local.get $pw)))
                        (local.set $b1 (v128.load offset=16 (local.get $pw)))
                        (local.set $a (v128.load32_splat (local.get $p0)))
                        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
                        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
                        (local.set $a (v128.load32_splat (local.get $p1)))
                        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
                        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
                        (local.set $a (v128.load32_splat (local.get $p2)))
                        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
                        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
                        (local.set $a (v128.load32_splat (local.get $p3)))
                        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
                        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
                        (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
                        (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
                        (local.set $p2 (i32.add (local.get $p2) (i32.const 4)))
                        (local.set $p3 (i32.add (local.get $p3) (i32.const 4)))
                        (local.set $pw (i32.add (local.get $pw) (local.get $co4)))
                        (br_if $edge (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
                  (br_if $taps (i32.lt_u (local.tee $kx (i32.add (local.get $kx) (i32.const 1))) (local.get $kw))))
                (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
                (br $tapRows)))
            ;; y[ox .. ox + 3, j .. j + 7], pixel ox last (see s1 .. s3); in a block of 4 channels the second
            ;; halves alias the first, which are stored after them
            (v128.store (i32.add (i32.add (local.get $py) (local.get $s3)) (local.get $sh)) (local.get $c31))
            (v128.store (i32.add (local.get $py) (local.get $s3)) (local.get $c30))
            (v128.store (i32.add (i32.add (local.get $py) (local.get $s2)) (local.get $sh)) (local.get $c21))
            (v128.store (i32.add (local.get $py) (local.get $s2)) (local.get $c20))
            (v128.store (i32.add (i32.add (local.get $py) (local.get $s1)) (local.get $sh)) (local.get $c11))
            (v128.store (i32.add (local.get $py) (local.get $s1)) (local.get $c10))
            (v128.store (i32.add (local.get $py) (local.get $sh)) (local.get $c01))
            (v128.store (local.get $py) (local.get $c00))
            (br_if $pixels (i32.lt_u (local.tee $ox (i32.add (local.get $ox) (i32.const 4))) (local.get $wo))))
          (br_if $channels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $co))))
        (br_if $inputBlocks (i32.lt_u (local.tee $c0 (i32.add (local.get $c0) (local.get $kc))) (local.get $ci))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows))))
  ;; Matrix products of small depth, plane by plane: for rows [row0, row1) of the flattened [planes * quads] axis
  ;; (row q: plane p = q / quads, rows 4i .. 4i + 3 of it, i = q % quads),
  ;;   c[p][4i + r, j] = bias[j] + sum_{l < k} a[p][4i + r, l] * b[p][l, j]        (r < 4, j < n)
  ;; with a[p] = [4 * quads, k] at a + p * strideA, b[p] = [k, n] at b + p * strideB and c[p] = [4 * quads, n]
  ;; at c + p * strideC (byte offsets and strides; a stride 0 shares one matrix; bias 0: none). The Winograd
  ;; convolutions' channel sums ([tiles, Ci] x [Ci, Co] per tile position) and unpadded 1x1 convolutions at few
  ;; channels: no taps, rows or channel blocks to step through per block of outputs (conv's), so a depth of 12-48
  ;; loses less to each block's setup. The
  ;; inner block keeps 4 rows x 8 columns in 8 registers as conv's does; where n % 8 == 4 the last 12 columns
  ;; take a block of 4 x 12 (12 registers) instead of computing 16, except n == 4 itself, which computes 8
  ;; (reading 4 floats past each row of b and past the bias: the caller leaves room for that) and stores 4.
  ;; Precondition (the caller checks): n % 4 == 0, k > 0.
  (func (export "products")
    (param $a i32) (param $b i32) (param $bias i32) (param $c i32) (param $quads i32) (param $k i32) (param $n i32)
    (param $strideA i32) (param $strideB i32) (param $strideC i32) (param $row0 i32) (param $row1 i32)
    (local $q i32) (local $i i32) (local $pa0 i32) (local $pb0 i32) (local $pc0 i32) (local $pa i32) (local $pb i32)
    (local $pc i32) (local $j i32) (local $l i32) (local $k4 i32) (local $k8 i32) (local $k12 i32) (local $n4 i32)
    (local $x v128) (local $y0 v128) (local $y1 v128) (local $y2 v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c10 v128) (local $c11 v128) (local $c12 v128)
    (local $c20 v128) (local $c21 v128) (local $c22 v128) (local $c30 v128) (local $c31 v128) (local $c32 v128)
    (if (i32.ge_u (local.get $row0) (local.get $row1)) (then (return)))
    (local.set $k4 (i32.shl (local.get $k) (i32.const 2)))
    (local.set $k8 (i32.shl (local.get $k) (i32.const 3)))
    (local.set $k12 (i32.mul (local.get $k) (i32.const 12)))
    (local.set $n4 (i32.shl (local.get $n) (i32.const 2)))
    ;; the first row's plane and quad; later rows step through them without dividing
    (local.set $i (i32.rem_u (local.get $row0) (local.get $quads)))
    (local.set $q (i32.div_u (local.get $row0) (local.get $quads)))
    (local.set $pa0 (i32.add (i32.add (local.get $a) (i32.mul (local.get $q) (local.get $strideA)))
      (i32.mul (local.get $i) (i32.shl (local.get $k4) (i32.const 2)))))
    (local.set $pc0 (i32.add (i32.add (local.get $c) (i32.mul (local.get $q) (local.get $strideC)))
      (i32.mul (local.get $i) (i32.shl (local.get $n4) (i32.const 2)))))
    (local.set $pb0 (i32.add (local.get $b) (i32.mul (local.get $q) (local.get $strideB))))
    (local.set $q (local.get $row0))
    (loop $rows
      (local.set $j (i32.const 0))
      (loop $columns
        (local.set $pa (local.get $pa0))
        (local.set $pb (i32.add (local.get $pb0) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $pc (i32.add (local.get $pc0) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $l (local.get $k))
        (if (local.get $bias)
          (then
            (local.set $c00 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $c01 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
          (else
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))))
        (local.set $c10 (local.get $c00)) (local.set $c20 (local.get $c00)) (local.set $c30 (local.get $c00))
        (local.set $c11 (local.get $c01)) (local.set $c21 (local.get $c01)) (local.set $c31 (local.get $c01))
        (if (i32.eq (i32.sub (local.get $n) (local.get $j)) (i32.const 12))
          (then ;; the last 12 columns: 4 x 12
            (local.set $c02 (v128.const i32x4 0 0 0 0))
            (if (local.get $bias)
              (then (local.set $c02 (v128.load offset=32 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
            (local.set $c12 (local.get $c02)) (local.set $c22 (local.get $c02)) (local.set $c32 (local.get $c02))
            (loop $inner12
              (local.set $y0 (v128.load (local.get $pb)))
              (local.set $y1 (v128.load offset=16 (local.get $pb)))
              (local.set $y2 (v128.load offset=32 (local.get $pb)))
              (local.set $x (v128.load32_splat (local.get $pa)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $x) (local.get $y2))))
              (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $k4))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $x) (local.get $y2))))
              (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $k8))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $c22 (f32x4.add (local.get $c22) (f32x4.mul (local.get $x) (local.get $y2))))
              (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $k12))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $c32 (f32x4.add (local.get $c32) (f32x4.mul (local.get $x) (local.get $y2))))
              (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
              (local.set $pb (i32.add (local.get $pb) (local.get $n4)))
              (br_if $inner12 (local.tee $l (i32.sub (local.get $l) (i32.const 1)))))
            (v128.store offset=32 (local.get $pc) (local.get $c02))
            (v128.store offset=32 (i32.add (local.get $pc) (local.get $n4)) (local.get $c12))
            (v128.store offset=32 (i32.add (local.get $pc) (i32.shl (local.get $n4) (i32.const 1))) (local.get $c22))
            (v128.store offset=32 (i32.add (local.get $pc) (i32.mul (local.get $n4) (i32.const 3))) (local.get $c32))
            (local.set $j (i32.add (local.get $j) (i32.const 4))))
          (else ;; 4 x 8
            (loop $inner
              (local.set $y0 (v128.load (local.get $pb)))
              (local.set $y1 (v128.load offset=16 (local.get $pb)))
              (local.set $x (v128.load32_splat (local.get $pa)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $k4))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $k8))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $k12))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $y0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $y1))))
              (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
              (local.set $pb (i32.add (local.get $pb) (local.get $n4)))
              (br_if $inner (local.tee $l (i32.sub (local.get $l) (i32.const 1)))))))
        ;; columns j .. j + 3 (and, but for n == 4, j + 4 .. j + 7) of the block's 4 rows
        (v128.store (local.get $pc) (local.get $c00))
        (v128.store (i32.add (local.get $pc) (local.get $n4)) (local.get $c10))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $n4) (i32.const 1))) (local.get $c20))
        (v128.store (i32.add (local.get $pc) (i32.mul (local.get $n4) (i32.const 3))) (local.get $c30))
        (if (i32.gt_u (local.get $n) (i32.add (local.get $j) (i32.const 4)))
          (then
            (v128.store offset=16 (local.get $pc) (local.get $c01))
            (v128.store offset=16 (i32.add (local.get $pc) (local.get $n4)) (local.get $c11))
            (v128.store offset=16 (i32.add (local.get $pc) (i32.shl (local.get $n4) (i32.const 1))) (local.get $c21))
            (v128.store offset=16 (i32.add (local.get $pc) (i32.mul (local.get $n4) (i32.const 3))) (local.get $c31))))
        (br_if $columns (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $n))))
      ;; the next 4 rows: of this plane, or the first of the next
      (local.set $pa0 (i32.add (local.get $pa0) (i32.shl (local.get $k4) (i32.const 2))))
      (local.set $pc0 (i32.add (local.get $pc0) (i32.shl (local.get $n4) (i32.const 2))))
      (if (i32.eq (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $quads))
        (then
          (local.set $i (i32.const 0))
          (local.set $pa0 (i32.add (i32.sub (local.get $pa0) (i32.mul (local.get $quads) (i32.shl (local.get $k4) (i32.const 2))))
            (local.get $strideA)))
          (local.set $pc0 (i32.add (i32.sub (local.get $pc0) (i32.mul (local.get $quads) (i32.shl (local.get $n4) (i32.const 2))))
            (local.get $strideC)))
          (local.set $pb0 (i32.add (local.get $pb0) (local.get $strideB)))))
      (br_if $rows (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $row1))))))
