// The networks `counts` and `profile` measure: the mnist preset's DDPM++, a wider MNIST network (what the preset's
// users train next), and the DDPM++ benchmark networks, each with its training batch.
import type { NetworkConfig } from '@edm/models';
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
