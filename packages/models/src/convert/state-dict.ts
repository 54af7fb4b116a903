// torch.nn.Module.state_dict() of a pickled module tree: for a module with prefix p, its `_parameters`
// that are not None (p + name), then its `_buffers` that are not None and not in
// `_non_persistent_buffers_set`, then each non-None child of `_modules` with prefix p + name + '.'.
// Modules are NVlabs persistent objects (state = meta.state) or torch.nn containers (state = BUILD dict).

import { SnapshotError } from './errors';
import { MAX_NESTING, MAX_TENSORS } from './limits';
import { ContainerModule, describePy, PersistentObject, PyDict, PySet, TorchTensor } from './pickle-values';

/** One state_dict entry: the reference's dotted name and the tensor. */
export interface StateDictEntry {
  /** Dotted name, e.g. `model.enc.8x8_block0.conv0.weight`. */
  name: string;
  /** The tensor (a strided view of a storage whose elements are still in the source). */
  tensor: TorchTensor;
}

/** The `__dict__` of a module, or an error naming where it sits. */
export function moduleState(module: unknown, where: string): PyDict {
  const state = module instanceof PersistentObject ? module.state : module instanceof ContainerModule ? module.state : undefined;
  if (!state || !(state.get('_parameters') instanceof PyDict)) {
    throw new SnapshotError(`${where} is a ${describePy(module)}, not a torch.nn.Module (no _parameters)`);
  }
  return state;
}

function orderedDict(state: PyDict, key: string, where: string): PyDict {
  const d = state.get(key);
  if (!(d instanceof PyDict)) throw new SnapshotError(`${where}.${key} must be a dict, got ${describePy(d)}`);
  return d;
}

/**
 * The state_dict entries of `root` in PyTorch's order. A module reached twice (through the memo) is listed
 * twice, as PyTorch does; modules nested past {@link MAX_NESTING} levels, or more than {@link MAX_TENSORS}
 * modules or tensors (a small pickle can reference one module from many places), are refused.
 */
export function collectStateDict(root: unknown, rootName: string): StateDictEntry[] {
  const out: StateDictEntry[] = [];
  let modules = 0;
  const visit = (module: unknown, prefix: string, where: string, depth: number): void => {
    if (depth > MAX_NESTING) throw new SnapshotError(`${where}: modules nested more than ${MAX_NESTING} levels deep (the limit): refusing`);
    if (++modules > MAX_TENSORS) throw new SnapshotError(`${rootName}: more than ${MAX_TENSORS} modules (the limit): refusing`);
    const state = moduleState(module, where);
    const nonPersistent = state.get('_non_persistent_buffers_set');
    const skip = nonPersistent instanceof PySet ? nonPersistent.items : new Set();
    const tensors = (key: '_parameters' | '_buffers'): void => {
      for (const [name, t] of orderedDict(state, key, where).map) {
        if (t === null || (key === '_buffers' && skip.has(name))) continue;
        if (!(t instanceof TorchTensor)) {
          throw new SnapshotError(`${where}.${key}['${String(name)}'] must be a tensor, got ${describePy(t)}`);
        }
        out.push({ name: `${prefix}${String(name)}`, tensor: t });
        if (out.length > MAX_TENSORS) throw new SnapshotError(`${rootName}: more than ${MAX_TENSORS} tensors (the limit): refusing`);
      }
    };
    tensors('_parameters');
    tensors('_buffers');
    for (const [name, child] of orderedDict(state, '_modules', where).map) {
      if (child !== null) visit(child, `${prefix}${String(name)}.`, `${where}.${String(name)}`, depth + 1);
    }
  };
  visit(root, '', rootName, 0);
  return out;
}
