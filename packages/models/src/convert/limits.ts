// The converter's limits: what a crafted pickle could otherwise use to exhaust memory, time or the stack
// (README "Limits"). Each is far above what an NVlabs snapshot needs: the ImageNet-64 ADM network has about
// 600 tensors, a few tens of thousands of pickled values, kwargs of a few hundred bytes, nesting below 10.

/** Values one pickle may build (containers, scalars, strings, and each item put into a container). */
export const MAX_PICKLE_VALUES = 1_000_000;
/** Nesting depth of values and of modules that the converter walks. */
export const MAX_NESTING = 100;
/** Bytes of JSON metadata written (`edm.network` and `edm.snapshot`, each). */
export const MAX_METADATA_BYTES = 1 << 20;
/** Tensors in the converted state_dict (and modules visited to collect them). */
export const MAX_TENSORS = 65_536;
/** Bytes of the checkpoint's header (tensor names, shapes, metadata). */
export const MAX_HEADER_BYTES = 16 << 20;
