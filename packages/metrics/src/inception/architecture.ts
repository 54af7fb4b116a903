// The FID Inception-v3 (Szegedy et al. 2016, "Rethinking the Inception Architecture"), as TensorFlow's graph
// inception-2015-12-05 computes it and pytorch-fid ports it ("FID Inception"): the layer list, with the
// state_dict names and shapes of `pt_inception-2015-12-05-6726825d.pth`. Every convolution is a
// BasicConv2d: conv without bias, BatchNorm (eps 1e-3, running statistics), ReLU. Shapes below are for the
// 299 x 299 input.
//
//   block 0: Conv2d_1a_3x3 (stride 2) 149 -> Conv2d_2a_3x3 147 -> Conv2d_2b_3x3 (pad 1) 147 -> max pool 3/2 73
//   block 1: Conv2d_3b_1x1 73 -> Conv2d_4a_3x3 71 -> max pool 3/2 35
//   block 2: Mixed_5b, 5c, 5d (InceptionA, 35) -> Mixed_6a (InceptionB, 17) -> Mixed_6b-6e (InceptionC, 17)
//   block 3: Mixed_7a (InceptionD, 8) -> Mixed_7b, 7c (InceptionE, 8) -> global average pool: 2048 (pool3)
//
// Where the FID network differs from torchvision's Inception-v3: the average pools of InceptionA, C and E
// leave the padding out of the average (TensorFlow's SAME pooling; count_include_pad=False), and Mixed_7c's
// pool branch is a 3x3 max pool instead. `fc` (1008 classes) is in the file but not used for features.

/** One BasicConv2d: its state_dict prefix and geometry (PyTorch's padding p is 'same' here whenever p > 0). */
export interface ConvSpec {
  /** The state_dict prefix, e.g. `Mixed_6b.branch7x7_2` (tensors `<name>.conv.weight`, `<name>.bn.*`). */
  name: string;
  inChannels: number;
  outChannels: number;
  /** Kernel [height, width]. */
  kernel: [number, number];
  stride: 1 | 2;
  /** 'same': PyTorch's padding ((kh - 1) / 2, (kw - 1) / 2) at stride 1; 'valid': no padding. */
  padding: 'same' | 'valid';
}

/** BatchNorm epsilon of every BasicConv2d (TensorFlow's graph; torchvision and pytorch-fid use 0.001). */
export const BATCH_NORM_EPS = 1e-3;
/** The input side the network was made for; images are resized to it. */
export const INCEPTION_SIZE = 299;
/** Width of the pool3 features. */
export const INCEPTION_FEATURES = 2048;
/** Classes of the unused `fc` layer (TensorFlow's graph has 1008 outputs; torchvision's 1000). */
export const INCEPTION_FC_CLASSES = 1008;

const convs: ConvSpec[] = [];
function conv(name: string, inChannels: number, outChannels: number, kernel: number | [number, number], stride: 1 | 2 = 1, padding: 'same' | 'valid' = 'same'): void {
  const k: [number, number] = typeof kernel === 'number' ? [kernel, kernel] : kernel;
  convs.push({ name, inChannels, outChannels, kernel: k, stride, padding: k[0] === 1 && k[1] === 1 ? 'valid' : padding });
}

// Stem (blocks 0 and 1).
conv('Conv2d_1a_3x3', 3, 32, 3, 2, 'valid');
conv('Conv2d_2a_3x3', 32, 32, 3, 1, 'valid');
conv('Conv2d_2b_3x3', 32, 64, 3);
conv('Conv2d_3b_1x1', 64, 80, 1);
conv('Conv2d_4a_3x3', 80, 192, 3, 1, 'valid');

/** InceptionA: 1x1 64 | 1x1 48 -> 5x5 64 | 1x1 64 -> 3x3 96 -> 3x3 96 | avg pool -> 1x1 pool. */
function inceptionA(p: string, cin: number, pool: number): void {
  conv(`${p}.branch1x1`, cin, 64, 1);
  conv(`${p}.branch5x5_1`, cin, 48, 1);
  conv(`${p}.branch5x5_2`, 48, 64, 5);
  conv(`${p}.branch3x3dbl_1`, cin, 64, 1);
  conv(`${p}.branch3x3dbl_2`, 64, 96, 3);
  conv(`${p}.branch3x3dbl_3`, 96, 96, 3);
  conv(`${p}.branch_pool`, cin, pool, 1);
}
inceptionA('Mixed_5b', 192, 32);
inceptionA('Mixed_5c', 256, 64);
inceptionA('Mixed_5d', 288, 64);

