// @edm/models: the EDM reference U-Nets on tfjs-core, and safetensors checkpoints.
export {
  decodeSafetensors,
  encodeSafetensors,
  encodeSafetensorsHeader,
  float32ToBytes,
  tensorToFloat32,
  SAFETENSORS_DTYPE_SIZE,
} from './io/safetensors';
export type { SafetensorsDtype, SafetensorsHeaderEntry, SafetensorsTensor } from './io/safetensors';
