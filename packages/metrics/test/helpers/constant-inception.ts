// Test helper: a complete FID Inception weights file of a few hundred KB (every tensor a stride-0 view of a
// one-element storage) whose network output is known: conv weights 0, BatchNorm gamma 1, beta 0.5, mean 0.25,
// var 1, so every BasicConv2d outputs relu(0.5 - 0.25 / sqrt(1 + 1e-3)) everywhere, and so does pool3.
import { INCEPTION_TENSORS } from '../../src/index';
import { floatStorage, type EntrySpec, type StateDictSpec } from '../../../models/test/torch-save-writer';

/**
 * A state_dict of the FID Inception's names: conv weights 0, BatchNorm gamma 1, beta 0.5, mean 0.25, var 1,
 * so every BasicConv2d outputs relu(0.5 - 0.25 / sqrt(1 + 1e-3)) wherever it is: a known pool3.
 */
export function constantSpec(change: (entries: EntrySpec[]) => EntrySpec[] = (e) => e): StateDictSpec {
  const storages = new Map([
    ['zero', floatStorage([0])], ['one', floatStorage([1])], ['half', floatStorage([0.5])], ['quarter', floatStorage([0.25])],
    ['count', { storageType: 'LongStorage' as const, bytes: new Uint8Array(8) }],
  ]);
  const key = (name: string): string => {
    if (name.endsWith('.bn.weight') || name.endsWith('.running_var')) return 'one';
    if (name.endsWith('.bn.bias')) return 'half';
    if (name.endsWith('.running_mean')) return 'quarter';
    return 'zero';
  };
  const entries: EntrySpec[] = [];
  for (const t of INCEPTION_TENSORS) {
    entries.push({ name: t.name, storage: key(t.name), size: t.shape, stride: t.shape.map(() => 0) });
    if (t.name.endsWith('.running_var')) entries.push({ name: t.name.replace('running_var', 'num_batches_tracked'), storage: 'count', size: [] });
  }
  return { storages, entries: change(entries), orderedWithMetadata: true };
}

/** Every pool3 feature of the constant network. */
export const EXPECTED_FEATURE = Math.fround(0.5 - 0.25 / Math.sqrt(1 + 1e-3));

