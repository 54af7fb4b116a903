;; One plane of a transpose on tfjs-backend-wasm's heap (4-byte elements, copied as integers: bit-exact):
;;   dst[u * dstStrideU + v] = src[v * srcStrideV + u]   for v < nv, u < nu   (strides in elements)
;; in 16x16 tiles, so that neither side walks memory with a large power-of-two stride for long (tfjs 4.22's
;; own kernel does, and transposing [8, 32, 32, 64] to [64, 32, 32, 8] took 8 ms instead of 1). Compiled by
;; scripts/wat.mjs into transpose-wasm.ts (do not edit that).
(module
  (import "env" "memory" (memory MEMORY_LIMITS))

  (func (export "plane") (param $src i32) (param $dst i32) (param $nv i32) (param $nu i32)
    (param $srcStrideV i32) (param $dstStrideU i32)
    (local $v0 i32) (local $u0 i32) (local $v i32) (local $u i32) (local $vEnd i32) (local $uEnd i32)
    (local $s i32) (local $d i32)
    ;; byte strides
    (local.set $srcStrideV (i32.shl (local.get $srcStrideV) (i32.const 2)))
    (local.set $v0 (i32.const 0))
    (block $v0_done (loop $v0_loop
      (br_if $v0_done (i32.ge_u (local.get $v0) (local.get $nv)))
      (local.set $vEnd (select (i32.add (local.get $v0) (i32.const 16)) (local.get $nv)
        (i32.lt_u (i32.add (local.get $v0) (i32.const 16)) (local.get $nv))))
      (local.set $u0 (i32.const 0))
      (block $u0_done (loop $u0_loop
        (br_if $u0_done (i32.ge_u (local.get $u0) (local.get $nu)))
        (local.set $uEnd (select (i32.add (local.get $u0) (i32.const 16)) (local.get $nu)
          (i32.lt_u (i32.add (local.get $u0) (i32.const 16)) (local.get $nu))))
        ;; Within a tile, u outer and v inner: each destination row gets 16 consecutive elements (a cache line)
        ;; at once, while the 16 source rows read in turn stay cached.
        (local.set $u (local.get $u0))
        (block $u_done (loop $u_loop
          (br_if $u_done (i32.ge_u (local.get $u) (local.get $uEnd)))
          ;; s = &src[v0, u], d = &dst[u, v0]
          (local.set $s (i32.add (local.get $src) (i32.add (i32.mul (local.get $v0) (local.get $srcStrideV))
            (i32.shl (local.get $u) (i32.const 2)))))
          (local.set $d (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $u) (local.get $dstStrideU))
            (local.get $v0)) (i32.const 2))))
          (local.set $v (local.get $v0))
          (block $v_done (loop $v_loop
            (br_if $v_done (i32.ge_u (local.get $v) (local.get $vEnd)))
            (i32.store (local.get $d) (i32.load (local.get $s)))
            (local.set $s (i32.add (local.get $s) (local.get $srcStrideV)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $v (i32.add (local.get $v) (i32.const 1)))
            (br $v_loop)))
          (local.set $u (i32.add (local.get $u) (i32.const 1)))
          (br $u_loop)))
        (local.set $u0 (i32.add (local.get $u0) (i32.const 16)))
        (br $u0_loop)))
      (local.set $v0 (i32.add (local.get $v0) (i32.const 16)))
      (br $v0_loop))))
)
