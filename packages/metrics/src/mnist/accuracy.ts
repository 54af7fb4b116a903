// Class accuracy of labelled images as the MNIST judge reads them: the fraction whose most probable class is
// their label (overall and per label), and the mean probability the judge gives the label (confidence).
import { MNIST_JUDGE_CLASSES } from './judge';

/** Accuracy figures of one set of images. */
export interface ClassAccuracy {
  /** Fraction read as their label. */
  accuracy: number;
  /** The same per label 0..9 (NaN for a label with no image). */
  perClass: number[];
  /** Mean probability of the label. */
  confidence: number;
}

/** Index of the largest value. */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** Accuracy of class probabilities [N, 10] (as MnistJudge.judge gives them) against labels [N]. */
export function classAccuracy(judged: { probs: Float32Array }, labels: ArrayLike<number>): ClassAccuracy {
  const k = MNIST_JUDGE_CLASSES;
  const n = labels.length;
  if (judged.probs.length !== n * k) {
    throw new Error(`classAccuracy: ${judged.probs.length / k} images judged, ${n} labels given`);
  }
  if (n === 0) throw new Error('classAccuracy: no images');
  const right = new Array<number>(k).fill(0);
  const total = new Array<number>(k).fill(0);
  let confidence = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= k) throw new Error(`classAccuracy: label ${i} is ${label}, expected 0..${k - 1}`);
    const p = judged.probs.subarray(i * k, (i + 1) * k);
    total[label]!++;
    if (argmax(p) === label) right[label]!++;
    confidence += p[label]!;
  }
  return {
    accuracy: right.reduce((a, b) => a + b, 0) / n,
    perClass: right.map((r, c) => (total[c] ? r / total[c]! : NaN)),
    confidence: confidence / n,
  };
}
