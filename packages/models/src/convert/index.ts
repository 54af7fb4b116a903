// edm convert: NVlabs EDM network snapshots (.pkl) -> safetensors checkpoints, with no Python and no code
// execution. Browser-safe (README.md in this folder).

export { bytesSource, type ByteSource } from './byte-source';
export { PickleError, SnapshotError, TruncatedPickleError } from './errors';
export {
  convertSnapshot, convertSnapshotTo, SNAPSHOT_METADATA_KEY,
  type ConvertProgress, type ConvertSnapshotOptions, type ConvertSummary,
} from './convert';
export {
  readSnapshot, SUPPORTED_BACKBONES, SUPPORTED_PRECONDITIONINGS,
  type ReadSnapshotOptions, type SnapshotContents, type SnapshotNetwork,
} from './snapshot';
export { ALLOWED_GLOBALS, STATE_DICT_GLOBALS } from './allow-list';
export {
  readTorchStateDict, stateDictTensorF32, type ReadTorchStateDictOptions, type TorchStateDict,
} from './torch-state-dict';
export type { StateDictEntry } from './state-dict';
export type { TorchTensor, TorchStorage, TorchDtype } from './pickle-values';
export { MAX_ZIP_DIRECTORY, readZipDirectory, zipEntryDataOffset, type ZipDirectoryEntry } from './zip-archive';
