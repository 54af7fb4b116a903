;; One Adam step for one parameter (@edm/core's EdmAdam kernel, ops/adam.ts) on tfjs-backend-wasm's heap:
;;   g = nan_to_num(grad, nan=0, posinf=1e5, neginf=-1e5)
;;   m' = m beta1 + g (1 - beta1);  v' = v beta2 + g^2 (1 - beta2);  p' = p - m' / (sqrt(v' / bc2) + eps) * stepSize
;; in float32, operation by operation in the composed ops' order (wasm float arithmetic is IEEE, correctly
;; rounded, with no fused multiply-add), so the results equal the composed tfjs ops bit for bit. Four lanes
;; at a time, then the last n % 4 elements as scalars (the same arithmetic). The composed step is about 17
;; kernels per parameter: 10% of a small DDPM++ training step. Compiled by scripts/wat.mjs into adam-wasm.ts.
(module
  (import "env" "memory" (memory MEMORY_LIMITS))

  (func (export "step") (param $param i32) (param $m i32) (param $v i32) (param $grad i32)
    (param $outParam i32) (param $outM i32) (param $outV i32) (param $n i32)
    (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $bc2 f32) (param $eps f32) (param $stepSize f32)
    (local $o i32) (local $vecEnd i32) (local $end i32)
    (local $g v128) (local $m1 v128) (local $v1 v128)
    (local $vBeta1 v128) (local $vOneMinusBeta1 v128) (local $vBeta2 v128) (local $vOneMinusBeta2 v128)
    (local $vBc2 v128) (local $vEps v128) (local $vStep v128) (local $vSign v128) (local $vBig v128) (local $vInf v128)
    (local $sg f32) (local $sm1 f32) (local $sv1 f32)
    (local.set $vBeta1 (f32x4.splat (local.get $beta1)))
    (local.set $vOneMinusBeta1 (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $vBeta2 (f32x4.splat (local.get $beta2)))
    (local.set $vOneMinusBeta2 (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $vBc2 (f32x4.splat (local.get $bc2)))
    (local.set $vEps (f32x4.splat (local.get $eps)))
    (local.set $vStep (f32x4.splat (local.get $stepSize)))
    (local.set $vSign (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
    (local.set $vBig (v128.const f32x4 1e5 1e5 1e5 1e5))
    (local.set $vInf (v128.const f32x4 inf inf inf inf))
    (local.set $vecEnd (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $o (i32.const 0))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $o) (local.get $vecEnd)))
      (local.set $g (v128.load (i32.add (local.get $grad) (local.get $o))))
      ;; nan_to_num: NaN -> 0 (x == x is false only for NaN), +-inf -> +-1e5
      (local.set $g (v128.and (local.get $g) (f32x4.eq (local.get $g) (local.get $g))))
      (local.set $g (v128.bitselect
        (v128.or (v128.and (local.get $g) (local.get $vSign)) (local.get $vBig))
        (local.get $g)
        (f32x4.eq (f32x4.abs (local.get $g)) (local.get $vInf))))
      (local.set $m1 (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $o))) (local.get $vBeta1))
        (f32x4.mul (local.get $g) (local.get $vOneMinusBeta1))))
      (local.set $v1 (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $o))) (local.get $vBeta2))
        (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) (local.get $vOneMinusBeta2))))
      (v128.store (i32.add (local.get $outParam) (local.get $o))
        (f32x4.sub (v128.load (i32.add (local.get $param) (local.get $o)))
          (f32x4.mul
            (f32x4.div (local.get $m1) (f32x4.add (f32x4.sqrt (f32x4.div (local.get $v1) (local.get $vBc2))) (local.get $vEps)))
            (local.get $vStep))))
      (v128.store (i32.add (local.get $outM) (local.get $o)) (local.get $m1))
      (v128.store (i32.add (local.get $outV) (local.get $o)) (local.get $v1))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $vec)))
    (block $done (loop $tail
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (local.set $sg (f32.load (i32.add (local.get $grad) (local.get $o))))
      (if (f32.ne (local.get $sg) (local.get $sg)) (then (local.set $sg (f32.const 0))))
      (if (f32.eq (f32.abs (local.get $sg)) (f32.const inf)) (then (local.set $sg (f32.copysign (f32.const 1e5) (local.get $sg)))))
      (local.set $sm1 (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $o))) (local.get $beta1))
        (f32.mul (local.get $sg) (local.get $oneMinusBeta1))))
      (local.set $sv1 (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $o))) (local.get $beta2))
        (f32.mul (f32.mul (local.get $sg) (local.get $sg)) (local.get $oneMinusBeta2))))
      (f32.store (i32.add (local.get $outParam) (local.get $o))
        (f32.sub (f32.load (i32.add (local.get $param) (local.get $o)))
          (f32.mul
            (f32.div (local.get $sm1) (f32.add (f32.sqrt (f32.div (local.get $sv1) (local.get $bc2))) (local.get $eps)))
            (local.get $stepSize))))
      (f32.store (i32.add (local.get $outM) (local.get $o)) (local.get $sm1))
      (f32.store (i32.add (local.get $outV) (local.get $o)) (local.get $sv1))
      (local.set $o (i32.add (local.get $o) (i32.const 4)))
      (br $tail))))
)
