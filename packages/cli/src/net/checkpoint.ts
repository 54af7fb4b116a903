// Reading a checkpoint from disk: clear errors that name the file (missing, unreadable, not a safetensors
// checkpoint, bad tensors), never a stack trace from inside the loader. The header is read and checked
// against the network its config declares before the tensor data: a hostile or mistaken file (a 1.5 GiB
// checkpoint of the wrong shapes, a training state) is rejected after reading its first bytes.
import { closeSync } from 'node:fs';
import {
  checkCheckpointHeader, decodeSafetensorsHeader, loadNetwork, safetensorsHeaderLength, type SafetensorsHeader,
  type SafetensorsHeaderTensor,
} from '@edm/models';
import { CliError, errorMessage } from '../command/errors';
import { inputFileSize, openInput, readAt, readInputFile, readOpenFile } from '../io/read-file';

/** The loaded network type. */
export type LoadedNetwork = Awaited<ReturnType<typeof loadNetwork>>;

/** Reads a file's bytes (in parts past 2 GiB), with a clear error when it is missing, a folder or unreadable. */
export function readCheckpointBytes(path: string, what = 'checkpoint'): Uint8Array {
  return readInputFile(path, what);
}

/** What a checkpoint's header says (validated against the network its config declares). */
export interface CheckpointHeader {
  metadata: Record<string, string>;
  /** Every tensor of the file (dtype, shape), in data order. */
  tensors: Map<string, SafetensorsHeaderTensor>;
  /** File size in bytes. */
  byteLength: number;
  /** What the network its config declares makes (resolution, channels, classes), known before any data is read. */
  images: { imgResolution: number; imgChannels: number; labelDim: number };
}

function invalid(path: string, e: unknown, what = 'edm checkpoint'): CliError {
  return e instanceof CliError ? e : new CliError(`${path}: not a valid ${what}: ${errorMessage(e)}`);
}

/**
 * Reads and decodes the safetensors header of the open file `fd` (size `size`) alone: no tensor data is read.
 * Errors say `path: not a valid <what>: ...`.
 */
export function readSafetensorsHeader(fd: number, path: string, size: number, what: string): SafetensorsHeader {
  try {
    const first = new Uint8Array(Math.min(8, size));
    readAt(fd, path, first, 0, first.length, 0);
    const head = new Uint8Array(8 + safetensorsHeaderLength(first, size, path));
    readAt(fd, path, head, 0, head.length, 0);
    return decodeSafetensorsHeader(head, size, path);
  } catch (e) {
    throw invalid(path, e, what);
  }
}

/** Reads and checks the header of the open checkpoint `fd` (size `size`): no tensor data is read. */
function readHeader(fd: number, path: string, size: number): CheckpointHeader {
  const header = readSafetensorsHeader(fd, path, size, 'edm checkpoint');
  if (header.metadata['edm.state'] !== undefined) {
    throw new CliError(`${path}: is a training state (a run's training-state.safetensors: raw and EMA weights and ` +
      `Adam moments, for edm train --resume), not a network checkpoint; use one of the run's network-snapshot-*.safetensors`);
  }
  let images: CheckpointHeader['images'];
  try {
    const { imgResolution, imgChannels, labelDim } = checkCheckpointHeader(header.metadata, header.tensors, path);
    images = { imgResolution, imgChannels, labelDim };
  } catch (e) {
    throw invalid(path, e);
  }
  return { metadata: header.metadata, tensors: header.tensors, byteLength: size, images };
}

/**
 * Reads a checkpoint's header and checks it against the network its config declares, without reading the
 * tensor data (and without a tfjs backend): the fast way to reject a wrong file.
 */
export function readCheckpointHeader(path: string): CheckpointHeader {
  const size = inputFileSize(path, 'checkpoint');
  const fd = openInput(path, 'checkpoint');
  try {
    return readHeader(fd, path, size);
  } finally {
    closeSync(fd);
  }
}

/** Loads a network checkpoint (.safetensors in the edm format): the header is checked before the data is read. */
export async function loadCheckpoint(path: string): Promise<LoadedNetwork> {
  const size = inputFileSize(path, 'checkpoint');
  const fd = openInput(path, 'checkpoint');
  try {
    readHeader(fd, path, size);
    return await loadNetwork(readOpenFile(fd, path), { source: path });
  } catch (e) {
    throw invalid(path, e);
  } finally {
    closeSync(fd);
  }
}
