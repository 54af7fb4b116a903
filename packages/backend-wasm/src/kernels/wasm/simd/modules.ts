// Every WebAssembly module of ours (simd/*.wat compiled by scripts/wat.mjs), for preparing them all at once.
import { ADAM_WASM } from './adam-wasm';
import { BINARY_WASM } from './binary-wasm';
import { CONCAT_WASM } from './concat-wasm';
import { CONV_FILTER_WASM } from './conv-filter-wasm';
import { CONV_WASM } from './conv-wasm';
import { GROUP_NORM_WASM } from './group-norm-wasm';
import type { WatBinaries } from './instance';
import { REDUCE_SUM_WASM } from './reduce-sum-wasm';
import { RESAMPLE2X_WASM } from './resample2x-wasm';
import { TRANSPOSE_WASM } from './transpose-wasm';
import { WINOGRAD_WASM } from './winograd-wasm';
import { WINOGRAD4_WASM } from './winograd4-wasm';

/** All our modules' binaries. */
export const SIMD_MODULES: readonly WatBinaries[] = [
  ADAM_WASM, BINARY_WASM, CONCAT_WASM, CONV_FILTER_WASM, CONV_WASM, GROUP_NORM_WASM, REDUCE_SUM_WASM, RESAMPLE2X_WASM,
  TRANSPOSE_WASM, WINOGRAD_WASM, WINOGRAD4_WASM,
];
