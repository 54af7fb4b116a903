// An NVlabs EDM network snapshot (training_loop.py's `network-snapshot-*.pkl`, and the official pretrained
// `edm-*.pkl`): a pickled dict {ema, loss_fn, augment_pipe, dataset_kwargs}. This reads one without running
// anything and returns the chosen network's constructor config and state_dict tensors.

import { Cursor, type ByteSource } from './byte-source';
import { PickleError, SnapshotError } from './errors';
import { snapshotHooks } from './allow-list';
import { runPickle } from './pickle-machine';
import { describePy, PersistentObject, PyDict, PyTuple } from './pickle-values';
import { JsonBudget, kwargToJson, summaryJson, type Json } from './py-json';
import { collectStateDict, moduleState, type StateDictEntry } from './state-dict';

/** Preconditioning classes of NVlabs training/networks.py the converter accepts (paper Table 1). */
export const SUPPORTED_PRECONDITIONINGS = ['EDMPrecond', 'VPPrecond', 'VEPrecond', 'iDDPMPrecond'] as const;
/** Backbones of NVlabs training/networks.py the converter accepts (DDPM++/NCSN++ and ADM). */
export const SUPPORTED_BACKBONES = ['SongUNet', 'DhariwalUNet'] as const;

/**
 * The entries NVlabs training_loop.py pickles beside the network, summarised into `edm.snapshot`. Any other
 * entry is not read into the output at all (only named in {@link SnapshotContents.skipped}).
 */
export const SNAPSHOT_ENTRIES = ['loss_fn', 'augment_pipe', 'dataset_kwargs'] as const;

/** Up to `max` names quoted, then how many more: a message stays one readable line for any dict. */
export function someNames(names: readonly unknown[], max = 8): string {
  const shown = names.slice(0, max).map((n) => `'${String(n)}'`).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** Options of {@link readSnapshot}. */
export interface ReadSnapshotOptions {
  /** Entry of the snapshot dict to convert. Default `'ema'` (the EMA network that NVlabs samples from). */
  key?: string;
  /** Name of the input in error messages (a file name). Default `'snapshot'`. */
  label?: string;
  /** Called as the pickle is read, with the byte offset reached and the total (tensor data are skipped). */
  onRead?: (offset: number, total: number) => void;
}

/** The network config stored as `edm.network`: the reference class and its constructor keyword arguments. */
export interface SnapshotNetwork {
  /** Preconditioning class, e.g. `EDMPrecond`. */
  class_name: string;
  /** The recorded `_init_kwargs`, in pickle order (training-only ones such as `dropout` included). */
  kwargs: { [key: string]: Json };
}

/** What {@link readSnapshot} found. */
export interface SnapshotContents {
  /** Class and constructor keyword arguments of the chosen entry. */
  network: SnapshotNetwork;
  /** Its state_dict, in PyTorch's order; tensor data still in the source. */
  tensors: StateDictEntry[];
  /** The entry converted (`key`). */
  key: string;
  /** The snapshot's entries {@link SNAPSHOT_ENTRIES} (loss_fn, augment_pipe, dataset_kwargs), summarised as JSON. */
  others: { [key: string]: Json };
  /** Names of the other entries, which are not converted. */
  skipped: string[];
}

/** Reads an EDM network snapshot from a source. Throws {@link PickleError} / {@link SnapshotError}. */
export function readSnapshot(source: ByteSource, options: ReadSnapshotOptions = {}): SnapshotContents {
  const label = options.label ?? 'snapshot';
  const key = options.key ?? 'ema';
  const head = source.read(0, Math.min(4, source.byteLength));
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    throw new SnapshotError(`${label}: is a zip archive (a torch.save checkpoint?), not an NVlabs network snapshot pickle`);
  }
  if (head.length === 0) throw new PickleError(`${label}: empty file: not a pickle`);
  if (head[0] !== 0x80) {
    throw new PickleError(`${label}: not a pickle of protocol 2 or later (first byte 0x${head[0]!.toString(16).padStart(2, '0')}, expected 0x80 PROTO)`);
  }
  const total = source.byteLength;
  const step = Math.max(1 << 20, Math.floor(total / 100));
  let next = 0;
  const onRead = options.onRead;
  const top = runPickle(new Cursor(source, 0, total, label), snapshotHooks(label), onRead && ((offset) => {
    if (offset >= next) {
      onRead(offset, total);
      next = offset + step;
    }
  }));
  onRead?.(total, total);

  if (!(top instanceof PyDict) || !(top.map.has('ema') || top.map.has(key))) {
    const what = top instanceof PyDict ? `a dict with keys ${someNames([...top.map.keys()])}` : `a ${describePy(top)}`;
    throw new SnapshotError(`${label}: not an EDM network snapshot: the pickle holds ${what}, expected a dict with 'ema' (and loss_fn, augment_pipe, dataset_kwargs)`);
  }
  if (!top.map.has(key)) {
    throw new SnapshotError(`${label}: no entry '${key}' in the snapshot (entries: ${someNames([...top.map.keys()])})`);
  }
  const entry = top.map.get(key);
  const where = `${label}: entry '${key}'`;
  if (!(entry instanceof PersistentObject)) {
    throw new SnapshotError(`${where} is a ${describePy(entry)}, not a network (expected one of ${SUPPORTED_PRECONDITIONINGS.join(', ')})`);
  }
  if (!(SUPPORTED_PRECONDITIONINGS as readonly string[]).includes(entry.className)) {
    throw new SnapshotError(`${where}: unsupported class ${entry.className} (supported: ${SUPPORTED_PRECONDITIONINGS.join(', ')})`);
  }
  const model = moduleState(entry, where).get('_modules');
  const backbone = model instanceof PyDict ? model.get('model') : undefined;
  if (!(backbone instanceof PersistentObject) || !(SUPPORTED_BACKBONES as readonly string[]).includes(backbone.className)) {
    throw new SnapshotError(`${where}: unsupported backbone ${describePy(backbone)} in .model (supported: ${SUPPORTED_BACKBONES.join(', ')})`);
  }
  const initArgs = entry.state.get('_init_args');
  if (!(initArgs instanceof PyTuple) || initArgs.items.length !== 0) {
    throw new SnapshotError(`${where}: ${entry.className} was built with positional arguments (${describePy(initArgs)}); only keyword arguments can be recorded`);
  }
  const kwargsValue = entry.state.get('_init_kwargs');
  if (!(kwargsValue instanceof PyDict)) {
    throw new SnapshotError(`${where}: ${entry.className}._init_kwargs must be a dict, got ${describePy(kwargsValue)}`);
  }
  const kwargs = kwargToJson(kwargsValue, `${where}: ${entry.className} kwargs`) as { [key: string]: Json };
  const tensors = collectStateDict(entry, `${where} (${entry.className})`);
  const others: { [key: string]: Json } = {};
  const skipped: string[] = [];
  const budget = new JsonBudget(`${label}: entry `);
  const seen = new Map<object, string>();
  for (const [k, v] of top.map) {
    if (k === key) continue;
    if ((SNAPSHOT_ENTRIES as readonly unknown[]).includes(k)) others[k as string] = summaryJson(v, k as string, budget, seen);
    else skipped.push(String(k));
  }
  return { network: { class_name: entry.className, kwargs }, tensors, key, others, skipped };
}
