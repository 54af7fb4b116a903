// The one place where tfjs-core is completed (DEVELOPERS.md, "Facts"): tfjs-core's public entry registers
// no gradients and no chained ops (`x.add(y)`), so training and third-party code that chains would fail.
// Every @edm package reaches tfjs through @edm/core, which imports this module first.
//
// - Browsers and bundlers (and vitest) resolve these ESM deep imports themselves.
// - Plain Node loads tfjs-core's CommonJS bundle, which cannot take these ESM files; the package's
//   `node` export (dist/index.node.js, built by scripts/build.mjs) bundles them in. tfjs keeps its engine and
//   gradient registry on the global object, so both land in the one engine.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

export {};
