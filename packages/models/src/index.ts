// @edm/models: the EDM reference U-Nets (SongUNet DDPM++/NCSN++, DhariwalUNet ADM) and the EDM2 U-Net on
// tfjs-core, and safetensors checkpoints compatible with NVlabs EDM and EDM2 state_dicts.
import '@edm/core';

export {
  decodeSafetensors,
  decodeSafetensorsHeader,
  safetensorsHeaderLength,
  MAX_SAFETENSORS_HEADER,
  encodeSafetensors,
  encodeSafetensorsHeader,
  float32ToBytes,
  tensorToFloat32,
  SAFETENSORS_DTYPE_SIZE,
} from './io/safetensors';
export type {
  SafetensorsDtype, SafetensorsHeader, SafetensorsHeaderEntry, SafetensorsHeaderTensor, SafetensorsTensor,
} from './io/safetensors';

export {
  checkCheckpointHeader, loadNetwork, loadNetworkSync, saveNetwork, CHECKPOINT_FORMAT,
  type CheckpointTensorInfo, type LoadNetworkOptions, type SaveNetworkOptions,
} from './io/checkpoint';
export { printable } from './io/printable';
export {
  createNetwork, Network, type CreateNetworkOptions, type NetworkBackbone, type NetworkHandle, type NetworkPrecond,
} from './network';
export {
  resolveConfig, parsePythonJson, stringifyPythonJson, EDM2_CLASS, PRECOND_CLASSES, PRECOND_KWARGS,
  type ModelType, type NetworkConfig, type PrecondClassName,
} from './config';
export { SongUNet, SONG_UNET_KWARGS, type SongUNetKwargs } from './networks/song-unet';
export { DhariwalUNet, DHARIWAL_UNET_KWARGS, type DhariwalUNetKwargs } from './networks/dhariwal-unet';
export { EDM2UNet, EDM2_UNET_KWARGS, type EDM2UNetKwargs } from './networks/edm2-unet';
export { EDM2Uncertainty } from './networks/edm2-uncertainty';
export type { ParamSpec, TorchLayout } from './layers/param-store';
export type { InitMode } from './layers/init';

// NVlabs snapshot (.pkl) -> checkpoint converter (src/convert, its own README).
export * from './convert/index';