// InceptionB (Mixed_6a): 3x3/2 384 | 1x1 64 -> 3x3 96 -> 3x3/2 96 | max pool 3/2.
conv('Mixed_6a.branch3x3', 288, 384, 3, 2, 'valid');
conv('Mixed_6a.branch3x3dbl_1', 288, 64, 1);
conv('Mixed_6a.branch3x3dbl_2', 64, 96, 3);
conv('Mixed_6a.branch3x3dbl_3', 96, 96, 3, 2, 'valid');

/** InceptionC: 1x1 192 | 1x1 c7 -> 1x7 -> 7x1 192 | 1x1 c7 -> 7x1 -> 1x7 -> 7x1 -> 1x7 192 | avg pool -> 1x1 192. */
function inceptionC(p: string, c7: number): void {
  conv(`${p}.branch1x1`, 768, 192, 1);
  conv(`${p}.branch7x7_1`, 768, c7, 1);
  conv(`${p}.branch7x7_2`, c7, c7, [1, 7]);
  conv(`${p}.branch7x7_3`, c7, 192, [7, 1]);
  conv(`${p}.branch7x7dbl_1`, 768, c7, 1);
  conv(`${p}.branch7x7dbl_2`, c7, c7, [7, 1]);
  conv(`${p}.branch7x7dbl_3`, c7, c7, [1, 7]);
  conv(`${p}.branch7x7dbl_4`, c7, c7, [7, 1]);
  conv(`${p}.branch7x7dbl_5`, c7, 192, [1, 7]);
  conv(`${p}.branch_pool`, 768, 192, 1);
}
inceptionC('Mixed_6b', 128);
inceptionC('Mixed_6c', 160);
inceptionC('Mixed_6d', 160);
inceptionC('Mixed_6e', 192);

// InceptionD (Mixed_7a): 1x1 192 -> 3x3/2 320 | 1x1 192 -> 1x7 -> 7x1 -> 3x3/2 192 | max pool 3/2.
conv('Mixed_7a.branch3x3_1', 768, 192, 1);
conv('Mixed_7a.branch3x3_2', 192, 320, 3, 2, 'valid');
conv('Mixed_7a.branch7x7x3_1', 768, 192, 1);
conv('Mixed_7a.branch7x7x3_2', 192, 192, [1, 7]);
conv('Mixed_7a.branch7x7x3_3', 192, 192, [7, 1]);
conv('Mixed_7a.branch7x7x3_4', 192, 192, 3, 2, 'valid');

/** InceptionE: 1x1 320 | 1x1 384 -> (1x3, 3x1) 2x384 | 1x1 448 -> 3x3 384 -> (1x3, 3x1) 2x384 | pool -> 1x1 192. */
function inceptionE(p: string, cin: number): void {
  conv(`${p}.branch1x1`, cin, 320, 1);
  conv(`${p}.branch3x3_1`, cin, 384, 1);
  conv(`${p}.branch3x3_2a`, 384, 384, [1, 3]);
  conv(`${p}.branch3x3_2b`, 384, 384, [3, 1]);
  conv(`${p}.branch3x3dbl_1`, cin, 448, 1);
  conv(`${p}.branch3x3dbl_2`, 448, 384, 3);
  conv(`${p}.branch3x3dbl_3a`, 384, 384, [1, 3]);
  conv(`${p}.branch3x3dbl_3b`, 384, 384, [3, 1]);
  conv(`${p}.branch_pool`, cin, 192, 1);
}
inceptionE('Mixed_7b', 1280);
inceptionE('Mixed_7c', 2048);

/** Every BasicConv2d in state_dict order. */
export const INCEPTION_CONVS: readonly ConvSpec[] = convs;

/** One tensor the weights file must hold: name and PyTorch shape. */
export interface TensorSpec {
  name: string;
  shape: number[];
}

/**
 * The tensors of the FID Inception state_dict in its order (`num_batches_tracked`, int64 and unused, may be
 * present after each BatchNorm's running_var or absent).
 */
export const INCEPTION_TENSORS: readonly TensorSpec[] = [
  ...convs.flatMap((c) => [
    { name: `${c.name}.conv.weight`, shape: [c.outChannels, c.inChannels, c.kernel[0], c.kernel[1]] },
    ...['weight', 'bias', 'running_mean', 'running_var'].map((k) => ({ name: `${c.name}.bn.${k}`, shape: [c.outChannels] })),
  ]),
  { name: 'fc.weight', shape: [INCEPTION_FC_CLASSES, INCEPTION_FEATURES] },
  { name: 'fc.bias', shape: [INCEPTION_FC_CLASSES] },
];
