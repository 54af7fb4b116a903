;; The passes of @edm/core's GroupNorm loops (ops/group-norm-math.ts) in WebAssembly SIMD, reading and
;; writing tfjs-backend-wasm's own heap: the module imports the backend's memory, so tensors are addressed by
;; their heap offsets and nothing is copied. The arithmetic is the loops' own, in float64 (f64x2 lanes), in
;; the same order, so results are bit-identical to @edm/core's cpu kernel, except the sigmoid of the GroupNorm +
;; SiLU passes (affineSilu, siluGradSums): a polynomial exp here, Math.exp there, a few ulp apart. Channels go
;; four at a time: callers use these only when C % 4 == 0. Exported: each pass over the images [row0, row1) of N
;; (image i's data at i P C floats, its per-channel sums and coefficients at i C float64s), so a pool splits the
;; images over threads; the per-image functions below do one image each. Compiled by scripts/wat.mjs into group-norm-wasm.ts (do not edit that).
(module
  (import "env" "memory" (memory MEMORY_LIMITS))

  ;; s1[j] = sum_q a[q, j];  s2[j] = sum_q a[q, j] * b[q, j]   (q < p pixels, j < c channels; f64 sums)
  (func $channelSums (param $a i32) (param $b i32) (param $p i32) (param $c i32) (param $s1 i32) (param $s2 i32)
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
  (func $affine (param $out i32) (param $a i32) (param $b i32) (param $p i32) (param $c i32)
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

  ;; GroupNorm then SiLU: out[q, j] = t sigmoid(t), t = f32(a[q, j] * k1[j] + k0[j]) (the affine pass's t; the
  ;; sigmoid below within 2 ulp of a float32-rounded 1 / (1 + exp(-t)), so the cpu kernel's values within a few ulp).
  (func $affineSilu (param $out i32) (param $a i32) (param $p i32) (param $c i32) (param $k1 i32) (param $k0 i32)
    (local $end i32) (local $pix i32) (local $j i32) (local $va v128) (local $t v128) (local $s v128)
    (local $z v128) (local $n v128) (local $r v128) (local $e v128) (local $m v128)
    (local.set $pix (i32.const 0))
    (block $p_done (loop $pixels
      (br_if $p_done (i32.ge_u (local.get $pix) (local.get $p)))
      (local.set $end (i32.add (local.get $a) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $j (i32.const 0))
      (block $c_done (loop $channels
        (br_if $c_done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $va (v128.load (local.get $a)))
        ;; t = f32(x k1 + k0): the affine pass's float64 arithmetic, rounded
        (local.set $t (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add
            (f64x2.mul (f64x2.promote_low_f32x4 (local.get $va)) (v128.load (i32.add (local.get $k1) (local.get $j))))
            (v128.load (i32.add (local.get $k0) (local.get $j)))))
          (f32x4.demote_f64x2_zero (f64x2.add
            (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $va) (local.get $va)))
              (v128.load offset=16 (i32.add (local.get $k1) (local.get $j))))
            (v128.load offset=16 (i32.add (local.get $k0) (local.get $j)))))))
        ;; $s = sigmoid($t) = 1 / (1 + exp(-$t)): exp by Cephes' expf (exp(z) = 2^n exp(r), r = z - n ln 2 in two
        ;; parts, a degree-7 polynomial for exp(r)) with z clamped to [-87, 87] (pmin/pmax: single instructions, NaN
        ;; kept), n = round(z log2 e) by adding 1.5 2^23 (m, whose low bits are then n) and 2^n's bits as
        ;; (bits(m) - bits(1.5 2^23) + 127) << 23 (-1262485377 = 127 - 0x4B400000): cheaper than nearest and a
        ;; saturating conversion, which V8 expands into several instructions each (measured 3.3 -> 2.4 ns/element)
        (local.set $z (f32x4.pmin (f32x4.pmax (f32x4.neg (local.get $t)) (v128.const f32x4 -87.0 -87.0 -87.0 -87.0)) (v128.const f32x4 87.0 87.0 87.0 87.0)))
        (local.set $m (f32x4.add (f32x4.mul (local.get $z) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 12582912.0 12582912.0 12582912.0 12582912.0)))
        (local.set $n (f32x4.sub (local.get $m) (v128.const f32x4 12582912.0 12582912.0 12582912.0 12582912.0)))
        (local.set $r (f32x4.sub (f32x4.sub (local.get $z) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
          (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
        (local.set $e (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
        (local.set $e (f32x4.add (f32x4.add (f32x4.mul (local.get $e) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
          (v128.const f32x4 1.0 1.0 1.0 1.0)))
        (local.set $e (f32x4.mul (local.get $e)
          (i32x4.shl (i32x4.add (local.get $m) (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377)) (i32.const 23))))
        (local.set $s (f32x4.div (v128.const f32x4 1.0 1.0 1.0 1.0) (f32x4.add (v128.const f32x4 1.0 1.0 1.0 1.0) (local.get $e))))
        (v128.store (local.get $out) (f32x4.mul (local.get $t) (local.get $s)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 32)))
        (br $channels)))
      (local.set $pix (i32.add (local.get $pix) (i32.const 1)))
      (br $pixels))))

  ;; SiLU's backward inside GroupNorm + SiLU's: with t = f32(x[q, j] k1[j] + k0[j]) and s = sigmoid(t) as above,
  ;;   dt[q, j] = dy (s (1 + t (1 - s)))  (float32, in the two-op path's order),
  ;;   s1[j] = sum_q dt,  s2[j] = sum_q dt x  (float64, as channelSums sums them)
  ;; dt, dy and x are the image's.
  (func $siluGradSums (param $dt i32) (param $dy i32) (param $x i32) (param $p i32) (param $c i32)
    (param $k1 i32) (param $k0 i32) (param $s1 i32) (param $s2 i32)
    (local $end i32) (local $pix i32) (local $j i32) (local $va v128) (local $t v128) (local $s v128) (local $g v128)
    (local $z v128) (local $n v128) (local $r v128) (local $e v128) (local $m v128) (local $s1j i32) (local $s2j i32)
    (memory.fill (local.get $s1) (i32.const 0) (i32.shl (local.get $c) (i32.const 3)))
    (memory.fill (local.get $s2) (i32.const 0) (i32.shl (local.get $c) (i32.const 3)))
    (local.set $pix (i32.const 0))
    (block $p_done (loop $pixels
      (br_if $p_done (i32.ge_u (local.get $pix) (local.get $p)))
      (local.set $end (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $j (i32.const 0))
      (local.set $s1j (local.get $s1))
      (local.set $s2j (local.get $s2))
      (block $c_done (loop $channels
        (br_if $c_done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $va (v128.load (local.get $x)))
        ;; t = f32(x k1 + k0): the affine pass's float64 arithmetic, rounded
        (local.set $t (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.add
            (f64x2.mul (f64x2.promote_low_f32x4 (local.get $va)) (v128.load (i32.add (local.get $k1) (local.get $j))))
            (v128.load (i32.add (local.get $k0) (local.get $j)))))
          (f32x4.demote_f64x2_zero (f64x2.add
            (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $va) (local.get $va)))
              (v128.load offset=16 (i32.add (local.get $k1) (local.get $j))))
            (v128.load offset=16 (i32.add (local.get $k0) (local.get $j)))))))
        ;; $s = sigmoid($t) = 1 / (1 + exp(-$t)): exp by Cephes' expf (exp(z) = 2^n exp(r), r = z - n ln 2 in two
        ;; parts, a degree-7 polynomial for exp(r)) with z clamped to [-87, 87] (pmin/pmax: single instructions, NaN
        ;; kept), n = round(z log2 e) by adding 1.5 2^23 (m, whose low bits are then n) and 2^n's bits as
        ;; (bits(m) - bits(1.5 2^23) + 127) << 23 (-1262485377 = 127 - 0x4B400000): cheaper than nearest and a
        ;; saturating conversion, which V8 expands into several instructions each (measured 3.3 -> 2.4 ns/element)
        (local.set $z (f32x4.pmin (f32x4.pmax (f32x4.neg (local.get $t)) (v128.const f32x4 -87.0 -87.0 -87.0 -87.0)) (v128.const f32x4 87.0 87.0 87.0 87.0)))
        (local.set $m (f32x4.add (f32x4.mul (local.get $z) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 12582912.0 12582912.0 12582912.0 12582912.0)))
        (local.set $n (f32x4.sub (local.get $m) (v128.const f32x4 12582912.0 12582912.0 12582912.0 12582912.0)))
        (local.set $r (f32x4.sub (f32x4.sub (local.get $z) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
          (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
        (local.set $e (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
        (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
        (local.set $e (f32x4.add (f32x4.add (f32x4.mul (local.get $e) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
          (v128.const f32x4 1.0 1.0 1.0 1.0)))
        (local.set $e (f32x4.mul (local.get $e)
          (i32x4.shl (i32x4.add (local.get $m) (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377)) (i32.const 23))))
        (local.set $s (f32x4.div (v128.const f32x4 1.0 1.0 1.0 1.0) (f32x4.add (v128.const f32x4 1.0 1.0 1.0 1.0) (local.get $e))))
        (local.set $g (f32x4.mul (v128.load (local.get $dy)) (f32x4.mul (local.get $s)
          (f32x4.add (v128.const f32x4 1.0 1.0 1.0 1.0) (f32x4.mul (local.get $t)
            (f32x4.sub (v128.const f32x4 1.0 1.0 1.0 1.0) (local.get $s)))))))
        (v128.store (local.get $dt) (local.get $g))
        ;; the sums of channels j, j+1, then j+2, j+3
        (v128.store (local.get $s1j) (f64x2.add (v128.load (local.get $s1j)) (f64x2.promote_low_f32x4 (local.get $g))))
        (v128.store (local.get $s2j) (f64x2.add (v128.load (local.get $s2j))
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $va)))))
        (local.set $g (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $g) (local.get $g)))
        (local.set $va (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $va) (local.get $va)))
        (v128.store offset=16 (local.get $s1j) (f64x2.add (v128.load offset=16 (local.get $s1j)) (f64x2.promote_low_f32x4 (local.get $g))))
        (v128.store offset=16 (local.get $s2j) (f64x2.add (v128.load offset=16 (local.get $s2j))
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $va)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $dt (i32.add (local.get $dt) (i32.const 16)))
        (local.set $s1j (i32.add (local.get $s1j) (i32.const 32)))
        (local.set $s2j (i32.add (local.get $s2j) (i32.const 32)))
        (local.set $j (i32.add (local.get $j) (i32.const 32)))
        (br $channels)))
      (local.set $pix (i32.add (local.get $pix) (i32.const 1)))
      (br $pixels))))

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
