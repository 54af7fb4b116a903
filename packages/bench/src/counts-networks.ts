// The networks `counts` and `profile` measure: the mnist preset's DDPM++, a wider MNIST network (what the preset's
// users train next), and the DDPM++ benchmark networks, each with its training batch; and the training step both
// time, `edm train`'s.
import * as tf from '@tensorflow/tfjs-core';
import { Adam, EDMLoss, leanVariableGrads } from '@edm/core';
import type { Network, NetworkConfig } from '@edm/models';
import { CONFIGS } from './configs';

const mnist = (modelChannels: number, numBlocks: number): NetworkConfig => ({
  class_name: 'EDMPrecond',
  kwargs: {
    img_resolution: 28, img_channels: 1, label_dim: 10, model_type: 'SongUNet', model_channels: modelChannels,
    channel_mult: [1, 2, 2], num_blocks: numBlocks, attn_resolutions: [], dropout: 0, embedding_type: 'positional',
    encoder_type: 'standard', decoder_type: 'standard', channel_mult_noise: 1, resample_filter: [1, 1],
  },
});

/** The networks counted: label, network and training batch. */
export const NETWORKS: Record<string, { label: string; network: NetworkConfig; batch: number }> = {
  mnist: { label: 'mnist preset DDPM++ (12, [1,2,2], 1 block, 28x28x1, 10 classes)', network: mnist(12, 1), batch: 16 },
  mnist32: { label: 'wider MNIST DDPM++ (32, [1,2,2], 2 blocks, 28x28x1, 10 classes)', network: mnist(32, 2), batch: 32 },
  ...Object.fromEntries(Object.entries(CONFIGS).map(([k, c]) => [k, { label: c.label, network: c.network, batch: 8 }])),
};

/** The network's image resolution, channels and label count. */
export function imageShape(network: NetworkConfig): { res: number; ch: number; labelDim: number } {
  const k = network.kwargs as { img_resolution: number; img_channels: number; label_dim: number };
  return { res: k.img_resolution, ch: k.img_channels, labelDim: k.label_dim };
}

/** One-hot labels 0, 1, 2, ... for n images, or null for an unconditional network. */
export function labelsOf(labelDim: number, n: number): tf.Tensor2D | null {
  if (!labelDim) return null;
  return tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % labelDim), 'int32'), labelDim).toFloat() as tf.Tensor2D;
}

/**
 * `edm train`'s step (packages/cli/src/train/step.ts) on fixed random data of `batch` images: sum of the per-pixel
 * loss / batch, lean gradients, Adam. `dispose` frees the data and Adam's moments (not the network).
 */
export function trainingStep(net: Network, network: NetworkConfig, batch: number): { step: () => Promise<void>; dispose: () => void } {
  const { res, ch, labelDim } = imageShape(network);
  const params = net.parameters();
  const vars = [...params.values()];
  const adam = new Adam(params);
  const loss = new EDMLoss();
  const images = tf.randomUniform([batch, res, res, ch], -1, 1, 'float32', 2) as tf.Tensor4D;
  const labels = labelsOf(labelDim, batch);
  const rnd = tf.randomNormal([batch], 0, 1, 'float32', 3) as tf.Tensor1D;
  const eps = tf.randomNormal([batch, res, res, ch], 0, 1, 'float32', 4) as tf.Tensor4D;
  const step = async () => {
    const { value, grads } = leanVariableGrads(() => tf.tidy(() =>
      tf.div(tf.sum(loss.call(net, images, { labels, rnd, eps, training: true })), batch) as tf.Scalar), vars);
    const byName: tf.NamedTensorMap = {};
    for (const [pn, v] of params) byName[pn] = grads[v.name]!;
    adam.apply(byName, 1e-4);
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const dispose = () => {
    tf.dispose(labels ? [images, labels, rnd, eps] : [images, rnd, eps]);
    adam.dispose();
  };
  return { step, dispose };
}
