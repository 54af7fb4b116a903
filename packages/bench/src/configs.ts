// The benchmark networks (EDMPrecond + SongUNet DDPM++, 32x32x3), with the PyTorch reference
// figures measured on this machine class (PyTorch 1.13 CPU, 2 threads, NVlabs code).
import type { NetworkConfig } from '@edm/models';

export interface BenchConfig {
  /** What the table calls it. */
  label: string;
  network: NetworkConfig;
  /** PyTorch reference: forward b1, forward b8, training step b8 (ms), where measured. */
  reference?: { forwardB1: number; forwardB8: number; trainB8: number };
}

const ddpmpp = (modelChannels: number, channelMult: number[], numBlocks: number, resolution = 32): NetworkConfig => ({
  class_name: 'EDMPrecond',
  kwargs: {
    img_resolution: resolution, img_channels: 3, label_dim: 0, model_type: 'SongUNet', model_channels: modelChannels,
    channel_mult: channelMult, num_blocks: numBlocks, attn_resolutions: [resolution / 2], dropout: 0,
    embedding_type: 'positional', encoder_type: 'standard', decoder_type: 'standard', channel_mult_noise: 1,
    resample_filter: [1, 1],
  },
});

export const CONFIGS: Record<string, BenchConfig> = {
  tiny: {
    label: 'tiny DDPM++ (16, [1,2], 1 block, attn 8, 16x16; every engine finishes it, SwiftShader included)',
    network: ddpmpp(16, [1, 2], 1, 16),
  },
  small: {
    label: 'small DDPM++ (32, [1,2,2], 2 blocks, attn 16)',
    network: ddpmpp(32, [1, 2, 2], 2),
    reference: { forwardB1: 20, forwardB8: 88, trainB8: 290 },
  },
  cifar10: {
    label: 'CIFAR-10 DDPM++ (128, [2,2,2], 4 blocks, attn 16)',
    network: ddpmpp(128, [2, 2, 2], 4),
    reference: { forwardB1: 240, forwardB8: 1770, trainB8: 6800 },
    // The training step at batch 8 fits wasm's 4 GiB heap since leanVariableGrads and the Adam fix (heap
    // 3.1-3.3 GiB); with tf.variableGrads it did not.
  },
};
