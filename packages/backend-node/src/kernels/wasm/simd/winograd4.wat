;; Winograd minimal filtering F(4x4, 3x3) (Lavin & Gray, 2016; interpolation points 0, +-1, +-2 and infinity) for
;; stride-1 3x3 convolutions, NHWC, on tfjs-backend-wasm's heap (issue 8): each 4x4 block of outputs is
;;   Y = A^T [ (G g G^T) . (B^T d B) ] A
;; with d the block's 6x6 input tile: 36 products per 16 outputs instead of 144, so the channel sums (36 matrix
;; products [tiles, Ci] x [Ci, Co], conv.wat as batched 1x1 convolutions) take 4x fewer operations than the direct
;; convolution (F(2x2, 3x3), winograd.wat: 2.25x). Its larger coefficients cost float32 accuracy: on a 256 -> 256
;; layer 1.2e-5 of the largest output against 1.7e-6 (conv2d-winograd.ts uses it on enough pixels). The same
;; layout and conventions as winograd.wat with 4x4 output blocks: tile row r of the flattened [N * th] axis
;; (th = ceil(Ho / 4), tw = ceil(Wo / 4)) holds image r / th, output rows 4ty .. 4ty + 3; its tile tx reads input
;; rows 4ty - top + 0..5 and columns 4tx - left + 0..5 (outside x: `zeros`, at
;; least Ci zero floats). Planes k = 6i + j over the 6x6 tile.
;;   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
;;   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
;;   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
(module
  (import "env" "memory" (memory MEMORY_LIMITS))
  ;; U [36, Ci, Co] from w [3, 3, Ci, Co], input channels [row0, row1)
  (func (export "filterTiles")
    (param $w i32) (param $u i32) (param $ci i32) (param $co i32) (param $row0 i32) (param $row1 i32)
    (local $c i32) (local $j i32) (local $tap i32) (local $plane i32) (local $pw i32) (local $pu i32)
    (local $k1_24 v128) (local $k1_12 v128) (local $k1_6 v128) (local $k1_4 v128)
    (local $g00 v128) (local $g01 v128) (local $g02 v128)
    (local $g10 v128) (local $g11 v128) (local $g12 v128)
    (local $g20 v128) (local $g21 v128) (local $g22 v128)
    (local $a00 v128) (local $a01 v128) (local $a02 v128)
    (local $a10 v128) (local $a11 v128) (local $a12 v128)
    (local $a20 v128) (local $a21 v128) (local $a22 v128)
    (local $a30 v128) (local $a31 v128) (local $a32 v128)
    (local $a40 v128) (local $a41 v128) (local $a42 v128)
    (local $a50 v128) (local $a51 v128) (local $a52 v128)
    (local.set $tap (i32.shl (i32.mul (local.get $ci) (local.get $co)) (i32.const 2)))
    (local.set $plane (local.get $tap))
    (local.set $k1_24 (f32x4.splat (f32.const 0.041666666666666664)))
    (local.set $k1_12 (f32x4.splat (f32.const 0.08333333333333333)))
    (local.set $k1_6 (f32x4.splat (f32.const 0.16666666666666666)))
    (local.set $k1_4 (f32x4.splat (f32.const 0.25)))
    (local.set $c (local.get $row0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $c) (local.get $row1)))
        (local.set $pw (i32.add (local.get $w) (i32.shl (i32.mul (local.get $c) (local.get $co)) (i32.const 2))))
        (local.set $pu (i32.add (local.get $u) (i32.shl (i32.mul (local.get $c) (local.get $co)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (loop $channels
          (local.set $g00 (v128.load (local.get $pw)))
          (local.set $g01 (v128.load (i32.add (local.get $pw) (i32.mul (local.get $tap) (i32.const 1)))))
          (local.set $g02 (v128.load (i32.add (local.get $pw) (i32.mul (local.get $tap) (i32.const 2)))))
          (local.set $g10 (v128.load (i32.add (local.get $pw) (i32.mul (local.get $tap) (i32.const 3)))))
          (local.set $g11 (v128.load (i32.add (local.get $pw) (i32.mul (local.get $tap) (i32.const 4)))))
          (local.set $g12 (v128.load (i32.add (local.get $pw) (i32.mul (local.get $tap) (i32.const 5)))))
          (local.set $g20 (v128.load (i32.add (local.get $pw) (i32.mul (local.get $tap) (i32.const 6)))))
          (local.set $g21 (v128.load (i32.add (local.get $pw) (i32.mul (local.get $tap) (i32.const 7)))))
          (local.set $g22 (v128.load (i32.add (local.get $pw) (i32.mul (local.get $tap) (i32.const 8)))))
          ;; a = G g (over ky, for each kx)
          (local.set $a00 (f32x4.mul (local.get $g00) (local.get $k1_4)))
          (local.set $a10
            (f32x4.sub
              (f32x4.sub (f32x4.neg (f32x4.mul (local.get $g00) (local.get $k1_6)))
                (f32x4.mul (local.get $g10) (local.get $k1_6))) (f32x4.mul (local.get $g20) (local.get $k1_6))))
          (local.set $a20
            (f32x4.sub
              (f32x4.add (f32x4.neg (f32x4.mul (local.get $g00) (local.get $k1_6)))
                (f32x4.mul (local.get $g10) (local.get $k1_6))) (f32x4.mul (local.get $g20) (local.get $k1_6))))
          (local.set $a30
            (f32x4.add
              (f32x4.add (f32x4.mul (local.get $g00) (local.get $k1_24))
                (f32x4.mul (local.get $g10) (local.get $k1_12))) (f32x4.mul (local.get $g20) (local.get $k1_6))))
          (local.set $a40
            (f32x4.add
              (f32x4.sub (f32x4.mul (local.get $g00) (local.get $k1_24))
                (f32x4.mul (local.get $g10) (local.get $k1_12))) (f32x4.mul (local.get $g20) (local.get $k1_6))))
          (local.set $a50 (local.get $g20))
          (local.set $a01 (f32x4.mul (local.get $g01) (local.get $k1_4)))
          (local.set $a11
            (f32x4.sub
              (f32x4.sub (f32x4.neg (f32x4.mul (local.get $g01) (local.get $k1_6)))
                (f32x4.mul (local.get $g11) (local.get $k1_6))) (f32x4.mul (local.get $g21) (local.get $k1_6))))
          (local.set $a21
            (f32x4.sub
              (f32x4.add (f32x4.neg (f32x4.mul (local.get $g01) (local.get $k1_6)))
                (f32x4.mul (local.get $g11) (local.get $k1_6))) (f32x4.mul (local.get $g21) (local.get $k1_6))))
          (local.set $a31
            (f32x4.add
              (f32x4.add (f32x4.mul (local.get $g01) (local.get $k1_24))
                (f32x4.mul (local.get $g11) (local.get $k1_12))) (f32x4.mul (local.get $g21) (local.get $k1_6))))
          (local.set $a41
            (f32x4.add
              (f32x4.sub (f32x4.mul (local.get $g01) (local.get $k1_24))
                (f32x4.mul (local.get $g11) (local.get $k1_12))) (f32x4.mul (local.get $g21) (local.get $k1_6))))
          (local.set $a51 (local.get $g21))
          (local.set $a02 (f32x4.mul (local.get $g02) (local.get $k1_4)))
          (local.set $a12
            (f32x4.sub
              (f32x4.sub (f32x4.neg (f32x4.mul (local.get $g02) (local.get $k1_6)))
                (f32x4.mul (local.get $g12) (local.get $k1_6))) (f32x4.mul (local.get $g22) (local.get $k1_6))))
          (local.set $a22
            (f32x4.sub
              (f32x4.add (f32x4.neg (f32x4.mul (local.get $g02) (local.get $k1_6)))
                (f32x4.mul (local.get $g12) (local.get $k1_6))) (f32x4.mul (local.get $g22) (local.get $k1_6))))
          (local.set $a32
            (f32x4.add
              (f32x4.add (f32x4.mul (local.get $g02) (local.get $k1_24))
                (f32x4.mul (local.get $g12) (local.get $k1_12))) (f32x4.mul (local.get $g22) (local.get $k1_6))))
          (local.set $a42
            (f32x4.add
              (f32x4.sub (f32x4.mul (local.get $g02) (local.get $k1_24))
                (f32x4.mul (local.get $g12) (local.get $k1_12))) (f32x4.mul (local.get $g22) (local.get $k1_6))))
          (local.set $a52 (local.get $g22))
          ;; U = a G^T (over kx), planes k = 6l + m of ci * co floats
          (v128.store (local.get $pu)
            (f32x4.mul (local.get $a00) (local.get $k1_4)))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 1)))
            (f32x4.sub
              (f32x4.sub (f32x4.neg (f32x4.mul (local.get $a00) (local.get $k1_6)))
                (f32x4.mul (local.get $a01) (local.get $k1_6))) (f32x4.mul (local.get $a02) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 2)))
            (f32x4.sub
              (f32x4.add (f32x4.neg (f32x4.mul (local.get $a00) (local.get $k1_6)))
                (f32x4.mul (local.get $a01) (local.get $k1_6))) (f32x4.mul (local.get $a02) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 3)))
            (f32x4.add
              (f32x4.add (f32x4.mul (local.get $a00) (local.get $k1_24))
                (f32x4.mul (local.get $a01) (local.get $k1_12))) (f32x4.mul (local.get $a02) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 4)))
            (f32x4.add
              (f32x4.sub (f32x4.mul (local.get $a00) (local.get $k1_24))
                (f32x4.mul (local.get $a01) (local.get $k1_12))) (f32x4.mul (local.get $a02) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 5)))
            (local.get $a02))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 6)))
            (f32x4.mul (local.get $a10) (local.get $k1_4)))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 7)))
            (f32x4.sub
              (f32x4.sub (f32x4.neg (f32x4.mul (local.get $a10) (local.get $k1_6)))
                (f32x4.mul (local.get $a11) (local.get $k1_6))) (f32x4.mul (local.get $a12) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 8)))
            (f32x4.sub
              (f32x4.add (f32x4.neg (f32x4.mul (local.get $a10) (local.get $k1_6)))
                (f32x4.mul (local.get $a11) (local.get $k1_6))) (f32x4.mul (local.get $a12) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 9)))
            (f32x4.add
              (f32x4.add (f32x4.mul (local.get $a10) (local.get $k1_24))
                (f32x4.mul (local.get $a11) (local.get $k1_12))) (f32x4.mul (local.get $a12) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 10)))
            (f32x4.add
              (f32x4.sub (f32x4.mul (local.get $a10) (local.get $k1_24))
                (f32x4.mul (local.get $a11) (local.get $k1_12))) (f32x4.mul (local.get $a12) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 11)))
            (local.get $a12))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 12)))
            (f32x4.mul (local.get $a20) (local.get $k1_4)))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 13)))
            (f32x4.sub
              (f32x4.sub (f32x4.neg (f32x4.mul (local.get $a20) (local.get $k1_6)))
                (f32x4.mul (local.get $a21) (local.get $k1_6))) (f32x4.mul (local.get $a22) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 14)))
            (f32x4.sub
              (f32x4.add (f32x4.neg (f32x4.mul (local.get $a20) (local.get $k1_6)))
                (f32x4.mul (local.get $a21) (local.get $k1_6))) (f32x4.mul (local.get $a22) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 15)))
            (f32x4.add
              (f32x4.add (f32x4.mul (local.get $a20) (local.get $k1_24))
                (f32x4.mul (local.get $a21) (local.get $k1_12))) (f32x4.mul (local.get $a22) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 16)))
            (f32x4.add
              (f32x4.sub (f32x4.mul (local.get $a20) (local.get $k1_24))
                (f32x4.mul (local.get $a21) (local.get $k1_12))) (f32x4.mul (local.get $a22) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 17)))
            (local.get $a22))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 18)))
            (f32x4.mul (local.get $a30) (local.get $k1_4)))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 19)))
            (f32x4.sub
              (f32x4.sub (f32x4.neg (f32x4.mul (local.get $a30) (local.get $k1_6)))
                (f32x4.mul (local.get $a31) (local.get $k1_6))) (f32x4.mul (local.get $a32) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 20)))
            (f32x4.sub
              (f32x4.add (f32x4.neg (f32x4.mul (local.get $a30) (local.get $k1_6)))
                (f32x4.mul (local.get $a31) (local.get $k1_6))) (f32x4.mul (local.get $a32) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 21)))
            (f32x4.add
              (f32x4.add (f32x4.mul (local.get $a30) (local.get $k1_24))
                (f32x4.mul (local.get $a31) (local.get $k1_12))) (f32x4.mul (local.get $a32) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 22)))
            (f32x4.add
              (f32x4.sub (f32x4.mul (local.get $a30) (local.get $k1_24))
                (f32x4.mul (local.get $a31) (local.get $k1_12))) (f32x4.mul (local.get $a32) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 23)))
            (local.get $a32))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 24)))
            (f32x4.mul (local.get $a40) (local.get $k1_4)))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 25)))
            (f32x4.sub
              (f32x4.sub (f32x4.neg (f32x4.mul (local.get $a40) (local.get $k1_6)))
                (f32x4.mul (local.get $a41) (local.get $k1_6))) (f32x4.mul (local.get $a42) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 26)))
            (f32x4.sub
              (f32x4.add (f32x4.neg (f32x4.mul (local.get $a40) (local.get $k1_6)))
                (f32x4.mul (local.get $a41) (local.get $k1_6))) (f32x4.mul (local.get $a42) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 27)))
            (f32x4.add
              (f32x4.add (f32x4.mul (local.get $a40) (local.get $k1_24))
                (f32x4.mul (local.get $a41) (local.get $k1_12))) (f32x4.mul (local.get $a42) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 28)))
            (f32x4.add
              (f32x4.sub (f32x4.mul (local.get $a40) (local.get $k1_24))
                (f32x4.mul (local.get $a41) (local.get $k1_12))) (f32x4.mul (local.get $a42) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 29)))
            (local.get $a42))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 30)))
            (f32x4.mul (local.get $a50) (local.get $k1_4)))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 31)))
            (f32x4.sub
              (f32x4.sub (f32x4.neg (f32x4.mul (local.get $a50) (local.get $k1_6)))
                (f32x4.mul (local.get $a51) (local.get $k1_6))) (f32x4.mul (local.get $a52) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 32)))
            (f32x4.sub
              (f32x4.add (f32x4.neg (f32x4.mul (local.get $a50) (local.get $k1_6)))
                (f32x4.mul (local.get $a51) (local.get $k1_6))) (f32x4.mul (local.get $a52) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 33)))
            (f32x4.add
              (f32x4.add (f32x4.mul (local.get $a50) (local.get $k1_24))
                (f32x4.mul (local.get $a51) (local.get $k1_12))) (f32x4.mul (local.get $a52) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 34)))
            (f32x4.add
              (f32x4.sub (f32x4.mul (local.get $a50) (local.get $k1_24))
                (f32x4.mul (local.get $a51) (local.get $k1_12))) (f32x4.mul (local.get $a52) (local.get $k1_6))))
          (v128.store (i32.add (local.get $pu) (i32.mul (local.get $plane) (i32.const 35)))
            (local.get $a52))
          (local.set $pw (i32.add (local.get $pw) (i32.const 16)))
          (local.set $pu (i32.add (local.get $pu) (i32.const 16)))
          (br_if $channels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $co))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $rows))))

  ;; V [36, plane, Ci] from x [N, H, W, Ci], the chunk's tile rows [row0, row1)
  (func (export "inputTiles")
    (param $x i32) (param $v i32) (param $h i32) (param $wi i32) (param $ci i32) (param $top i32) (param $left i32)
    (param $th i32) (param $tw i32) (param $plane i32) (param $rowBase i32) (param $zeros i32)
    (param $row0 i32) (param $row1 i32)
    (local $i i32) (local $r i32) (local $tx i32) (local $c i32) (local $ci4 i32) (local $planeBytes i32)
    (local $pv i32) (local $iy i32) (local $ix i32) (local $xImage i32)
    (local $k2 v128) (local $k4 v128) (local $k5 v128)
    (local $xr0 i32) (local $in0 i32)
    (local $p00 i32) (local $p01 i32) (local $p02 i32) (local $p03 i32) (local $p04 i32) (local $p05 i32)
    (local $xr1 i32) (local $in1 i32)
    (local $p10 i32) (local $p11 i32) (local $p12 i32) (local $p13 i32) (local $p14 i32) (local $p15 i32)
    (local $xr2 i32) (local $in2 i32)
    (local $p20 i32) (local $p21 i32) (local $p22 i32) (local $p23 i32) (local $p24 i32) (local $p25 i32)
    (local $xr3 i32) (local $in3 i32)
    (local $p30 i32) (local $p31 i32) (local $p32 i32) (local $p33 i32) (local $p34 i32) (local $p35 i32)
    (local $xr4 i32) (local $in4 i32)
    (local $p40 i32) (local $p41 i32) (local $p42 i32) (local $p43 i32) (local $p44 i32) (local $p45 i32)
    (local $xr5 i32) (local $in5 i32)
    (local $p50 i32) (local $p51 i32) (local $p52 i32) (local $p53 i32) (local $p54 i32) (local $p55 i32)
    (local $d00 v128) (local $d01 v128) (local $d02 v128) (local $d03 v128) (local $d04 v128) (local $d05 v128)
    (local $d10 v128) (local $d11 v128) (local $d12 v128) (local $d13 v128) (local $d14 v128) (local $d15 v128)
    (local $d20 v128) (local $d21 v128) (local $d22 v128) (local $d23 v128) (local $d24 v128) (local $d25 v128)
    (local $d30 v128) (local $d31 v128) (local $d32 v128) (local $d33 v128) (local $d34 v128) (local $d35 v128)
    (local $d40 v128) (local $d41 v128) (local $d42 v128) (local $d43 v128) (local $d44 v128) (local $d45 v128)
    (local $d50 v128) (local $d51 v128) (local $d52 v128) (local $d53 v128) (local $d54 v128) (local $d55 v128)
    (local $u00 v128) (local $u01 v128) (local $u02 v128) (local $u03 v128) (local $u04 v128) (local $u05 v128)
    (local $u10 v128) (local $u11 v128) (local $u12 v128) (local $u13 v128) (local $u14 v128) (local $u15 v128)
    (local $u20 v128) (local $u21 v128) (local $u22 v128) (local $u23 v128) (local $u24 v128) (local $u25 v128)
    (local $u30 v128) (local $u31 v128) (local $u32 v128) (local $u33 v128) (local $u34 v128) (local $u35 v128)
    (local $u40 v128) (local $u41 v128) (local $u42 v128) (local $u43 v128) (local $u44 v128) (local $u45 v128)
    (local $u50 v128) (local $u51 v128) (local $u52 v128) (local $u53 v128) (local $u54 v128) (local $u55 v128)
    (local.set $ci4 (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $planeBytes (i32.mul (local.get $plane) (local.get $ci4)))
    (local.set $k2 (f32x4.splat (f32.const 2.0)))
    (local.set $k4 (f32x4.splat (f32.const 4.0)))
    (local.set $k5 (f32x4.splat (f32.const 5.0)))
    (local.set $i (local.get $row0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $row1)))
        (local.set $r (i32.add (local.get $rowBase) (local.get $i)))
        ;; image r / th; input rows 4ty - top + i (in0 .. in5: inside the image)
        (local.set $xImage (i32.add (local.get $x)
          (i32.mul (i32.mul (i32.mul (i32.div_u (local.get $r) (local.get $th)) (local.get $h)) (local.get $wi))
            (local.get $ci4))))
        (local.set $iy (i32.sub (i32.shl (i32.rem_u (local.get $r) (local.get $th)) (i32.const 2)) (local.get $top)))
        (local.set $in0 (i32.lt_u (local.get $iy) (local.get $h)))
        (local.set $xr0
          (i32.add (local.get $xImage) (i32.mul (i32.mul (local.get $iy) (local.get $wi)) (local.get $ci4))))
        (local.set $in1 (i32.lt_u (i32.add (local.get $iy) (i32.const 1)) (local.get $h)))
        (local.set $xr1
          (i32.add (local.get $xImage)
            (i32.mul (i32.mul (i32.add (local.get $iy) (i32.const 1)) (local.get $wi)) (local.get $ci4))))
        (local.set $in2 (i32.lt_u (i32.add (local.get $iy) (i32.const 2)) (local.get $h)))
        (local.set $xr2
          (i32.add (local.get $xImage)
            (i32.mul (i32.mul (i32.add (local.get $iy) (i32.const 2)) (local.get $wi)) (local.get $ci4))))
        (local.set $in3 (i32.lt_u (i32.add (local.get $iy) (i32.const 3)) (local.get $h)))
        (local.set $xr3
          (i32.add (local.get $xImage)
            (i32.mul (i32.mul (i32.add (local.get $iy) (i32.const 3)) (local.get $wi)) (local.get $ci4))))
        (local.set $in4 (i32.lt_u (i32.add (local.get $iy) (i32.const 4)) (local.get $h)))
        (local.set $xr4
          (i32.add (local.get $xImage)
            (i32.mul (i32.mul (i32.add (local.get $iy) (i32.const 4)) (local.get $wi)) (local.get $ci4))))
        (local.set $in5 (i32.lt_u (i32.add (local.get $iy) (i32.const 5)) (local.get $h)))
        (local.set $xr5
          (i32.add (local.get $xImage)
            (i32.mul (i32.mul (i32.add (local.get $iy) (i32.const 5)) (local.get $wi)) (local.get $ci4))))
        (local.set $pv (i32.add (local.get $v) (i32.mul (i32.mul (local.get $i) (local.get $tw)) (local.get $ci4))))
        (local.set $tx (i32.const 0))
        (loop $tiles
          ;; the tile's 36 input pixels (columns 4tx - left + j), or the zero block outside x
          (local.set $ix (i32.sub (i32.shl (local.get $tx) (i32.const 2)) (local.get $left)))
          (local.set $p00
            (select (i32.add (local.get $xr0) (i32.mul (local.get $ix) (local.get $ci4))) (local.get $zeros)
            (i32.and (local.get $in0) (i32.lt_u (local.get $ix) (local.get $wi)))))
          (local.set $p01
            (select (i32.add (local.get $xr0) (i32.mul (i32.add (local.get $ix) (i32.const 1)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in0) (i32.lt_u (i32.add (local.get $ix) (i32.const 1)) (local.get $wi)))))
          (local.set $p02
            (select (i32.add (local.get $xr0) (i32.mul (i32.add (local.get $ix) (i32.const 2)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in0) (i32.lt_u (i32.add (local.get $ix) (i32.const 2)) (local.get $wi)))))
          (local.set $p03
            (select (i32.add (local.get $xr0) (i32.mul (i32.add (local.get $ix) (i32.const 3)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in0) (i32.lt_u (i32.add (local.get $ix) (i32.const 3)) (local.get $wi)))))
          (local.set $p04
            (select (i32.add (local.get $xr0) (i32.mul (i32.add (local.get $ix) (i32.const 4)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in0) (i32.lt_u (i32.add (local.get $ix) (i32.const 4)) (local.get $wi)))))
          (local.set $p05
            (select (i32.add (local.get $xr0) (i32.mul (i32.add (local.get $ix) (i32.const 5)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in0) (i32.lt_u (i32.add (local.get $ix) (i32.const 5)) (local.get $wi)))))
          (local.set $p10
            (select (i32.add (local.get $xr1) (i32.mul (local.get $ix) (local.get $ci4))) (local.get $zeros)
            (i32.and (local.get $in1) (i32.lt_u (local.get $ix) (local.get $wi)))))
          (local.set $p11
            (select (i32.add (local.get $xr1) (i32.mul (i32.add (local.get $ix) (i32.const 1)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in1) (i32.lt_u (i32.add (local.get $ix) (i32.const 1)) (local.get $wi)))))
          (local.set $p12
            (select (i32.add (local.get $xr1) (i32.mul (i32.add (local.get $ix) (i32.const 2)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in1) (i32.lt_u (i32.add (local.get $ix) (i32.const 2)) (local.get $wi)))))
          (local.set $p13
            (select (i32.add (local.get $xr1) (i32.mul (i32.add (local.get $ix) (i32.const 3)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in1) (i32.lt_u (i32.add (local.get $ix) (i32.const 3)) (local.get $wi)))))
          (local.set $p14
            (select (i32.add (local.get $xr1) (i32.mul (i32.add (local.get $ix) (i32.const 4)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in1) (i32.lt_u (i32.add (local.get $ix) (i32.const 4)) (local.get $wi)))))
          (local.set $p15
            (select (i32.add (local.get $xr1) (i32.mul (i32.add (local.get $ix) (i32.const 5)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in1) (i32.lt_u (i32.add (local.get $ix) (i32.const 5)) (local.get $wi)))))
          (local.set $p20
            (select (i32.add (local.get $xr2) (i32.mul (local.get $ix) (local.get $ci4))) (local.get $zeros)
            (i32.and (local.get $in2) (i32.lt_u (local.get $ix) (local.get $wi)))))
          (local.set $p21
            (select (i32.add (local.get $xr2) (i32.mul (i32.add (local.get $ix) (i32.const 1)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in2) (i32.lt_u (i32.add (local.get $ix) (i32.const 1)) (local.get $wi)))))
          (local.set $p22
            (select (i32.add (local.get $xr2) (i32.mul (i32.add (local.get $ix) (i32.const 2)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in2) (i32.lt_u (i32.add (local.get $ix) (i32.const 2)) (local.get $wi)))))
          (local.set $p23
            (select (i32.add (local.get $xr2) (i32.mul (i32.add (local.get $ix) (i32.const 3)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in2) (i32.lt_u (i32.add (local.get $ix) (i32.const 3)) (local.get $wi)))))
          (local.set $p24
            (select (i32.add (local.get $xr2) (i32.mul (i32.add (local.get $ix) (i32.const 4)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in2) (i32.lt_u (i32.add (local.get $ix) (i32.const 4)) (local.get $wi)))))
          (local.set $p25
            (select (i32.add (local.get $xr2) (i32.mul (i32.add (local.get $ix) (i32.const 5)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in2) (i32.lt_u (i32.add (local.get $ix) (i32.const 5)) (local.get $wi)))))
          (local.set $p30
            (select (i32.add (local.get $xr3) (i32.mul (local.get $ix) (local.get $ci4))) (local.get $zeros)
            (i32.and (local.get $in3) (i32.lt_u (local.get $ix) (local.get $wi)))))
          (local.set $p31
            (select (i32.add (local.get $xr3) (i32.mul (i32.add (local.get $ix) (i32.const 1)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in3) (i32.lt_u (i32.add (local.get $ix) (i32.const 1)) (local.get $wi)))))
          (local.set $p32
            (select (i32.add (local.get $xr3) (i32.mul (i32.add (local.get $ix) (i32.const 2)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in3) (i32.lt_u (i32.add (local.get $ix) (i32.const 2)) (local.get $wi)))))
          (local.set $p33
            (select (i32.add (local.get $xr3) (i32.mul (i32.add (local.get $ix) (i32.const 3)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in3) (i32.lt_u (i32.add (local.get $ix) (i32.const 3)) (local.get $wi)))))
          (local.set $p34
            (select (i32.add (local.get $xr3) (i32.mul (i32.add (local.get $ix) (i32.const 4)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in3) (i32.lt_u (i32.add (local.get $ix) (i32.const 4)) (local.get $wi)))))
          (local.set $p35
            (select (i32.add (local.get $xr3) (i32.mul (i32.add (local.get $ix) (i32.const 5)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in3) (i32.lt_u (i32.add (local.get $ix) (i32.const 5)) (local.get $wi)))))
          (local.set $p40
            (select (i32.add (local.get $xr4) (i32.mul (local.get $ix) (local.get $ci4))) (local.get $zeros)
            (i32.and (local.get $in4) (i32.lt_u (local.get $ix) (local.get $wi)))))
          (local.set $p41
            (select (i32.add (local.get $xr4) (i32.mul (i32.add (local.get $ix) (i32.const 1)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in4) (i32.lt_u (i32.add (local.get $ix) (i32.const 1)) (local.get $wi)))))
          (local.set $p42
            (select (i32.add (local.get $xr4) (i32.mul (i32.add (local.get $ix) (i32.const 2)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in4) (i32.lt_u (i32.add (local.get $ix) (i32.const 2)) (local.get $wi)))))
          (local.set $p43
            (select (i32.add (local.get $xr4) (i32.mul (i32.add (local.get $ix) (i32.const 3)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in4) (i32.lt_u (i32.add (local.get $ix) (i32.const 3)) (local.get $wi)))))
          (local.set $p44
            (select (i32.add (local.get $xr4) (i32.mul (i32.add (local.get $ix) (i32.const 4)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in4) (i32.lt_u (i32.add (local.get $ix) (i32.const 4)) (local.get $wi)))))
          (local.set $p45
            (select (i32.add (local.get $xr4) (i32.mul (i32.add (local.get $ix) (i32.const 5)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in4) (i32.lt_u (i32.add (local.get $ix) (i32.const 5)) (local.get $wi)))))
          (local.set $p50
            (select (i32.add (local.get $xr5) (i32.mul (local.get $ix) (local.get $ci4))) (local.get $zeros)
            (i32.and (local.get $in5) (i32.lt_u (local.get $ix) (local.get $wi)))))
          (local.set $p51
            (select (i32.add (local.get $xr5) (i32.mul (i32.add (local.get $ix) (i32.const 1)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in5) (i32.lt_u (i32.add (local.get $ix) (i32.const 1)) (local.get $wi)))))
          (local.set $p52
            (select (i32.add (local.get $xr5) (i32.mul (i32.add (local.get $ix) (i32.const 2)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in5) (i32.lt_u (i32.add (local.get $ix) (i32.const 2)) (local.get $wi)))))
          (local.set $p53
            (select (i32.add (local.get $xr5) (i32.mul (i32.add (local.get $ix) (i32.const 3)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in5) (i32.lt_u (i32.add (local.get $ix) (i32.const 3)) (local.get $wi)))))
          (local.set $p54
            (select (i32.add (local.get $xr5) (i32.mul (i32.add (local.get $ix) (i32.const 4)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in5) (i32.lt_u (i32.add (local.get $ix) (i32.const 4)) (local.get $wi)))))
          (local.set $p55
            (select (i32.add (local.get $xr5) (i32.mul (i32.add (local.get $ix) (i32.const 5)) (local.get $ci4)))
              (local.get $zeros)
            (i32.and (local.get $in5) (i32.lt_u (i32.add (local.get $ix) (i32.const 5)) (local.get $wi)))))
          (local.set $c (i32.const 0))
          (loop $channels
            (local.set $d00 (v128.load (local.get $p00)))
            (local.set $d01 (v128.load (local.get $p01)))
            (local.set $d02 (v128.load (local.get $p02)))
            (local.set $d03 (v128.load (local.get $p03)))
            (local.set $d04 (v128.load (local.get $p04)))
            (local.set $d05 (v128.load (local.get $p05)))
            (local.set $d10 (v128.load (local.get $p10)))
            (local.set $d11 (v128.load (local.get $p11)))
            (local.set $d12 (v128.load (local.get $p12)))
            (local.set $d13 (v128.load (local.get $p13)))
            (local.set $d14 (v128.load (local.get $p14)))
            (local.set $d15 (v128.load (local.get $p15)))
            (local.set $d20 (v128.load (local.get $p20)))
            (local.set $d21 (v128.load (local.get $p21)))
            (local.set $d22 (v128.load (local.get $p22)))
            (local.set $d23 (v128.load (local.get $p23)))
            (local.set $d24 (v128.load (local.get $p24)))
            (local.set $d25 (v128.load (local.get $p25)))
            (local.set $d30 (v128.load (local.get $p30)))
            (local.set $d31 (v128.load (local.get $p31)))
            (local.set $d32 (v128.load (local.get $p32)))
            (local.set $d33 (v128.load (local.get $p33)))
            (local.set $d34 (v128.load (local.get $p34)))
            (local.set $d35 (v128.load (local.get $p35)))
            (local.set $d40 (v128.load (local.get $p40)))
            (local.set $d41 (v128.load (local.get $p41)))
            (local.set $d42 (v128.load (local.get $p42)))
            (local.set $d43 (v128.load (local.get $p43)))
            (local.set $d44 (v128.load (local.get $p44)))
            (local.set $d45 (v128.load (local.get $p45)))
            (local.set $d50 (v128.load (local.get $p50)))
            (local.set $d51 (v128.load (local.get $p51)))
            (local.set $d52 (v128.load (local.get $p52)))
            (local.set $d53 (v128.load (local.get $p53)))
            (local.set $d54 (v128.load (local.get $p54)))
            (local.set $d55 (v128.load (local.get $p55)))
            ;; u = d B (within each input row)
            (local.set $u00
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d00) (local.get $k4))
                  (f32x4.mul (local.get $d02) (local.get $k5))) (local.get $d04)))
            (local.set $u01
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d01) (local.get $k4)))
                    (f32x4.mul (local.get $d02) (local.get $k4))) (local.get $d03)) (local.get $d04)))
            (local.set $u02
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $d01) (local.get $k4))
                    (f32x4.mul (local.get $d02) (local.get $k4))) (local.get $d03)) (local.get $d04)))
            (local.set $u03
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d01) (local.get $k2))) (local.get $d02))
                  (f32x4.mul (local.get $d03) (local.get $k2))) (local.get $d04)))
            (local.set $u04
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $d01) (local.get $k2)) (local.get $d02))
                  (f32x4.mul (local.get $d03) (local.get $k2))) (local.get $d04)))
            (local.set $u05
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d01) (local.get $k4))
                  (f32x4.mul (local.get $d03) (local.get $k5))) (local.get $d05)))
            (local.set $u10
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d10) (local.get $k4))
                  (f32x4.mul (local.get $d12) (local.get $k5))) (local.get $d14)))
            (local.set $u11
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d11) (local.get $k4)))
                    (f32x4.mul (local.get $d12) (local.get $k4))) (local.get $d13)) (local.get $d14)))
            (local.set $u12
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $d11) (local.get $k4))
                    (f32x4.mul (local.get $d12) (local.get $k4))) (local.get $d13)) (local.get $d14)))
            (local.set $u13
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d11) (local.get $k2))) (local.get $d12))
                  (f32x4.mul (local.get $d13) (local.get $k2))) (local.get $d14)))
            (local.set $u14
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $d11) (local.get $k2)) (local.get $d12))
                  (f32x4.mul (local.get $d13) (local.get $k2))) (local.get $d14)))
            (local.set $u15
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d11) (local.get $k4))
                  (f32x4.mul (local.get $d13) (local.get $k5))) (local.get $d15)))
            (local.set $u20
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d20) (local.get $k4))
                  (f32x4.mul (local.get $d22) (local.get $k5))) (local.get $d24)))
            (local.set $u21
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d21) (local.get $k4)))
                    (f32x4.mul (local.get $d22) (local.get $k4))) (local.get $d23)) (local.get $d24)))
            (local.set $u22
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $d21) (local.get $k4))
                    (f32x4.mul (local.get $d22) (local.get $k4))) (local.get $d23)) (local.get $d24)))
            (local.set $u23
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d21) (local.get $k2))) (local.get $d22))
                  (f32x4.mul (local.get $d23) (local.get $k2))) (local.get $d24)))
            (local.set $u24
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $d21) (local.get $k2)) (local.get $d22))
                  (f32x4.mul (local.get $d23) (local.get $k2))) (local.get $d24)))
            (local.set $u25
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d21) (local.get $k4))
                  (f32x4.mul (local.get $d23) (local.get $k5))) (local.get $d25)))
            (local.set $u30
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d30) (local.get $k4))
                  (f32x4.mul (local.get $d32) (local.get $k5))) (local.get $d34)))
            (local.set $u31
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d31) (local.get $k4)))
                    (f32x4.mul (local.get $d32) (local.get $k4))) (local.get $d33)) (local.get $d34)))
            (local.set $u32
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $d31) (local.get $k4))
                    (f32x4.mul (local.get $d32) (local.get $k4))) (local.get $d33)) (local.get $d34)))
            (local.set $u33
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d31) (local.get $k2))) (local.get $d32))
                  (f32x4.mul (local.get $d33) (local.get $k2))) (local.get $d34)))
            (local.set $u34
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $d31) (local.get $k2)) (local.get $d32))
                  (f32x4.mul (local.get $d33) (local.get $k2))) (local.get $d34)))
            (local.set $u35
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d31) (local.get $k4))
                  (f32x4.mul (local.get $d33) (local.get $k5))) (local.get $d35)))
            (local.set $u40
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d40) (local.get $k4))
                  (f32x4.mul (local.get $d42) (local.get $k5))) (local.get $d44)))
            (local.set $u41
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d41) (local.get $k4)))
                    (f32x4.mul (local.get $d42) (local.get $k4))) (local.get $d43)) (local.get $d44)))
            (local.set $u42
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $d41) (local.get $k4))
                    (f32x4.mul (local.get $d42) (local.get $k4))) (local.get $d43)) (local.get $d44)))
            (local.set $u43
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d41) (local.get $k2))) (local.get $d42))
                  (f32x4.mul (local.get $d43) (local.get $k2))) (local.get $d44)))
            (local.set $u44
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $d41) (local.get $k2)) (local.get $d42))
                  (f32x4.mul (local.get $d43) (local.get $k2))) (local.get $d44)))
            (local.set $u45
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d41) (local.get $k4))
                  (f32x4.mul (local.get $d43) (local.get $k5))) (local.get $d45)))
            (local.set $u50
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d50) (local.get $k4))
                  (f32x4.mul (local.get $d52) (local.get $k5))) (local.get $d54)))
            (local.set $u51
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d51) (local.get $k4)))
                    (f32x4.mul (local.get $d52) (local.get $k4))) (local.get $d53)) (local.get $d54)))
            (local.set $u52
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $d51) (local.get $k4))
                    (f32x4.mul (local.get $d52) (local.get $k4))) (local.get $d53)) (local.get $d54)))
            (local.set $u53
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $d51) (local.get $k2))) (local.get $d52))
                  (f32x4.mul (local.get $d53) (local.get $k2))) (local.get $d54)))
            (local.set $u54
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $d51) (local.get $k2)) (local.get $d52))
                  (f32x4.mul (local.get $d53) (local.get $k2))) (local.get $d54)))
            (local.set $u55
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $d51) (local.get $k4))
                  (f32x4.mul (local.get $d53) (local.get $k5))) (local.get $d55)))
            ;; V = B^T u (across rows), planes k = 6l + m
            (v128.store (local.get $pv)
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u00) (local.get $k4))
                  (f32x4.mul (local.get $u20) (local.get $k5))) (local.get $u40)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 6)))
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u10) (local.get $k4)))
                    (f32x4.mul (local.get $u20) (local.get $k4))) (local.get $u30)) (local.get $u40)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 12)))
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $u10) (local.get $k4))
                    (f32x4.mul (local.get $u20) (local.get $k4))) (local.get $u30)) (local.get $u40)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 18)))
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u10) (local.get $k2))) (local.get $u20))
                  (f32x4.mul (local.get $u30) (local.get $k2))) (local.get $u40)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 24)))
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $u10) (local.get $k2)) (local.get $u20))
                  (f32x4.mul (local.get $u30) (local.get $k2))) (local.get $u40)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 30)))
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u10) (local.get $k4))
                  (f32x4.mul (local.get $u30) (local.get $k5))) (local.get $u50)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 1)))
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u01) (local.get $k4))
                  (f32x4.mul (local.get $u21) (local.get $k5))) (local.get $u41)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 7)))
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u11) (local.get $k4)))
                    (f32x4.mul (local.get $u21) (local.get $k4))) (local.get $u31)) (local.get $u41)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 13)))
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $u11) (local.get $k4))
                    (f32x4.mul (local.get $u21) (local.get $k4))) (local.get $u31)) (local.get $u41)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 19)))
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u11) (local.get $k2))) (local.get $u21))
                  (f32x4.mul (local.get $u31) (local.get $k2))) (local.get $u41)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 25)))
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $u11) (local.get $k2)) (local.get $u21))
                  (f32x4.mul (local.get $u31) (local.get $k2))) (local.get $u41)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 31)))
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u11) (local.get $k4))
                  (f32x4.mul (local.get $u31) (local.get $k5))) (local.get $u51)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 2)))
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u02) (local.get $k4))
                  (f32x4.mul (local.get $u22) (local.get $k5))) (local.get $u42)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 8)))
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u12) (local.get $k4)))
                    (f32x4.mul (local.get $u22) (local.get $k4))) (local.get $u32)) (local.get $u42)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 14)))
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $u12) (local.get $k4))
                    (f32x4.mul (local.get $u22) (local.get $k4))) (local.get $u32)) (local.get $u42)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 20)))
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u12) (local.get $k2))) (local.get $u22))
                  (f32x4.mul (local.get $u32) (local.get $k2))) (local.get $u42)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 26)))
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $u12) (local.get $k2)) (local.get $u22))
                  (f32x4.mul (local.get $u32) (local.get $k2))) (local.get $u42)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 32)))
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u12) (local.get $k4))
                  (f32x4.mul (local.get $u32) (local.get $k5))) (local.get $u52)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 3)))
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u03) (local.get $k4))
                  (f32x4.mul (local.get $u23) (local.get $k5))) (local.get $u43)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 9)))
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u13) (local.get $k4)))
                    (f32x4.mul (local.get $u23) (local.get $k4))) (local.get $u33)) (local.get $u43)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 15)))
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $u13) (local.get $k4))
                    (f32x4.mul (local.get $u23) (local.get $k4))) (local.get $u33)) (local.get $u43)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 21)))
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u13) (local.get $k2))) (local.get $u23))
                  (f32x4.mul (local.get $u33) (local.get $k2))) (local.get $u43)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 27)))
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $u13) (local.get $k2)) (local.get $u23))
                  (f32x4.mul (local.get $u33) (local.get $k2))) (local.get $u43)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 33)))
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u13) (local.get $k4))
                  (f32x4.mul (local.get $u33) (local.get $k5))) (local.get $u53)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 4)))
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u04) (local.get $k4))
                  (f32x4.mul (local.get $u24) (local.get $k5))) (local.get $u44)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 10)))
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u14) (local.get $k4)))
                    (f32x4.mul (local.get $u24) (local.get $k4))) (local.get $u34)) (local.get $u44)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 16)))
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $u14) (local.get $k4))
                    (f32x4.mul (local.get $u24) (local.get $k4))) (local.get $u34)) (local.get $u44)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 22)))
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u14) (local.get $k2))) (local.get $u24))
                  (f32x4.mul (local.get $u34) (local.get $k2))) (local.get $u44)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 28)))
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $u14) (local.get $k2)) (local.get $u24))
                  (f32x4.mul (local.get $u34) (local.get $k2))) (local.get $u44)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 34)))
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u14) (local.get $k4))
                  (f32x4.mul (local.get $u34) (local.get $k5))) (local.get $u54)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 5)))
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u05) (local.get $k4))
                  (f32x4.mul (local.get $u25) (local.get $k5))) (local.get $u45)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 11)))
              (f32x4.add
                (f32x4.add
                  (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u15) (local.get $k4)))
                    (f32x4.mul (local.get $u25) (local.get $k4))) (local.get $u35)) (local.get $u45)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 17)))
              (f32x4.add
                (f32x4.sub
                  (f32x4.sub (f32x4.mul (local.get $u15) (local.get $k4))
                    (f32x4.mul (local.get $u25) (local.get $k4))) (local.get $u35)) (local.get $u45)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 23)))
              (f32x4.add
                (f32x4.add (f32x4.sub (f32x4.neg (f32x4.mul (local.get $u15) (local.get $k2))) (local.get $u25))
                  (f32x4.mul (local.get $u35) (local.get $k2))) (local.get $u45)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 29)))
              (f32x4.add
                (f32x4.sub (f32x4.sub (f32x4.mul (local.get $u15) (local.get $k2)) (local.get $u25))
                  (f32x4.mul (local.get $u35) (local.get $k2))) (local.get $u45)))
            (v128.store (i32.add (local.get $pv) (i32.mul (local.get $planeBytes) (i32.const 35)))
              (f32x4.add
                (f32x4.sub (f32x4.mul (local.get $u15) (local.get $k4))
                  (f32x4.mul (local.get $u35) (local.get $k5))) (local.get $u55)))
            ;; next 4 channels
            (local.set $p00 (i32.add (local.get $p00) (i32.const 16)))
            (local.set $p01 (i32.add (local.get $p01) (i32.const 16)))
            (local.set $p02 (i32.add (local.get $p02) (i32.const 16)))
            (local.set $p03 (i32.add (local.get $p03) (i32.const 16)))
            (local.set $p04 (i32.add (local.get $p04) (i32.const 16)))
            (local.set $p05 (i32.add (local.get $p05) (i32.const 16)))
            (local.set $p10 (i32.add (local.get $p10) (i32.const 16)))
            (local.set $p11 (i32.add (local.get $p11) (i32.const 16)))
            (local.set $p12 (i32.add (local.get $p12) (i32.const 16)))
            (local.set $p13 (i32.add (local.get $p13) (i32.const 16)))
            (local.set $p14 (i32.add (local.get $p14) (i32.const 16)))
            (local.set $p15 (i32.add (local.get $p15) (i32.const 16)))
            (local.set $p20 (i32.add (local.get $p20) (i32.const 16)))
            (local.set $p21 (i32.add (local.get $p21) (i32.const 16)))
            (local.set $p22 (i32.add (local.get $p22) (i32.const 16)))
            (local.set $p23 (i32.add (local.get $p23) (i32.const 16)))
            (local.set $p24 (i32.add (local.get $p24) (i32.const 16)))
            (local.set $p25 (i32.add (local.get $p25) (i32.const 16)))
            (local.set $p30 (i32.add (local.get $p30) (i32.const 16)))
            (local.set $p31 (i32.add (local.get $p31) (i32.const 16)))
            (local.set $p32 (i32.add (local.get $p32) (i32.const 16)))
            (local.set $p33 (i32.add (local.get $p33) (i32.const 16)))
            (local.set $p34 (i32.add (local.get $p34) (i32.const 16)))
            (local.set $p35 (i32.add (local.get $p35) (i32.const 16)))
            (local.set $p40 (i32.add (local.get $p40) (i32.const 16)))
            (local.set $p41 (i32.add (local.get $p41) (i32.const 16)))
            (local.set $p42 (i32.add (local.get $p42) (i32.const 16)))
            (local.set $p43 (i32.add (local.get $p43) (i32.const 16)))
            (local.set $p44 (i32.add (local.get $p44) (i32.const 16)))
            (local.set $p45 (i32.add (local.get $p45) (i32.const 16)))
            (local.set $p50 (i32.add (local.get $p50) (i32.const 16)))
            (local.set $p51 (i32.add (local.get $p51) (i32.const 16)))
            (local.set $p52 (i32.add (local.get $p52) (i32.const 16)))
            (local.set $p53 (i32.add (local.get $p53) (i32.const 16)))
            (local.set $p54 (i32.add (local.get $p54) (i32.const 16)))
            (local.set $p55 (i32.add (local.get $p55) (i32.const 16)))
            (local.set $pv (i32.add (local.get $pv) (i32.const 16)))
            (br_if $channels (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 4))) (local.get $ci))))
          (br_if $tiles (i32.lt_u (local.tee $tx (i32.add (local.get $tx) (i32.const 1))) (local.get $tw))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; y [N, Ho, Wo, Co] (+ bias; 0: none) from M [36, plane, Co], the chunk's tile rows [row0, row1). In a last row
  ;; or column of tiles past Ho or Wo, a pixel outside y aliases the nearest one inside (rows and columns clamped),
  ;; which is stored after it
  (func (export "outputTiles")
    (param $m i32) (param $y i32) (param $bias i32) (param $ho i32) (param $wo i32) (param $co i32)
    (param $th i32) (param $tw i32) (param $plane i32) (param $rowBase i32) (param $row0 i32) (param $row1 i32)
    (local $i i32) (local $r i32) (local $tx i32) (local $c i32) (local $co4 i32) (local $planeBytes i32)
    (local $pm i32) (local $oy i32) (local $ox i32) (local $yRow i32) (local $rowBytes i32) (local $b v128)
    (local $rows i32) (local $cols i32) (local $q i32)
    (local $k2 v128) (local $k4 v128) (local $k8 v128)
    (local $down1 i32) (local $down2 i32) (local $down3 i32) (local $right1 i32) (local $right2 i32) (local $right3 i32)
    (local $q00 i32) (local $q01 i32) (local $q02 i32) (local $q03 i32)
    (local $q10 i32) (local $q11 i32) (local $q12 i32) (local $q13 i32)
    (local $q20 i32) (local $q21 i32) (local $q22 i32) (local $q23 i32)
    (local $q30 i32) (local $q31 i32) (local $q32 i32) (local $q33 i32)
    (local $m00 v128) (local $m01 v128) (local $m02 v128) (local $m03 v128) (local $m04 v128) (local $m05 v128)
    (local $m10 v128) (local $m11 v128) (local $m12 v128) (local $m13 v128) (local $m14 v128) (local $m15 v128)
    (local $m20 v128) (local $m21 v128) (local $m22 v128) (local $m23 v128) (local $m24 v128) (local $m25 v128)
    (local $m30 v128) (local $m31 v128) (local $m32 v128) (local $m33 v128) (local $m34 v128) (local $m35 v128)
    (local $m40 v128) (local $m41 v128) (local $m42 v128) (local $m43 v128) (local $m44 v128) (local $m45 v128)
    (local $m50 v128) (local $m51 v128) (local $m52 v128) (local $m53 v128) (local $m54 v128) (local $m55 v128)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128) (local $s04 v128) (local $s05 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128) (local $s14 v128) (local $s15 v128)
    (local $s20 v128) (local $s21 v128) (local $s22 v128) (local $s23 v128) (local $s24 v128) (local $s25 v128)
    (local $s30 v128) (local $s31 v128) (local $s32 v128) (local $s33 v128) (local $s34 v128) (local $s35 v128)
    (local.set $co4 (i32.shl (local.get $co) (i32.const 2)))
    (local.set $planeBytes (i32.mul (local.get $plane) (local.get $co4)))
    (local.set $rowBytes (i32.mul (local.get $wo) (local.get $co4)))
    (local.set $k2 (f32x4.splat (f32.const 2.0)))
    (local.set $k4 (f32x4.splat (f32.const 4.0)))
    (local.set $k8 (f32x4.splat (f32.const 8.0)))
    (local.set $i (local.get $row0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $row1)))
        (local.set $r (i32.add (local.get $rowBase) (local.get $i)))
        ;; output row oy = 4ty of image r / th; rows a = 1..3 below it at down{a} bytes, clamped to y's last row
        (local.set $oy (i32.shl (i32.rem_u (local.get $r) (local.get $th)) (i32.const 2)))
        (local.set $yRow (i32.add (local.get $y)
          (i32.mul (i32.add (i32.mul (i32.div_u (local.get $r) (local.get $th)) (local.get $ho)) (local.get $oy))
            (local.get $rowBytes))))
        (local.set $rows (i32.sub (local.get $ho) (local.get $oy)))
        (local.set $down1 (i32.mul (select (i32.const 1) (i32.sub (local.get $rows) (i32.const 1))
          (i32.gt_u (local.get $rows) (i32.const 1))) (local.get $rowBytes)))
        (local.set $down2 (i32.mul (select (i32.const 2) (i32.sub (local.get $rows) (i32.const 1))
          (i32.gt_u (local.get $rows) (i32.const 2))) (local.get $rowBytes)))
        (local.set $down3 (i32.mul (select (i32.const 3) (i32.sub (local.get $rows) (i32.const 1))
          (i32.gt_u (local.get $rows) (i32.const 3))) (local.get $rowBytes)))
        (local.set $pm (i32.add (local.get $m) (i32.mul (i32.mul (local.get $i) (local.get $tw)) (local.get $co4))))
        (local.set $tx (i32.const 0))
        (loop $tiles
          (local.set $ox (i32.shl (local.get $tx) (i32.const 2)))
          (local.set $cols (i32.sub (local.get $wo) (local.get $ox)))
          (local.set $right1 (i32.mul (select (i32.const 1) (i32.sub (local.get $cols) (i32.const 1))
            (i32.gt_u (local.get $cols) (i32.const 1))) (local.get $co4)))
          (local.set $right2 (i32.mul (select (i32.const 2) (i32.sub (local.get $cols) (i32.const 1))
            (i32.gt_u (local.get $cols) (i32.const 2))) (local.get $co4)))
          (local.set $right3 (i32.mul (select (i32.const 3) (i32.sub (local.get $cols) (i32.const 1))
            (i32.gt_u (local.get $cols) (i32.const 3))) (local.get $co4)))
          (local.set $q (i32.add (local.get $yRow) (i32.mul (local.get $ox) (local.get $co4))))
          (local.set $q00 (local.get $q))
          (local.set $q01 (i32.add (local.get $q) (local.get $right1)))
          (local.set $q02 (i32.add (local.get $q) (local.get $right2)))
          (local.set $q03 (i32.add (local.get $q) (local.get $right3)))
          (local.set $q10 (i32.add (local.get $q) (local.get $down1)))
          (local.set $q11 (i32.add (i32.add (local.get $q) (local.get $down1)) (local.get $right1)))
          (local.set $q12 (i32.add (i32.add (local.get $q) (local.get $down1)) (local.get $right2)))
          (local.set $q13 (i32.add (i32.add (local.get $q) (local.get $down1)) (local.get $right3)))
          (local.set $q20 (i32.add (local.get $q) (local.get $down2)))
          (local.set $q21 (i32.add (i32.add (local.get $q) (local.get $down2)) (local.get $right1)))
          (local.set $q22 (i32.add (i32.add (local.get $q) (local.get $down2)) (local.get $right2)))
          (local.set $q23 (i32.add (i32.add (local.get $q) (local.get $down2)) (local.get $right3)))
          (local.set $q30 (i32.add (local.get $q) (local.get $down3)))
          (local.set $q31 (i32.add (i32.add (local.get $q) (local.get $down3)) (local.get $right1)))
          (local.set $q32 (i32.add (i32.add (local.get $q) (local.get $down3)) (local.get $right2)))
          (local.set $q33 (i32.add (i32.add (local.get $q) (local.get $down3)) (local.get $right3)))
          (local.set $c (i32.const 0))
          (loop $channels
            (local.set $m00 (v128.load (local.get $pm)))
            (local.set $m01 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 1)))))
            (local.set $m02 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 2)))))
            (local.set $m03 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 3)))))
            (local.set $m04 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 4)))))
            (local.set $m05 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 5)))))
            (local.set $m10 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 6)))))
            (local.set $m11 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 7)))))
            (local.set $m12 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 8)))))
            (local.set $m13 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 9)))))
            (local.set $m14 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 10)))))
            (local.set $m15 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 11)))))
            (local.set $m20 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 12)))))
            (local.set $m21 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 13)))))
            (local.set $m22 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 14)))))
            (local.set $m23 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 15)))))
            (local.set $m24 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 16)))))
            (local.set $m25 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 17)))))
            (local.set $m30 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 18)))))
            (local.set $m31 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 19)))))
            (local.set $m32 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 20)))))
            (local.set $m33 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 21)))))
            (local.set $m34 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 22)))))
            (local.set $m35 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 23)))))
            (local.set $m40 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 24)))))
            (local.set $m41 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 25)))))
            (local.set $m42 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 26)))))
            (local.set $m43 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 27)))))
            (local.set $m44 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 28)))))
            (local.set $m45 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 29)))))
            (local.set $m50 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 30)))))
            (local.set $m51 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 31)))))
            (local.set $m52 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 32)))))
            (local.set $m53 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 33)))))
            (local.set $m54 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 34)))))
            (local.set $m55 (v128.load (i32.add (local.get $pm) (i32.mul (local.get $planeBytes) (i32.const 35)))))
            ;; s = A^T M (across rows)
            (local.set $s00
              (f32x4.add
                (f32x4.add (f32x4.add (f32x4.add (local.get $m00) (local.get $m10)) (local.get $m20))
                  (local.get $m30)) (local.get $m40)))
            (local.set $s01
              (f32x4.add
                (f32x4.add (f32x4.add (f32x4.add (local.get $m01) (local.get $m11)) (local.get $m21))
                  (local.get $m31)) (local.get $m41)))
            (local.set $s02
              (f32x4.add
                (f32x4.add (f32x4.add (f32x4.add (local.get $m02) (local.get $m12)) (local.get $m22))
                  (local.get $m32)) (local.get $m42)))
            (local.set $s03
              (f32x4.add
                (f32x4.add (f32x4.add (f32x4.add (local.get $m03) (local.get $m13)) (local.get $m23))
                  (local.get $m33)) (local.get $m43)))
            (local.set $s04
              (f32x4.add
                (f32x4.add (f32x4.add (f32x4.add (local.get $m04) (local.get $m14)) (local.get $m24))
                  (local.get $m34)) (local.get $m44)))
            (local.set $s05
              (f32x4.add
                (f32x4.add (f32x4.add (f32x4.add (local.get $m05) (local.get $m15)) (local.get $m25))
                  (local.get $m35)) (local.get $m45)))
            (local.set $s10
              (f32x4.sub
                (f32x4.add (f32x4.sub (local.get $m10) (local.get $m20))
                  (f32x4.mul (local.get $m30) (local.get $k2))) (f32x4.mul (local.get $m40) (local.get $k2))))
            (local.set $s11
              (f32x4.sub
                (f32x4.add (f32x4.sub (local.get $m11) (local.get $m21))
                  (f32x4.mul (local.get $m31) (local.get $k2))) (f32x4.mul (local.get $m41) (local.get $k2))))
            (local.set $s12
              (f32x4.sub
                (f32x4.add (f32x4.sub (local.get $m12) (local.get $m22))
                  (f32x4.mul (local.get $m32) (local.get $k2))) (f32x4.mul (local.get $m42) (local.get $k2))))
            (local.set $s13
              (f32x4.sub
                (f32x4.add (f32x4.sub (local.get $m13) (local.get $m23))
                  (f32x4.mul (local.get $m33) (local.get $k2))) (f32x4.mul (local.get $m43) (local.get $k2))))
            (local.set $s14
              (f32x4.sub
                (f32x4.add (f32x4.sub (local.get $m14) (local.get $m24))
                  (f32x4.mul (local.get $m34) (local.get $k2))) (f32x4.mul (local.get $m44) (local.get $k2))))
            (local.set $s15
              (f32x4.sub
                (f32x4.add (f32x4.sub (local.get $m15) (local.get $m25))
                  (f32x4.mul (local.get $m35) (local.get $k2))) (f32x4.mul (local.get $m45) (local.get $k2))))
            (local.set $s20
              (f32x4.add
                (f32x4.add (f32x4.add (local.get $m10) (local.get $m20))
                  (f32x4.mul (local.get $m30) (local.get $k4))) (f32x4.mul (local.get $m40) (local.get $k4))))
            (local.set $s21
              (f32x4.add
                (f32x4.add (f32x4.add (local.get $m11) (local.get $m21))
                  (f32x4.mul (local.get $m31) (local.get $k4))) (f32x4.mul (local.get $m41) (local.get $k4))))
            (local.set $s22
              (f32x4.add
                (f32x4.add (f32x4.add (local.get $m12) (local.get $m22))
                  (f32x4.mul (local.get $m32) (local.get $k4))) (f32x4.mul (local.get $m42) (local.get $k4))))
            (local.set $s23
              (f32x4.add
                (f32x4.add (f32x4.add (local.get $m13) (local.get $m23))
                  (f32x4.mul (local.get $m33) (local.get $k4))) (f32x4.mul (local.get $m43) (local.get $k4))))
            (local.set $s24
              (f32x4.add
                (f32x4.add (f32x4.add (local.get $m14) (local.get $m24))
                  (f32x4.mul (local.get $m34) (local.get $k4))) (f32x4.mul (local.get $m44) (local.get $k4))))
            (local.set $s25
              (f32x4.add
                (f32x4.add (f32x4.add (local.get $m15) (local.get $m25))
                  (f32x4.mul (local.get $m35) (local.get $k4))) (f32x4.mul (local.get $m45) (local.get $k4))))
            (local.set $s30
              (f32x4.add
                (f32x4.sub
                  (f32x4.add (f32x4.sub (local.get $m10) (local.get $m20))
                    (f32x4.mul (local.get $m30)
                      (local.get $k8))) (f32x4.mul (local.get $m40) (local.get $k8))) (local.get $m50)))
            (local.set $s31
              (f32x4.add
                (f32x4.sub
                  (f32x4.add (f32x4.sub (local.get $m11) (local.get $m21))
                    (f32x4.mul (local.get $m31)
                      (local.get $k8))) (f32x4.mul (local.get $m41) (local.get $k8))) (local.get $m51)))
            (local.set $s32
              (f32x4.add
                (f32x4.sub
                  (f32x4.add (f32x4.sub (local.get $m12) (local.get $m22))
                    (f32x4.mul (local.get $m32)
                      (local.get $k8))) (f32x4.mul (local.get $m42) (local.get $k8))) (local.get $m52)))
            (local.set $s33
              (f32x4.add
                (f32x4.sub
                  (f32x4.add (f32x4.sub (local.get $m13) (local.get $m23))
                    (f32x4.mul (local.get $m33)
                      (local.get $k8))) (f32x4.mul (local.get $m43) (local.get $k8))) (local.get $m53)))
            (local.set $s34
              (f32x4.add
                (f32x4.sub
                  (f32x4.add (f32x4.sub (local.get $m14) (local.get $m24))
                    (f32x4.mul (local.get $m34)
                      (local.get $k8))) (f32x4.mul (local.get $m44) (local.get $k8))) (local.get $m54)))
            (local.set $s35
              (f32x4.add
                (f32x4.sub
                  (f32x4.add (f32x4.sub (local.get $m15) (local.get $m25))
                    (f32x4.mul (local.get $m35)
                      (local.get $k8))) (f32x4.mul (local.get $m45) (local.get $k8))) (local.get $m55)))
            (local.set $b (v128.const i32x4 0 0 0 0))
            (if (local.get $bias)
              (then (local.set $b (v128.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2)))))))
            ;; y = s A + bias (within rows), pixels in descending order: an alias of a pixel inside y comes before it
            (v128.store (local.get $q33)
              (f32x4.add
                (f32x4.add
                  (f32x4.sub
                    (f32x4.add (f32x4.sub (local.get $s31) (local.get $s32))
                      (f32x4.mul (local.get $s33)
                        (local.get $k8))) (f32x4.mul (local.get $s34) (local.get $k8))) (local.get $s35)) (local.get $b)))
            (v128.store (local.get $q32)
              (f32x4.add
                (f32x4.add
                  (f32x4.add (f32x4.add (local.get $s31) (local.get $s32))
                    (f32x4.mul (local.get $s33)
                      (local.get $k4))) (f32x4.mul (local.get $s34) (local.get $k4))) (local.get $b)))
            (v128.store (local.get $q31)
              (f32x4.add
                (f32x4.sub
                  (f32x4.add (f32x4.sub (local.get $s31) (local.get $s32))
                    (f32x4.mul (local.get $s33)
                      (local.get $k2))) (f32x4.mul (local.get $s34) (local.get $k2))) (local.get $b)))
            (v128.store (local.get $q30)
              (f32x4.add
                (f32x4.add
                  (f32x4.add (f32x4.add (f32x4.add (local.get $s30) (local.get $s31)) (local.get $s32))
                    (local.get $s33)) (local.get $s34)) (local.get $b)))
            (v128.store (local.get $q23)
              (f32x4.add
                (f32x4.add
                  (f32x4.sub
                    (f32x4.add (f32x4.sub (local.get $s21) (local.get $s22))
                      (f32x4.mul (local.get $s23)
                        (local.get $k8))) (f32x4.mul (local.get $s24) (local.get $k8))) (local.get $s25)) (local.get $b)))
            (v128.store (local.get $q22)
              (f32x4.add
                (f32x4.add
                  (f32x4.add (f32x4.add (local.get $s21) (local.get $s22))
                    (f32x4.mul (local.get $s23)
                      (local.get $k4))) (f32x4.mul (local.get $s24) (local.get $k4))) (local.get $b)))
            (v128.store (local.get $q21)
              (f32x4.add
                (f32x4.sub
                  (f32x4.add (f32x4.sub (local.get $s21) (local.get $s22))
                    (f32x4.mul (local.get $s23)
                      (local.get $k2))) (f32x4.mul (local.get $s24) (local.get $k2))) (local.get $b)))
            (v128.store (local.get $q20)
              (f32x4.add
                (f32x4.add
                  (f32x4.add (f32x4.add (f32x4.add (local.get $s20) (local.get $s21)) (local.get $s22))
                    (local.get $s23)) (local.get $s24)) (local.get $b)))
            (v128.store (local.get $q13)
              (f32x4.add
                (f32x4.add
                  (f32x4.sub
                    (f32x4.add (f32x4.sub (local.get $s11) (local.get $s12))
                      (f32x4.mul (local.get $s13)
                        (local.get $k8))) (f32x4.mul (local.get $s14) (local.get $k8))) (local.get $s15)) (local.get $b)))
            (v128.store (local.get $q12)
              (f32x4.add
                (f32x4.add
                  (f32x4.add (f32x4.add (local.get $s11) (local.get $s12))
                    (f32x4.mul (local.get $s13)
                      (local.get $k4))) (f32x4.mul (local.get $s14) (local.get $k4))) (local.get $b)))
            (v128.store (local.get $q11)
              (f32x4.add
                (f32x4.sub
                  (f32x4.add (f32x4.sub (local.get $s11) (local.get $s12))
                    (f32x4.mul (local.get $s13)
                      (local.get $k2))) (f32x4.mul (local.get $s14) (local.get $k2))) (local.get $b)))
            (v128.store (local.get $q10)
              (f32x4.add
                (f32x4.add
                  (f32x4.add (f32x4.add (f32x4.add (local.get $s10) (local.get $s11)) (local.get $s12))
                    (local.get $s13)) (local.get $s14)) (local.get $b)))
            (v128.store (local.get $q03)
              (f32x4.add
                (f32x4.add
                  (f32x4.sub
                    (f32x4.add (f32x4.sub (local.get $s01) (local.get $s02))
                      (f32x4.mul (local.get $s03)
                        (local.get $k8))) (f32x4.mul (local.get $s04) (local.get $k8))) (local.get $s05)) (local.get $b)))
            (v128.store (local.get $q02)
              (f32x4.add
                (f32x4.add
                  (f32x4.add (f32x4.add (local.get $s01) (local.get $s02))
                    (f32x4.mul (local.get $s03)
                      (local.get $k4))) (f32x4.mul (local.get $s04) (local.get $k4))) (local.get $b)))
            (v128.store (local.get $q01)
              (f32x4.add
                (f32x4.sub
                  (f32x4.add (f32x4.sub (local.get $s01) (local.get $s02))
                    (f32x4.mul (local.get $s03)
                      (local.get $k2))) (f32x4.mul (local.get $s04) (local.get $k2))) (local.get $b)))
            (v128.store (local.get $q00)
              (f32x4.add
                (f32x4.add
                  (f32x4.add (f32x4.add (f32x4.add (local.get $s00) (local.get $s01)) (local.get $s02))
                    (local.get $s03)) (local.get $s04)) (local.get $b)))
            (local.set $q00 (i32.add (local.get $q00) (i32.const 16)))
            (local.set $q01 (i32.add (local.get $q01) (i32.const 16)))
            (local.set $q02 (i32.add (local.get $q02) (i32.const 16)))
            (local.set $q03 (i32.add (local.get $q03) (i32.const 16)))
            (local.set $q10 (i32.add (local.get $q10) (i32.const 16)))
            (local.set $q11 (i32.add (local.get $q11) (i32.const 16)))
            (local.set $q12 (i32.add (local.get $q12) (i32.const 16)))
            (local.set $q13 (i32.add (local.get $q13) (i32.const 16)))
            (local.set $q20 (i32.add (local.get $q20) (i32.const 16)))
            (local.set $q21 (i32.add (local.get $q21) (i32.const 16)))
            (local.set $q22 (i32.add (local.get $q22) (i32.const 16)))
            (local.set $q23 (i32.add (local.get $q23) (i32.const 16)))
            (local.set $q30 (i32.add (local.get $q30) (i32.const 16)))
            (local.set $q31 (i32.add (local.get $q31) (i32.const 16)))
            (local.set $q32 (i32.add (local.get $q32) (i32.const 16)))
            (local.set $q33 (i32.add (local.get $q33) (i32.const 16)))
            (local.set $pm (i32.add (local.get $pm) (i32.const 16)))
            (br_if $channels (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 4))) (local.get $co))))
          (br_if $tiles (i32.lt_u (local.tee $tx (i32.add (local.get $tx) (i32.const 1))) (local.get $tw))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))))
