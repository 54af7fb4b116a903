// The training state (training-state.safetensors in the run folder): everything a resumed run needs to
// continue bit-exactly — raw weights, EMA weights, Adam moments and step, the image/step counters, the
// partial tick's loss sums and the seed (randomness is a function of (seed, step), see random.ts).
// Tensors are F32 in our (tfjs) layouts, named `net/<param>`, `ema/<param>`, `adam_m/<param>`,
// `adam_v/<param>`; counters in the `edm.state` metadata JSON.
import * as tf from '@tensorflow/tfjs-core';
import { closeSync } from 'node:fs';
import { decodeSafetensors, encodeSafetensors, float32ToBytes, tensorToFloat32, type SafetensorsTensor } from '@edm/models';
import { CliError, errorMessage } from '../command/errors';
import { writeFileAtomic } from '../io/atomic';
import { inputFileSize, openInput } from '../io/read-file';
import { readCheckpointBytes, readSafetensorsHeader } from '../net/checkpoint';
import { checkStateValues } from './state-check';

/** File name of the state in a run folder. */
export const STATE_FILE = 'training-state.safetensors';

/** Counters of a run. */
export interface Counters {
  /** Optimizer steps taken. */
  step: number;
  /** Images seen (cur_nimg). */
  nimg: number;
  /** Ticks completed. */
  tick: number;
  /** nimg at the start of the current tick. */
  tickStartNimg: number;
  /** Sum and sum of squares of the per-step losses in the current tick, and their count. */
  tickLossSum: number;
  tickLossSqSum: number;
  tickSteps: number;
  /** Adam's step counter t. */
  adamStep: number;
  /** The run seed. */
  seed: number;
}

/** Variable groups saved in the state. */
export interface StateTensors {
  net: Map<string, tf.Variable>;
  ema: Map<string, tf.Variable>;
  adamM: Map<string, tf.Variable>;
  adamV: Map<string, tf.Variable>;
}

const GROUPS = [['net', 'net'], ['ema', 'ema'], ['adamM', 'adam_m'], ['adamV', 'adam_v']] as const;

/** Writes the state atomically. */
export async function saveState(path: string, tensors: StateTensors, counters: Counters, networkJson: string): Promise<void> {
  const out = new Map<string, SafetensorsTensor>();
  for (const [key, prefix] of GROUPS) {
    for (const [name, v] of tensors[key]) {
      const data = (await v.data()) as Float32Array;
      out.set(`${prefix}/${name}`, { dtype: 'F32', shape: [...v.shape], data: float32ToBytes(data) });
    }
  }
  const bytes = encodeSafetensors(out, { 'edm.format': '1', 'edm.state': JSON.stringify(counters), 'edm.network': networkJson });
  writeFileAtomic(path, bytes);
}

/** A state file read up to its header: the counters (unchecked: see state-check.ts), the network JSON, a loader. */
export interface StateFile {
  counters: unknown;
  networkJson: string;
  /**
   * Checks every tensor against the variables (names, shapes; then every value finite, Adam's second moments
   * not negative) and only then reads them into the variables. Throws a CliError naming the tensor.
   */
  assign(tensors: StateTensors): void;
}

/** Reads a state file's header (not its tensors: `assign` does, after the caller has checked the counters). */
export function readState(path: string): StateFile {
  const size = inputFileSize(path, 'training state');
  const fd = openInput(path, 'training state');
  let header: ReturnType<typeof readSafetensorsHeader>;
  try {
    header = readSafetensorsHeader(fd, path, size, 'training state');
  } finally {
    closeSync(fd);
  }
  let counters: unknown;
  try {
    counters = JSON.parse(header.metadata['edm.state'] ?? 'null');
  } catch (e) {
    throw new CliError(`${path}: not a valid training state: its 'edm.state' metadata is not JSON (${errorMessage(e)})`);
  }
  if (counters === null || typeof counters !== 'object') {
    throw new CliError(`${path}: not a training state (no 'edm.state' counters in its metadata)`);
  }
  const networkJson = header.metadata['edm.network'] ?? '';
  const assign = (tensors: StateTensors) => {
    const expected = new Map<string, tf.Variable>();
    for (const [key, prefix] of GROUPS) for (const [name, v] of tensors[key]) expected.set(`${prefix}/${name}`, v);
    for (const [full, v] of expected) {
      const t = header.tensors.get(full);
      if (!t) throw new CliError(`${path}: tensor '${full}' is missing from the training state`);
      if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
        throw new CliError(`${path}: tensor '${full}' has shape [${t.shape.join(', ')}], expected [${v.shape.join(', ')}]`);
      }
    }
    for (const name of header.tensors.keys()) {
      if (!expected.has(name)) throw new CliError(`${path}: unexpected tensor '${name}' in the training state (was it made by another network config?)`);
    }
    const { tensors: data } = decodeSafetensors(readCheckpointBytes(path, 'training state'), path);
    const values = (full: string) => tensorToFloat32(data.get(full)!, `${path}: tensor '${full}'`);
    // Every value is checked before any variable changes: a damaged state is refused whole.
    for (const full of expected.keys()) checkStateValues(values(full), full, path);
    for (const [full, v] of expected) {
      const x = values(full);
      tf.tidy(() => v.assign(tf.tensor(x, v.shape, 'float32')));
    }
  };
  return { counters, networkJson, assign };
}
