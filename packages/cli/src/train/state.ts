// The training state (training-state.safetensors in the run folder): everything a resumed run needs to
// continue bit-exactly — raw weights, EMA weights, Adam moments and step, the image/step counters, the
// partial tick's loss sums and the seed (randomness is a function of (seed, step), see random.ts).
// Tensors are F32 in our (tfjs) layouts, named `net/<param>`, `ema/<param>`, `adam_m/<param>`,
// `adam_v/<param>`; counters in the `edm.state` metadata JSON.
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, encodeSafetensors, float32ToBytes, tensorToFloat32, type SafetensorsTensor } from '@edm/models';
import { CliError, errorMessage } from '../command/errors';
import { writeFileAtomic } from '../io/atomic';
import { readCheckpointBytes } from '../net/checkpoint';

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

/** Reads a state file: the counters, the network JSON and a loader that assigns tensors into variables. */
export function readState(path: string): { counters: Counters; networkJson: string; assign: (tensors: StateTensors) => void } {
  const bytes = readCheckpointBytes(path, 'training state');
  let decoded: ReturnType<typeof decodeSafetensors>;
  let counters: Counters;
  try {
    decoded = decodeSafetensors(bytes, path);
    counters = JSON.parse(decoded.metadata['edm.state'] ?? 'null') as Counters;
  } catch (e) {
    throw new CliError(`${path}: not a valid training state: ${errorMessage(e)}`);
  }
  if (!counters || typeof counters.step !== 'number' || typeof counters.nimg !== 'number') {
    throw new CliError(`${path}: not a training state (no 'edm.state' counters in its metadata)`);
  }
  const networkJson = decoded.metadata['edm.network'] ?? '';
  const assign = (tensors: StateTensors) => {
    const expected = new Set<string>();
    for (const [key, prefix] of GROUPS) {
      for (const [name, v] of tensors[key]) {
        const full = `${prefix}/${name}`;
        expected.add(full);
        const t = decoded.tensors.get(full);
        if (!t) throw new CliError(`${path}: tensor '${full}' is missing from the training state`);
        if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
          throw new CliError(`${path}: tensor '${full}' has shape [${t.shape.join(', ')}], expected [${v.shape.join(', ')}]`);
        }
        const values = tensorToFloat32(t, full);
        tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
      }
    }
    for (const name of decoded.tensors.keys()) {
      if (!expected.has(name)) throw new CliError(`${path}: unexpected tensor '${name}' in the training state (was it made by another network config?)`);
    }
  };
  return { counters, networkJson, assign };
}
