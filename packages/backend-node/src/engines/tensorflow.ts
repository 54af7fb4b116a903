// libtensorflow through tfjs-node-gpu (CUDA 11.2 + cuDNN 8.1) or tfjs-node (CPU). Both are optional peers
// that register the tfjs backend 'tensorflow' when imported.
import * as tf from '@tensorflow/tfjs-core';
import { EngineUnavailable } from '../types';
import { importOptional } from './load-package';

/** Loads `@tensorflow/tfjs-node-gpu` (gpu) or `@tensorflow/tfjs-node` and makes 'tensorflow' active. */
export async function startTensorflow(gpu: boolean): Promise<void> {
  const name = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  await importOptional(name, gpu
    ? 'npm install @tensorflow/tfjs-node-gpu; needs Linux x64, CUDA 11.2 and cuDNN 8.1'
    : 'npm install @tensorflow/tfjs-node');
  let ok = false;
  let why = 'tf.setBackend returned false';
  try {
    ok = await tf.setBackend('tensorflow');
    await tf.ready();
  } catch (e) {
    why = e instanceof Error ? e.message : String(e);
  }
  if (!ok || tf.getBackend() !== 'tensorflow') {
    throw new EngineUnavailable('init-failed', `${name} loaded but its 'tensorflow' backend did not start: ${why}`);
  }
}
