;; The passes of @edm/core's GroupNorm loops (ops/group-norm-math.ts) in WebAssembly SIMD, reading and
;; writing tfjs-backend-wasm's own heap: the module imports the backend's memory, so tensors are addressed by
;; their heap offsets and nothing is copied. The arithmetic is the loops' own, in float64 (f64x2 lanes), in
;; the same order, so results are bit-identical to @edm/core's cpu kernel, except the GroupNorm + SiLU passes
;; (affineSilu, siluGradSums): t in float32 and a polynomial sigmoid here, float64 and Math.exp there, a few ulp
;; apart, and 1.4-1.5x faster than their float64 form, in which they took 15% of an mnist training step. Channels go
;; four at a time: callers use these only when C % 4 == 0. Exported: each pass over the images [row0, row1) of N
;; (image i's data at i P C floats, its per-channel sums and coefficients at i C float64s), so a pool splits the
;; images over threads; the per-image functions below do one image each. Compiled by scripts/wat.mjs into group-norm-wasm.ts (do not edit that).
(module
  (import "env" "memory" (memory MEMORY_LIMITS))

  ;; s1[j] = sum_q a[q, j];  s2[j] = sum_q a[q, j] * b[q, j]   (q < p pixels, j < c channels; f64 sums)
  ;; Four channels at a time over all pixels (stride 4c bytes), their sums in registers: each channel's sums in
  ;; pixel order, as the loops add them (an image of 28x28x12 is 37 KiB: the passes over its quads stay in L1). Summing
  ;; pixel by pixel into memory instead chained every add through a store and a load (1.1x slower).
  (func $channelSums (param $a i32) (param $b i32) (param $p i32) (param $c i32) (param $s1 i32) (param $s2 i32)
    (local $j i32) (local $c4 i32) (local $pa i32) (local $pb i32) (local $end i32) (local $va v128) (local $vb v128)
    (local $s1lo v128) (local $s1hi v128) (local $s2lo v128) (local $s2hi v128)
    (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $q_done (loop $quads
      (br_if $q_done (i32.ge_u (local.get $j) (local.get $c4)))
      (local.set $pa (i32.add (local.get $a) (local.get $j)))
      (local.set $pb (i32.add (local.get $b) (local.get $j)))
      (local.set $end (i32.add (local.get $pa) (i32.mul (local.get $p) (local.get $c4))))
      (local.set $s1lo (v128.const i32x4 0 0 0 0)) (local.set $s1hi (v128.const i32x4 0 0 0 0))
      (local.set $s2lo (v128.const i32x4 0 0 0 0)) (local.set $s2hi (v128.const i32x4 0 0 0 0))
      (block $p_done (loop $pixels
        (br_if $p_done (i32.ge_u (local.get $pa) (local.get $end)))
        (local.set $va (v128.load (local.get $pa)))
        (local.set $vb (v128.load (local.get $pb)))
        ;; channels j, j+1, then j+2, j+3
        (local.set $s1lo (f64x2.add (local.get $s1lo) (f64x2.promote_low_f32x4 (local.get $va))))
        (local.set $s2lo (f64x2.add (local.get $s2lo)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $va)) (f64x2.promote_low_f32x4 (local.get $vb)))))
        (local.set $va (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $va) (local.get $va)))
        (local.set $vb (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vb) (local.get $vb)))
        (local.set $s1hi (f64x2.add (local.get $s1hi) (f64x2.promote_low_f32x4 (local.get $va))))
        (local.set $s2hi (f64x2.add (local.get $s2hi)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $va)) (f64x2.promote_low_f32x4 (local.get $vb)))))
        (local.set $pa (i32.add (local.get $pa) (local.get $c4)))
        (local.set $pb (i32.add (local.get $pb) (local.get $c4)))
        (br $pixels)))
      ;; the float64 sums of channels j .. j+3 (byte offset 2 j)
      (v128.store (i32.add (local.get $s1) (i32.shl (local.get $j) (i32.const 1))) (local.get $s1lo))
      (v128.store offset=16 (i32.add (local.get $s1) (i32.shl (local.get $j) (i32.const 1))) (local.get $s1hi))
      (v128.store (i32.add (local.get $s2) (i32.shl (local.get $j) (i32.const 1))) (local.get $s2lo))
      (v128.store offset=16 (i32.add (local.get $s2) (i32.shl (local.get $j) (i32.const 1))) (local.get $s2hi))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $quads))))

  ;; out[q, j] = f32((a[q, j] * k1[j] + b[q, j] * k2[j]) + k0[j]), or f32(a[q, j] * k1[j] + k0[j]) when b == 0
  ;; (the JavaScript loop's expression and order; k1, k2, k0 are float64 arrays of c). Four channels at a time over
  ;; all pixels, their coefficients in registers: pixel by pixel, loading them for each quad, ran 1.7x slower on 12
  ;; channels (the same from 24 on).
  (func $affine (param $out i32) (param $a i32) (param $b i32) (param $p i32) (param $c i32)
    (param $k1 i32) (param $k2 i32) (param $k0 i32)
    (local $j i32) (local $c4 i32) (local $pa i32) (local $pb i32) (local $po i32) (local $end i32) (local $va v128) (local $vb v128)
    (local $k1lo v128) (local $k1hi v128) (local $k2lo v128) (local $k2hi v128) (local $k0lo v128) (local $k0hi v128)
    (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $q_done (loop $quads
      (br_if $q_done (i32.ge_u (local.get $j) (local.get $c4)))
      (local.set $k1lo (v128.load (i32.add (local.get $k1) (i32.shl (local.get $j) (i32.const 1)))))
      (local.set $k1hi (v128.load offset=16 (i32.add (local.get $k1) (i32.shl (local.get $j) (i32.const 1)))))
      (local.set $k2lo (v128.load (i32.add (local.get $k2) (i32.shl (local.get $j) (i32.const 1)))))
      (local.set $k2hi (v128.load offset=16 (i32.add (local.get $k2) (i32.shl (local.get $j) (i32.const 1)))))
      (local.set $k0lo (v128.load (i32.add (local.get $k0) (i32.shl (local.get $j) (i32.const 1)))))
      (local.set $k0hi (v128.load offset=16 (i32.add (local.get $k0) (i32.shl (local.get $j) (i32.const 1)))))
      (local.set $pa (i32.add (local.get $a) (local.get $j)))
      (local.set $pb (i32.add (local.get $b) (local.get $j)))
      (local.set $po (i32.add (local.get $out) (local.get $j)))
      (local.set $end (i32.add (local.get $pa) (i32.mul (local.get $p) (local.get $c4))))
      (if (i32.eqz (local.get $b))
        (then (block $p_done (loop $pixels
          (br_if $p_done (i32.ge_u (local.get $pa) (local.get $end)))
          (local.set $va (v128.load (local.get $pa)))
          (v128.store (local.get $po) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.promote_low_f32x4 (local.get $va)) (local.get $k1lo)) (local.get $k0lo)))
            (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $va) (local.get $va))) (local.get $k1hi)) (local.get $k0hi)))))
          (local.set $pa (i32.add (local.get $pa) (local.get $c4)))
          (local.set $po (i32.add (local.get $po) (local.get $c4)))
          (br $pixels))))
        (else (block $p_done (loop $pixels
          (br_if $p_done (i32.ge_u (local.get $pa) (local.get $end)))
          (local.set $va (v128.load (local.get $pa)))
          (local.set $vb (v128.load (local.get $pb)))
          (v128.store (local.get $po) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.add (f64x2.add
              (f64x2.mul (f64x2.promote_low_f32x4 (local.get $va)) (local.get $k1lo))
              (f64x2.mul (f64x2.promote_low_f32x4 (local.get $vb)) (local.get $k2lo))) (local.get $k0lo)))
            (f32x4.demote_f64x2_zero (f64x2.add (f64x2.add
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $va) (local.get $va))) (local.get $k1hi))
              (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vb) (local.get $vb))) (local.get $k2hi))) (local.get $k0hi)))))
          (local.set $pa (i32.add (local.get $pa) (local.get $c4)))
          (local.set $pb (i32.add (local.get $pb) (local.get $c4)))
          (local.set $po (i32.add (local.get $po) (local.get $c4)))
          (br $pixels)))))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $quads))))

  ;; The coefficients k1[j], k0[j] (float64) of one image rounded to float32 in place, into the first 4c bytes of
  ;; their arrays, which the sigmoid passes read four at a time: ascending j, the 16 bytes written for j..j+3 hold
  ;; float64s j/2..j/2+1, already read. The arrays are spent after the pass (GroupNormPasses: affineSilu and
  ;; siluGradSums may overwrite k1 and k0).
  (func $coefficientsToF32 (param $k1 i32) (param $k0 i32) (param $c i32)
    (local $j i32)
    (local.set $j (i32.const 0))
    (block $done (loop $channels
      (br_if $done (i32.ge_u (local.get $j) (local.get $c)))
      (v128.store (i32.add (local.get $k1) (i32.shl (local.get $j) (i32.const 2))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $k1) (i32.shl (local.get $j) (i32.const 3)))))
        (f32x4.demote_f64x2_zero (v128.load offset=16 (i32.add (local.get $k1) (i32.shl (local.get $j) (i32.const 3)))))))
      (v128.store (i32.add (local.get $k0) (i32.shl (local.get $j) (i32.const 2))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $k0) (i32.shl (local.get $j) (i32.const 3)))))
        (f32x4.demote_f64x2_zero (v128.load offset=16 (i32.add (local.get $k0) (i32.shl (local.get $j) (i32.const 3)))))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $channels))))

  ;; GroupNorm then SiLU: out[q, j] = t sigmoid(t), t = a[q, j] k1[j] + k0[j] in float32 (the cpu kernel rounds the
  ;; float64 expression once: an ulp or two apart; the sigmoid below within a few ulp of a float32-rounded
  ;; 1 / (1 + exp(-t))). Four channels at a time over all pixels, their coefficients in registers (as
  ;; siluGradSums): one loop over the image's P C floats, the coefficients loaded per element with their offset
  ;; wrapping at C, ran 1.4-1.5x slower (28x28 images of 12 and 24 channels).
  (func $affineSilu (param $out i32) (param $a i32) (param $p i32) (param $c i32) (param $k1 i32) (param $k0 i32)
    (local $j i32) (local $c4 i32) (local $pa i32) (local $po i32) (local $end i32) (local $k1j v128) (local $k0j v128)
    (local $t v128) (local $s v128) (local $u v128) (local $m v128) (local $f v128) (local $e v128)
    (call $coefficientsToF32 (local.get $k1) (local.get $k0) (local.get $c))
    (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $q_done (loop $quads
      (br_if $q_done (i32.ge_u (local.get $j) (local.get $c4)))
      (local.set $k1j (v128.load (i32.add (local.get $k1) (local.get $j))))
      (local.set $k0j (v128.load (i32.add (local.get $k0) (local.get $j))))
      (local.set $pa (i32.add (local.get $a) (local.get $j)))
      (local.set $po (i32.add (local.get $out) (local.get $j)))
      (local.set $end (i32.add (local.get $pa) (i32.mul (local.get $p) (local.get $c4))))
      (block $p_done (loop $pixels
        (br_if $p_done (i32.ge_u (local.get $pa) (local.get $end)))
        (local.set $t (f32x4.add (f32x4.mul (v128.load (local.get $pa)) (local.get $k1j)) (local.get $k0j)))
          ;; $s = sigmoid($t) = 1 / (1 + 2^u), u = -t log2(e): u clamped to [-126, 126] (pmin/pmax: single
          ;; instructions, NaN kept), n = round(u) by adding 1.5 2^23 (m, whose low bits are then n), 2^n's bits as
          ;; (bits(m) - bits(1.5 2^23) + 127) << 23 (-1262485377 = 127 - 0x4B400000), and 2^f for f = u - n in
          ;; [-1/2, 1/2] by a degree-5 polynomial (relative error 2.3e-7 evaluated in float32; fitted to 2^f's relative
          ;; error by reweighted least squares). The rounding of u costs 2^u a relative 6e-8 |u| (5e-6 at the clamp),
          ;; where the sigmoid is within 2^-100 of 0 or 1.
          (local.set $u (f32x4.pmin (f32x4.pmax (f32x4.mul (local.get $t) (v128.const f32x4 -1.44269504088896341 -1.44269504088896341 -1.44269504088896341 -1.44269504088896341))
            (v128.const f32x4 -126.0 -126.0 -126.0 -126.0)) (v128.const f32x4 126.0 126.0 126.0 126.0)))
          (local.set $m (f32x4.add (local.get $u) (v128.const f32x4 12582912.0 12582912.0 12582912.0 12582912.0)))
          (local.set $f (f32x4.sub (local.get $u) (f32x4.sub (local.get $m) (v128.const f32x4 12582912.0 12582912.0 12582912.0 12582912.0))))
          (local.set $e (f32x4.add (f32x4.mul (v128.const f32x4 0.0013276415411382914 0.0013276415411382914 0.0013276415411382914 0.0013276415411382914) (local.get $f)) (v128.const f32x4 0.009675528854131699 0.009675528854131699 0.009675528854131699 0.009675528854131699)))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (v128.const f32x4 0.05550713464617729 0.05550713464617729 0.05550713464617729 0.05550713464617729)))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (v128.const f32x4 0.24022120237350464 0.24022120237350464 0.24022120237350464 0.24022120237350464)))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (v128.const f32x4 0.6931469440460205 0.6931469440460205 0.6931469440460205 0.6931469440460205)))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (v128.const f32x4 1.0000001192092896 1.0000001192092896 1.0000001192092896 1.0000001192092896)))
          (local.set $e (f32x4.mul (local.get $e)
            (i32x4.shl (i32x4.add (local.get $m) (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377)) (i32.const 23))))
          (local.set $s (f32x4.div (v128.const f32x4 1.0 1.0 1.0 1.0) (f32x4.add (v128.const f32x4 1.0 1.0 1.0 1.0) (local.get $e))))
        (v128.store (local.get $po) (f32x4.mul (local.get $t) (local.get $s)))
        (local.set $pa (i32.add (local.get $pa) (local.get $c4)))
        (local.set $po (i32.add (local.get $po) (local.get $c4)))
        (br $pixels)))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $quads))))

  ;; SiLU's backward inside GroupNorm + SiLU's: with t = x[q, j] k1[j] + k0[j] and s = sigmoid(t) as above,
  ;;   dt[q, j] = dy (s (1 + t (1 - s)))  (float32, in the two-op path's order),
  ;;   s1[j] = sum_q dt,  s2[j] = sum_q dt x  (float64, as channelSums sums them)
  ;; dt, dy and x are the image's.
  (func $siluGradSums (param $dt i32) (param $dy i32) (param $x i32) (param $p i32) (param $c i32)
    (param $k1 i32) (param $k0 i32) (param $s1 i32) (param $s2 i32)
    (local $j i32) (local $c4 i32) (local $px i32) (local $pdy i32) (local $pdt i32) (local $end i32)
    (local $va v128) (local $t v128) (local $s v128) (local $g v128) (local $u v128) (local $m v128) (local $f v128)
    (local $e v128) (local $k1j v128) (local $k0j v128)
    (local $s1lo v128) (local $s1hi v128) (local $s2lo v128) (local $s2hi v128)
    (call $coefficientsToF32 (local.get $k1) (local.get $k0) (local.get $c))
    (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
    ;; four channels at a time over all pixels, their coefficients and sums in registers (as channelSums)
    (local.set $j (i32.const 0))
    (block $q_done (loop $quads
      (br_if $q_done (i32.ge_u (local.get $j) (local.get $c4)))
      (local.set $k1j (v128.load (i32.add (local.get $k1) (local.get $j))))
      (local.set $k0j (v128.load (i32.add (local.get $k0) (local.get $j))))
      (local.set $px (i32.add (local.get $x) (local.get $j)))
      (local.set $pdy (i32.add (local.get $dy) (local.get $j)))
      (local.set $pdt (i32.add (local.get $dt) (local.get $j)))
      (local.set $end (i32.add (local.get $px) (i32.mul (local.get $p) (local.get $c4))))
      (local.set $s1lo (v128.const i32x4 0 0 0 0)) (local.set $s1hi (v128.const i32x4 0 0 0 0))
      (local.set $s2lo (v128.const i32x4 0 0 0 0)) (local.set $s2hi (v128.const i32x4 0 0 0 0))
      (block $p_done (loop $pixels
        (br_if $p_done (i32.ge_u (local.get $px) (local.get $end)))
        (local.set $va (v128.load (local.get $px)))
        (local.set $t (f32x4.add (f32x4.mul (local.get $va) (local.get $k1j)) (local.get $k0j)))
          ;; $s = sigmoid($t) = 1 / (1 + 2^u), u = -t log2(e): u clamped to [-126, 126] (pmin/pmax: single
          ;; instructions, NaN kept), n = round(u) by adding 1.5 2^23 (m, whose low bits are then n), 2^n's bits as
          ;; (bits(m) - bits(1.5 2^23) + 127) << 23 (-1262485377 = 127 - 0x4B400000), and 2^f for f = u - n in
          ;; [-1/2, 1/2] by a degree-5 polynomial (relative error 2.3e-7 evaluated in float32; fitted to 2^f's relative
          ;; error by reweighted least squares). The rounding of u costs 2^u a relative 6e-8 |u| (5e-6 at the clamp),
          ;; where the sigmoid is within 2^-100 of 0 or 1.
          (local.set $u (f32x4.pmin (f32x4.pmax (f32x4.mul (local.get $t) (v128.const f32x4 -1.44269504088896341 -1.44269504088896341 -1.44269504088896341 -1.44269504088896341))
            (v128.const f32x4 -126.0 -126.0 -126.0 -126.0)) (v128.const f32x4 126.0 126.0 126.0 126.0)))
          (local.set $m (f32x4.add (local.get $u) (v128.const f32x4 12582912.0 12582912.0 12582912.0 12582912.0)))
          (local.set $f (f32x4.sub (local.get $u) (f32x4.sub (local.get $m) (v128.const f32x4 12582912.0 12582912.0 12582912.0 12582912.0))))
          (local.set $e (f32x4.add (f32x4.mul (v128.const f32x4 0.0013276415411382914 0.0013276415411382914 0.0013276415411382914 0.0013276415411382914) (local.get $f)) (v128.const f32x4 0.009675528854131699 0.009675528854131699 0.009675528854131699 0.009675528854131699)))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (v128.const f32x4 0.05550713464617729 0.05550713464617729 0.05550713464617729 0.05550713464617729)))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (v128.const f32x4 0.24022120237350464 0.24022120237350464 0.24022120237350464 0.24022120237350464)))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (v128.const f32x4 0.6931469440460205 0.6931469440460205 0.6931469440460205 0.6931469440460205)))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $f)) (v128.const f32x4 1.0000001192092896 1.0000001192092896 1.0000001192092896 1.0000001192092896)))
          (local.set $e (f32x4.mul (local.get $e)
            (i32x4.shl (i32x4.add (local.get $m) (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377)) (i32.const 23))))
          (local.set $s (f32x4.div (v128.const f32x4 1.0 1.0 1.0 1.0) (f32x4.add (v128.const f32x4 1.0 1.0 1.0 1.0) (local.get $e))))
        (local.set $g (f32x4.mul (v128.load (local.get $pdy)) (f32x4.mul (local.get $s)
          (f32x4.add (v128.const f32x4 1.0 1.0 1.0 1.0) (f32x4.mul (local.get $t)
            (f32x4.sub (v128.const f32x4 1.0 1.0 1.0 1.0) (local.get $s)))))))
        (v128.store (local.get $pdt) (local.get $g))
        ;; the sums of channels j, j+1, then j+2, j+3
        (local.set $s1lo (f64x2.add (local.get $s1lo) (f64x2.promote_low_f32x4 (local.get $g))))
        (local.set $s2lo (f64x2.add (local.get $s2lo)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $va)))))
        (local.set $g (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $g) (local.get $g)))
        (local.set $va (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $va) (local.get $va)))
        (local.set $s1hi (f64x2.add (local.get $s1hi) (f64x2.promote_low_f32x4 (local.get $g))))
        (local.set $s2hi (f64x2.add (local.get $s2hi)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $va)))))
        (local.set $px (i32.add (local.get $px) (local.get $c4)))
        (local.set $pdy (i32.add (local.get $pdy) (local.get $c4)))
        (local.set $pdt (i32.add (local.get $pdt) (local.get $c4)))
        (br $pixels)))
      (v128.store (i32.add (local.get $s1) (i32.shl (local.get $j) (i32.const 1))) (local.get $s1lo))
      (v128.store offset=16 (i32.add (local.get $s1) (i32.shl (local.get $j) (i32.const 1))) (local.get $s1hi))
      (v128.store (i32.add (local.get $s2) (i32.shl (local.get $j) (i32.const 1))) (local.get $s2lo))
      (v128.store offset=16 (i32.add (local.get $s2) (i32.shl (local.get $j) (i32.const 1))) (local.get $s2hi))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $quads))))

  ;; The exported passes: images [row0, row1), image i at i P C floats of the tensors and i C float64s of the
  ;; per-channel arrays.
  (func (export "channelSums") (param $a i32) (param $b i32) (param $p i32) (param $c i32) (param $s1 i32) (param $s2 i32)
    (param $row0 i32) (param $row1 i32)
    (local $i i32) (local $img i32) (local $ch i32)
    (local.set $img (i32.shl (i32.mul (local.get $p) (local.get $c)) (i32.const 2)))
    (local.set $ch (i32.shl (local.get $c) (i32.const 3)))
    (local.set $i (local.get $row0))
    (block $done (loop $images
      (br_if $done (i32.ge_u (local.get $i) (local.get $row1)))
      (call $channelSums (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $img)))
        (i32.add (local.get $b) (i32.mul (local.get $i) (local.get $img))) (local.get $p) (local.get $c)
        (i32.add (local.get $s1) (i32.mul (local.get $i) (local.get $ch))) (i32.add (local.get $s2) (i32.mul (local.get $i) (local.get $ch))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $images))))

  (func (export "affine") (param $out i32) (param $a i32) (param $b i32) (param $p i32) (param $c i32)
    (param $k1 i32) (param $k2 i32) (param $k0 i32) (param $row0 i32) (param $row1 i32)
    (local $i i32) (local $img i32) (local $ch i32)
    (local.set $img (i32.shl (i32.mul (local.get $p) (local.get $c)) (i32.const 2)))
    (local.set $ch (i32.shl (local.get $c) (i32.const 3)))
    (local.set $i (local.get $row0))
    (block $done (loop $images
      (br_if $done (i32.ge_u (local.get $i) (local.get $row1)))
      (call $affine (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $img)))
        (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $img)))
        (select (i32.add (local.get $b) (i32.mul (local.get $i) (local.get $img))) (i32.const 0) (local.get $b))
        (local.get $p) (local.get $c)
        (i32.add (local.get $k1) (i32.mul (local.get $i) (local.get $ch))) (i32.add (local.get $k2) (i32.mul (local.get $i) (local.get $ch)))
        (i32.add (local.get $k0) (i32.mul (local.get $i) (local.get $ch))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $images))))

  (func (export "affineSilu") (param $out i32) (param $a i32) (param $p i32) (param $c i32) (param $k1 i32) (param $k0 i32)
    (param $row0 i32) (param $row1 i32)
    (local $i i32) (local $img i32) (local $ch i32)
    (local.set $img (i32.shl (i32.mul (local.get $p) (local.get $c)) (i32.const 2)))
    (local.set $ch (i32.shl (local.get $c) (i32.const 3)))
    (local.set $i (local.get $row0))
    (block $done (loop $images
      (br_if $done (i32.ge_u (local.get $i) (local.get $row1)))
      (call $affineSilu (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $img)))
        (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $img))) (local.get $p) (local.get $c)
        (i32.add (local.get $k1) (i32.mul (local.get $i) (local.get $ch))) (i32.add (local.get $k0) (i32.mul (local.get $i) (local.get $ch))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $images))))

  (func (export "siluGradSums") (param $dt i32) (param $dy i32) (param $x i32) (param $p i32) (param $c i32)
    (param $k1 i32) (param $k0 i32) (param $s1 i32) (param $s2 i32) (param $row0 i32) (param $row1 i32)
    (local $i i32) (local $img i32) (local $ch i32)
    (local.set $img (i32.shl (i32.mul (local.get $p) (local.get $c)) (i32.const 2)))
    (local.set $ch (i32.shl (local.get $c) (i32.const 3)))
    (local.set $i (local.get $row0))
    (block $done (loop $images
      (br_if $done (i32.ge_u (local.get $i) (local.get $row1)))
      (call $siluGradSums (i32.add (local.get $dt) (i32.mul (local.get $i) (local.get $img)))
        (i32.add (local.get $dy) (i32.mul (local.get $i) (local.get $img))) (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $img)))
        (local.get $p) (local.get $c)
        (i32.add (local.get $k1) (i32.mul (local.get $i) (local.get $ch))) (i32.add (local.get $k0) (i32.mul (local.get $i) (local.get $ch)))
        (i32.add (local.get $s1) (i32.mul (local.get $i) (local.get $ch))) (i32.add (local.get $s2) (i32.mul (local.get $i) (local.get $ch))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $images))))
)
