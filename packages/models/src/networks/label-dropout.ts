// The class labels a U-Net maps into its embedding (training/networks.py, SongUNet and DhariwalUNet): in
// training with label_dropout p, each sample's labels are zeroed with probability p (mask U[0, 1) >= p, the
// U-Net's training draw 0), which trains the unconditional model of classifier-free guidance.
import * as tf from '@tensorflow/tfjs-core';
import { trainingSeed } from '../layers/unet-block';

/**
 * classLabels [N, labelDim], with label dropout applied when `training` and labelDropout > 0. Throws, naming
 * the network `where`, when a conditional network gets no labels. Call inside a tf.tidy.
 */
export function dropClassLabels(
  where: string,
  classLabels: tf.Tensor2D | null | undefined,
  labelDim: number,
  labelDropout: number,
  training: boolean,
  seed: number | undefined,
): tf.Tensor2D {
  if (!classLabels) throw new Error(`${where}: classLabels [N, ${labelDim}] are required (label_dim = ${labelDim})`);
  if (!(training && labelDropout)) return classLabels;
  const keep = tf.greaterEqual(tf.randomUniform([classLabels.shape[0], 1], 0, 1, 'float32', trainingSeed(seed, 0)), labelDropout);
  return tf.mul(classLabels, tf.cast(keep, 'float32'));
}
