;; The two passes of @edm/core's GroupNorm loops (ops/group-norm-math.ts) in WebAssembly SIMD, reading and
;; writing tfjs-backend-wasm's own heap: the module imports the backend's memory, so tensors are addressed by
;; their heap offsets and nothing is copied. The arithmetic is the loops' own, in float64 (f64x2 lanes), in
;; the same order, so results are bit-identical to @edm/core's cpu kernel. Channels go four at a time: callers
;; use these only when C % 4 == 0. Compiled by scripts/wat.mjs into group-norm-wasm.ts (do not edit that).
(module
  (import "env" "memory" (memory MEMORY_LIMITS))

  ;; s1[j] = sum_q a[q, j];  s2[j] = sum_q a[q, j] * b[q, j]   (q < p pixels, j < c channels; f64 sums)
  (func (export "channelSums") (param $a i32) (param $b i32) (param $p i32) (param $c i32) (param $s1 i32) (param $s2 i32)
    (local $j i32) (local $end i32) (local $pix i32) (local $va v128) (local $vb v128) (local $lo v128) (local $hi v128)
    (local $s1j i32) (local $s2j i32)
    ;; zero the sums
    (local.set $j (i32.const 0))
    (block $z_done (loop $z
      (br_if $z_done (i32.ge_u (local.get $j) (local.get $c)))
      (f64.store (i32.add (local.get $s1) (i32.shl (local.get $j) (i32.const 3))) (f64.const 0))
      (f64.store (i32.add (local.get $s2) (i32.shl (local.get $j) (i32.const 3))) (f64.const 0))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $z)))
    (local.set $pix (i32.const 0))
    (block $p_done (loop $pixels
      (br_if $p_done (i32.ge_u (local.get $pix) (local.get $p)))
      ;; $end: one past the last byte of this pixel's channels in a
      (local.set $end (i32.add (local.get $a) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $s1j (local.get $s1))
      (local.set $s2j (local.get $s2))
      (block $c_done (loop $channels
        (br_if $c_done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $va (v128.load (local.get $a)))
        (local.set $vb (v128.load (local.get $b)))
        ;; channels j, j+1
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $va)))
        (v128.store (local.get $s1j) (f64x2.add (v128.load (local.get $s1j)) (local.get $lo)))
        (v128.store (local.get $s2j) (f64x2.add (v128.load (local.get $s2j))
          (f64x2.mul (local.get $lo) (f64x2.promote_low_f32x4 (local.get $vb)))))
        ;; channels j+2, j+3
        (local.set $hi (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $va) (local.get $va))))
        (v128.store offset=16 (local.get $s1j) (f64x2.add (v128.load offset=16 (local.get $s1j)) (local.get $hi)))
        (v128.store offset=16 (local.get $s2j) (f64x2.add (v128.load offset=16 (local.get $s2j))
          (f64x2.mul (local.get $hi) (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vb) (local.get $vb))))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $s1j (i32.add (local.get $s1j) (i32.const 32)))
        (local.set $s2j (i32.add (local.get $s2j) (i32.const 32)))
        (br $channels)))
      (local.set $pix (i32.add (local.get $pix) (i32.const 1)))
      (br $pixels))))

  ;; out[q, j] = f32((a[q, j] * k1[j] + b[q, j] * k2[j]) + k0[j]), or f32(a[q, j] * k1[j] + k0[j]) when b == 0
  ;; (the JavaScript loop's expression and order; k1, k2, k0 are float64 arrays of c).
  (func (export "affine") (param $out i32) (param $a i32) (param $b i32) (param $p i32) (param $c i32)
    (param $k1 i32) (param $k2 i32) (param $k0 i32)
    (local $end i32) (local $pix i32) (local $j i32) (local $va v128) (local $vb v128) (local $rlo v128) (local $rhi v128)
    (local.set $pix (i32.const 0))
    (block $p_done (loop $pixels
      (br_if $p_done (i32.ge_u (local.get $pix) (local.get $p)))
      (local.set $end (i32.add (local.get $a) (i32.shl (local.get $c) (i32.const 2))))
      ;; $j: byte offset of channel j in the float64 coefficient arrays
      (local.set $j (i32.const 0))
      (if (i32.eqz (local.get $b))
        (then (block $c_done (loop $channels
          (br_if $c_done (i32.ge_u (local.get $a) (local.get $end)))
          (local.set $va (v128.load (local.get $a)))
          (local.set $rlo (f64x2.add
            (f64x2.mul (f64x2.promote_low_f32x4 (local.get $va)) (v128.load (i32.add (local.get $k1) (local.get $j))))
            (v128.load (i32.add (local.get $k0) (local.get $j)))))
          (local.set $rhi (f64x2.add
            (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $va) (local.get $va)))
              (v128.load offset=16 (i32.add (local.get $k1) (local.get $j))))
            (v128.load offset=16 (i32.add (local.get $k0) (local.get $j)))))
          (v128.store (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (local.get $rlo)) (f32x4.demote_f64x2_zero (local.get $rhi))))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br $channels))))
        (else (block $c_done (loop $channels
          (br_if $c_done (i32.ge_u (local.get $a) (local.get $end)))
          (local.set $va (v128.load (local.get $a)))
          (local.set $vb (v128.load (local.get $b)))
          (local.set $rlo (f64x2.add
            (f64x2.add
              (f64x2.mul (f64x2.promote_low_f32x4 (local.get $va)) (v128.load (i32.add (local.get $k1) (local.get $j))))
              (f64x2.mul (f64x2.promote_low_f32x4 (local.get $vb)) (v128.load (i32.add (local.get $k2) (local.get $j)))))
            (v128.load (i32.add (local.get $k0) (local.get $j)))))
          (local.set $rhi (f64x2.add
            (f64x2.add
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $va) (local.get $va)))
                (v128.load offset=16 (i32.add (local.get $k1) (local.get $j))))
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vb) (local.get $vb)))
                (v128.load offset=16 (i32.add (local.get $k2) (local.get $j)))))
            (v128.load offset=16 (i32.add (local.get $k0) (local.get $j)))))
          (v128.store (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (local.get $rlo)) (f32x4.demote_f64x2_zero (local.get $rhi))))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $b (i32.add (local.get $b) (i32.const 16)))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br $channels)))))
      (local.set $pix (i32.add (local.get $pix) (i32.const 1)))
      (br $pixels))))
)
