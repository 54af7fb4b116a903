;; Strided row copies on tfjs-backend-wasm's heap. For Concat (`rows`): copies `rows` rows of `rowBytes` bytes
;; from a contiguous source into a destination whose rows are `dstStride` bytes apart. For Slice and SplitV
;; (`gather`): the other way round, rows `srcStride` bytes apart into a contiguous destination. tfjs 4.22's
;; Concat does one JavaScript subarray + set per row: 6% of sampling the MNIST model, where the U-Net's skip
;; concatenations have rows of 32-128 floats; a channel slice (the gradient of those concatenations) did the
;; same in our slice kernel, 12-36 floats per row. Bytes are copied, never computed. Compiled by scripts/wat.mjs
;; into concat-wasm.ts (do not edit that).
(module
  (import "env" "memory" (memory MEMORY_LIMITS))

  (func (export "rows") (param $dst i32) (param $src i32) (param $rows i32) (param $rowBytes i32) (param $dstStride i32)
    (local $r i32) (local $k i32)
    (if (i32.and (local.get $rowBytes) (i32.const 15))
      ;; rows not a multiple of 16 bytes: one bulk copy per row
      (then
        (local.set $r (i32.const 0))
        (block $done (loop $row
          (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
          (memory.copy (local.get $dst) (local.get $src) (local.get $rowBytes))
          (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
          (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $row))))
      ;; 16-byte multiples: vector copies
      (else
        (local.set $r (i32.const 0))
        (block $done (loop $row
          (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
          (local.set $k (i32.const 0))
          (block $row_done (loop $vec
            (br_if $row_done (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (v128.store (i32.add (local.get $dst) (local.get $k)) (v128.load (i32.add (local.get $src) (local.get $k))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $vec)))
          (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
          (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $row))))))

  (func (export "gather") (param $dst i32) (param $src i32) (param $rows i32) (param $rowBytes i32) (param $srcStride i32)
    (local $r i32) (local $k i32)
    (if (i32.and (local.get $rowBytes) (i32.const 15))
      ;; rows not a multiple of 16 bytes: one bulk copy per row
      (then
        (local.set $r (i32.const 0))
        (block $done (loop $row
          (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
          (memory.copy (local.get $dst) (local.get $src) (local.get $rowBytes))
          (local.set $dst (i32.add (local.get $dst) (local.get $rowBytes)))
          (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $row))))
      ;; 16-byte multiples: vector copies
      (else
        (local.set $r (i32.const 0))
        (block $done (loop $row
          (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
          (local.set $k (i32.const 0))
          (block $row_done (loop $vec
            (br_if $row_done (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (v128.store (i32.add (local.get $dst) (local.get $k)) (v128.load (i32.add (local.get $src) (local.get $k))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $vec)))
          (local.set $dst (i32.add (local.get $dst) (local.get $rowBytes)))
          (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $row))))))
)
