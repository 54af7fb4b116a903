// @edm/models: the EDM reference U-Nets (SongUNet DDPM++/NCSN++, DhariwalUNet ADM) on tfjs-core, and
// safetensors checkpoints compatible with NVlabs EDM state_dicts.
import '@edm/core';

export {
  decodeSafetensors,
  encodeSafetensors,
  encodeSafetensorsHeader,
  float32ToBytes,
  tensorToFloat32,
  SAFETENSORS_DTYPE_SIZE,
} from './io/safetensors';
export type { SafetensorsDtype, SafetensorsHeaderEntry, SafetensorsTensor } from './io/safetensors';

export { loadNetwork, loadNetworkSync, saveNetwork, CHECKPOINT_FORMAT, type LoadNetworkOptions } from './io/checkpoint';
export { printable } from './io/printable';
export { createNetwork, Network, type CreateNetworkOptions, type NetworkHandle, type Precond } from './network';
export {
  resolveConfig, parsePythonJson, stringifyPythonJson, PRECOND_CLASSES, PRECOND_KWARGS,
  type ModelType, type NetworkConfig, type PrecondClassName,
} from './config';
export { SongUNet, SONG_UNET_KWARGS, type SongUNetKwargs } from './networks/song-unet';
export { DhariwalUNet, DHARIWAL_UNET_KWARGS, type DhariwalUNetKwargs } from './networks/dhariwal-unet';
export type { ParamSpec, TorchLayout } from './layers/param-store';
export type { InitMode } from './layers/init';

// NVlabs snapshot (.pkl) -> checkpoint converter (src/convert, its own README).
export * from './convert/index';
