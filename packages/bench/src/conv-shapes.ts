// Per-shape timings of the wasm convolutions (forward, input gradient, filter gradient) by each algorithm our
// kernels have (the direct SIMD kernel, Winograd F(2x2, 3x3) and F(4x4, 3x3)), next to XNNPACK's convolution and
// the one the routing picks ('auto'), on the small networks' shapes: the table behind the routing in
// @edm/backend-wasm's conv2d-winograd.ts. Process CPU time per call (the machine is shared: CPU time moves less
// than wall time with other tenants' load), variants alternating round by round in one process, medians.
//   npm run conv-shapes -w @edm/bench -- [--threads 1] [--shapes 16x28x28x12x12,...] [--rounds 9]
// A shape is batch x height x width x input channels x output channels of a 3x3 'same' convolution.
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { convAlgorithm, filterGradientAlgorithm, forceConvAlgorithm, replacedWasmKernel, useNodeBackend, type ConvAlgorithm } from '@edm/backend-node';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

// The mnist preset's 3x3 layers at its batch (16) and at 32 with 24 base channels, and batch 1 (sampling).
const DEFAULT_SHAPES = [
  '16x28x28x12x12', '16x28x28x24x24', '16x28x28x36x12', '16x14x14x24x24', '16x14x14x48x24', '16x7x7x24x24',
  '16x7x7x48x24', '32x28x28x24x24', '32x28x28x72x24', '32x14x14x48x48', '32x7x7x48x48', '32x7x7x96x48',
  '1x28x28x12x12', '1x14x14x24x24', '1x7x7x24x24',
].join(',');

process.env.EDM_WASM_THREADS ??= arg('threads', '1');
const report = await useNodeBackend({ backend: 'wasm', strict: true });
const rounds = Number(arg('rounds', '9'));
const shapes = arg('shapes', DEFAULT_SHAPES).split(',').map((s) => {
  const dims = s.split('x').map(Number);
  if (dims.length !== 5 || dims.some((d) => !Number.isInteger(d) || d < 1)) throw new Error(`--shapes: '${s}' is not NxHxWxCixCo`);
  return dims as [number, number, number, number, number];
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const cpuMs = (fn: () => void, reps: number): number => {
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn();
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / 1000 / reps;
};

const xnnpackConv = replacedWasmKernel('Conv2D')!.kernelFunc;
const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 } as const;
const run = (kernel: string, inputs: tf.NamedTensorMap, kernelAttrs: object) => () =>
  (tf.engine().runKernel(kernel, inputs, kernelAttrs as never) as tf.Tensor).dispose();
const forced = (algorithm: ConvAlgorithm | null, fn: () => void) => () => {
  forceConvAlgorithm(algorithm);
  try {
    fn();
  } finally {
    forceConvAlgorithm(null);
  }
};

console.log(`wasm, ${report.threads ?? 1} thread(s); ms of process CPU per call (GFLOP/s of the direct ` +
  `convolution's operations), medians of ${rounds} rounds; load average ${loadavg()[0]!.toFixed(1)} at the start`);
console.log('| shape NxHxWxCi->Co | direction | auto picks | auto | direct | F(2x2) | F(4x4) | XNNPACK |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [n, h, w, ci, co] of shapes) {
  const x = tf.randomNormal([n, h, w, ci]) as tf.Tensor4D;
  const filter = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
  const dy = tf.randomNormal([n, h, w, co]) as tf.Tensor4D;
  const flops = 2 * n * h * w * 9 * ci * co;
  const conv = run('Conv2D', { x, filter }, attrs);
  const inputGrad = run('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: [n, h, w, ci] });
  const filterGrad = run('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, ci, co] });
  const info = (cin: number, cout: number) => tf.backend_util.computeConv2DInfo([n, h, w, cin], [3, 3, cin, cout], 1, 1, 'same');
  const rows: { direction: string; picks: string; variants: Record<string, () => void> }[] = [
    { direction: 'forward', picks: convAlgorithm(info(ci, co)), variants: {
      auto: conv, direct: forced('direct', conv), 'F(2x2)': forced('winograd2', conv), 'F(4x4)': forced('winograd4', conv),
      XNNPACK: () => tf.engine().makeTensorFromTensorInfo(xnnpackConv({ inputs: { x, filter }, backend: tf.backend(),
        attrs: attrs as never }) as tf.TensorInfo).dispose() } },
    // The input gradient is a convolution of dy (Co channels) with the flipped filter (Co -> Ci).
    { direction: 'input gradient', picks: convAlgorithm(info(co, ci)), variants: {
      auto: inputGrad, direct: forced('direct', inputGrad), 'F(2x2)': forced('winograd2', inputGrad),
      'F(4x4)': forced('winograd4', inputGrad) } },
    // The filter gradient by the same tiles as F(3x3, 2x2) and F(3x3, 4x4) (filterGradientAlgorithm picks).
    { direction: 'filter gradient', picks: filterGradientAlgorithm(n, h, w, [3, 3, ci, co]), variants: {
      auto: filterGrad, direct: forced('direct', filterGrad), 'F(2x2)': forced('winograd2', filterGrad),
      'F(4x4)': forced('winograd4', filterGrad) } },
  ];
  for (const row of rows) {
    const names = Object.keys(row.variants);
    const reps = Math.max(1, Math.round(2e7 / flops));
    for (const fn of Object.values(row.variants)) fn(); // warm-up
    const times: number[][] = names.map(() => []);
    // Each round starts at another variant, so none always runs first (after another shape's calls).
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < names.length; k++) {
        const i = (r + k) % names.length;
        times[i]!.push(cpuMs(row.variants[names[i]!]!, reps));
      }
    }
    const cell = (name: string) => {
      const i = names.indexOf(name);
      if (i < 0) return '';
      const ms = median(times[i]!);
      return `${ms.toFixed(ms < 1 ? 3 : 2)} (${(flops / ms / 1e6).toFixed(0)})`;
    };
    console.log(`| ${n}x${h}x${w}x${ci}->${co} | ${row.direction} | ${row.picks} | ${cell('auto')} | ${cell('direct')} | ` +
      `${cell('F(2x2)')} | ${cell('F(4x4)')} | ${cell('XNNPACK')} |`);
  }
  tf.dispose([x, filter, dy]);
}
console.log(`load average ${loadavg()[0]!.toFixed(1)} at the end`);
process.exit(0);
