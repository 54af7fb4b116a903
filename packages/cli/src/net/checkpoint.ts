// Reading a checkpoint from disk: clear errors that name the file (missing, unreadable, not a safetensors
// checkpoint, bad tensors), never a stack trace from inside the loader.
import { readFileSync, statSync } from 'node:fs';
import { loadNetwork } from '@edm/models';
import { CliError, errorMessage } from '../command/errors';

/** The loaded network type. */
export type LoadedNetwork = Awaited<ReturnType<typeof loadNetwork>>;

/** Reads a file's bytes, with a clear error when it is missing or a folder. */
export function readCheckpointBytes(path: string, what = 'checkpoint'): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new CliError(`${what} '${path}' is a folder; expected a .safetensors file`);
    size = st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${what} '${path}' not found`);
  }
  if (size === 0) throw new CliError(`${what} '${path}' is empty`);
  return new Uint8Array(readFileSync(path));
}

/** Loads a network checkpoint (.safetensors in the edm format). */
export async function loadCheckpoint(path: string): Promise<LoadedNetwork> {
  const bytes = readCheckpointBytes(path);
  try {
    return await loadNetwork(bytes, { source: path });
  } catch (e) {
    throw new CliError(`${path}: not a valid edm checkpoint: ${errorMessage(e)}`);
  }
}
