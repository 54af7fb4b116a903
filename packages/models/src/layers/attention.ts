// Multi-head self-attention over pixels (reference UNetBlock attention + AttentionOp), NHWC.
// The reference reshapes the qkv conv output [N, 3C, H, W] to [N * heads, C / heads, 3, HW]: channel
// index (h * C/heads + c) * 3 + j holds q (j=0), k (j=1), v (j=2) of head h, channel c. Then
//   w = softmax_k(q . k / sqrt(C/heads)),  a[c, q] = sum_k w[q, k] v[c, k].
// EDM2's blocks (networks_edm2.py Block) use the same layout and first normalise each of q, k, v over its
// head's channels (pixel norm, `pixelNorm`).
import * as tf from '@tensorflow/tfjs-core';
import { leanReshape, leanScale } from './lean-reshape';
import { normalize } from './normalize';

/**
 * qkv: [N, H, W, 3C] (reference channel order) -> attention output [N, H, W, C] (before the projection).
 * `pixelNorm`: q, k and v normalised over each head's channels first (EDM2).
 */
export function selfAttention(qkv: tf.Tensor4D, numHeads: number, pixelNorm = false): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c3] = qkv.shape;
    const c = c3 / 3;
    const ch = c / numHeads;
    const hw = h * w;
    // Reshapes and the 1/sqrt(ch) scale whose gradients keep no tensors (lean-reshape.ts): the same values
    // and gradients, without keeping qkv-sized activations alive for their shapes.
    // [N, HW, heads, ch, 3] -> [3, N, heads, HW, ch]
    let heads = leanReshape<tf.Tensor5D>(qkv, [n, hw, numHeads, ch, 3]);
    if (pixelNorm) heads = normalize(heads, [3]);
    const t = tf.transpose(heads, [4, 0, 2, 1, 3]);
    const [q, k, v] = tf.unstack(leanReshape(t, [3, n * numHeads, hw, ch])) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const logits = tf.matMul(q, leanScale(k, 1 / Math.sqrt(ch)), false, true); // [N*heads, HWq, HWk]
    const weights = tf.softmax(logits);
    const a = tf.matMul(weights, v); // [N*heads, HW, ch]
    return leanReshape(tf.transpose(leanReshape(a, [n, numHeads, hw, ch]), [0, 2, 1, 3]), [n, h, w, c]);
  });
}
