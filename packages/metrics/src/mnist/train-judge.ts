// Training the MNIST digit judge (judge.ts): Adam with a cosine-decayed learning rate, cross-entropy, random
// shifts of up to 2 pixels (generated digits are not always centred as MNIST's are) and dropout on the
// features. Seeded throughout (initial weights, data order, shifts, dropout), so a run is reproducible on one
// engine.
import * as tf from '@tensorflow/tfjs-core';
import { Adam, Xoshiro128 } from '@edm/core';
import { argmax, classAccuracy } from './accuracy';
import { MNIST_JUDGE_CLASSES, MNIST_JUDGE_SIZE, MnistJudge, bytesToInput } from './judge';

/** Labelled digits: N x 784 pixel bytes and N labels. */
export interface LabelledDigits {
  pixels: Uint8Array;
  labels: Int32Array;
}

/** Options of trainMnistJudge. */
export interface TrainJudgeOptions {
  /** Passes over the training digits (default 24). */
  epochs?: number;
  /** Digits per step (default 64). */
  batch?: number;
  /** Peak learning rate, decayed by a half cosine to 0 (default 2e-3). */
  lr?: number;
  /** Largest random shift in pixels, each axis (default 2). */
  shift?: number;
  /** Dropout probability on the features (default 0.3). */
  dropout?: number;
  /** Seed of everything random (default 0). */
  seed?: number;
  /** Digits to report accuracy on after each epoch (never trained on). */
  heldout?: LabelledDigits;
  /** Called after each epoch. */
  onEpoch?: (info: { epoch: number; loss: number; trainAccuracy: number; heldoutAccuracy?: number; seconds: number }) => void;
}

/** Fraction of `digits` the judge reads as their label. */
export async function judgeAccuracy(judge: MnistJudge, digits: LabelledDigits): Promise<number> {
  return classAccuracy(await judge.judge(digits.pixels), digits.labels).accuracy;
}

/** Copies digit `src` into `dst` moved by (dx, dy) pixels, zero-filled. */
function shiftDigit(src: Uint8Array, dst: Uint8Array, dx: number, dy: number): void {
  const s = MNIST_JUDGE_SIZE;
  dst.fill(0);
  for (let y = 0; y < s; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= s) continue;
    for (let x = 0; x < s; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < s) dst[y * s + x] = src[sy * s + sx]!;
    }
  }
}

/** Trains a judge from scratch on `train`. */
export async function trainMnistJudge(train: LabelledDigits, options: TrainJudgeOptions = {}): Promise<MnistJudge> {
  const { epochs = 24, batch = 64, lr = 2e-3, shift = 2, dropout = 0.3, seed = 0 } = options;
  const px = MNIST_JUDGE_SIZE * MNIST_JUDGE_SIZE;
  const n = train.labels.length;
  if (train.pixels.length !== n * px) {
    throw new Error(`trainMnistJudge: expected ${n} x ${px} pixel bytes for ${n} labels, got ${train.pixels.length}`);
  }
  const judge = MnistJudge.create(seed);
  const adam = new Adam(new Map(judge.params));
  const rng = new Xoshiro128(seed, 8);
  const stepsPerEpoch = Math.floor(n / batch);
  const totalSteps = epochs * stepsPerEpoch;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const bytes = new Uint8Array(batch * px);
  const onehot = new Float32Array(batch * MNIST_JUDGE_CLASSES);
  const names = new Map([...judge.params].map(([name, v]) => [v.name, name]));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const t0 = performance.now();
    for (let i = n - 1; i > 0; i--) {
      const j = rng.nextUint32() % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let lossSum = 0;
    let right = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      onehot.fill(0);
      const labels = new Int32Array(batch);
      for (let b = 0; b < batch; b++) {
        const k = order[s * batch + b]!;
        const d = 2 * shift + 1;
        shiftDigit(train.pixels.subarray(k * px, (k + 1) * px), bytes.subarray(b * px, (b + 1) * px),
          (rng.nextUint32() % d) - shift, (rng.nextUint32() % d) - shift);
        labels[b] = train.labels[k]!;
        onehot[b * MNIST_JUDGE_CLASSES + labels[b]!] = 1;
      }
      const step = epoch * stepsPerEpoch + s;
      const x = bytesToInput(bytes, batch);
      const y = tf.tensor2d(onehot, [batch, MNIST_JUDGE_CLASSES]);
      let logitsData: Float32Array | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = judge.forward(x, dropout, seed * 1_000_003 + step);
        logitsData = logits.dataSync() as Float32Array;
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      });
      const byName: Record<string, tf.Tensor> = {};
      for (const [vname, g] of Object.entries(grads)) byName[names.get(vname)!] = g;
      adam.apply(byName, lr * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps)));
      lossSum += (await value.data())[0]!;
      for (let b = 0; b < batch; b++) {
        if (argmax(logitsData!.subarray(b * MNIST_JUDGE_CLASSES, (b + 1) * MNIST_JUDGE_CLASSES)) === labels[b]) right++;
      }
      tf.dispose([x, y, value, ...Object.values(grads)]);
    }
    const heldoutAccuracy = options.heldout ? await judgeAccuracy(judge, options.heldout) : undefined;
    options.onEpoch?.({ epoch: epoch + 1, loss: lossSum / stepsPerEpoch, trainAccuracy: right / (stepsPerEpoch * batch),
      heldoutAccuracy, seconds: (performance.now() - t0) / 1000 });
  }
  adam.dispose();
  return judge;
}
