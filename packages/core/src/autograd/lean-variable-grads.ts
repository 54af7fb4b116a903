// Gradients of a scalar with respect to variables, like tf.variableGrads, with memory released as the
// backward pass goes. tfjs's own backward pass (engine.gradients) keeps every intermediate gradient and
// every tensor saved for a gradient until the whole pass ends, so its peak is the forward's saved tensors
// plus a gradient for each of them. Here each node's output gradients and saved tensors are disposed as
// soon as that node's input gradients exist, as PyTorch's autograd frees its buffers: the peak falls to
// the saved tensors plus the gradients in flight (measured: half for a DDPM++ U-Net training step).
//
// The arithmetic is tfjs's: the same filtered tape, the same gradient functions in the same order, the
// same accumulation, so the gradients are bit-identical. What is tfjs-internal here is the tape itself
// (`engine.state.activeTape` and `gradientDepth`, public fields of tfjs 4's EngineState), the tape
// recording tfjs's engine.gradients does around the forward pass, its tape filtering (tape.ts
// getFilteredNodesXToY, which tfjs-core does not export), rewritten below, and the engine's method through which
// kernels and custom gradients save tensors (`clone`, replaced during our forward pass only: withLightSaves).
import * as tf from '@tensorflow/tfjs-core';

/** A recorded op (tfjs's TapeNode; tape.ts does not export the type). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
}

/** The part of tfjs's EngineState the tape lives in. */
interface TapeState {
  activeTape: TapeNode[] | null;
  gradientDepth: number;
}

function tapeState(): TapeState {
  const state = (tf.engine() as unknown as { state?: Partial<TapeState> }).state;
  if (!state || typeof state.gradientDepth !== 'number') {
    throw new Error('leanVariableGrads: this tfjs-core has no engine.state.activeTape/gradientDepth ' +
      `(written for tfjs-core 4.x; found ${tf.version_core}); use tf.variableGrads`);
  }
  return state as TapeState;
}

/**
 * The nodes on a path from `xs` to `y`, each with its inputs pruned to those that depend on `xs` (tfjs's
 * getFilteredNodesXToY).
 */
export function nodesFromXsToY(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    for (const name in node.inputs) {
      if (fromX.has(node.inputs[name]!.id)) {
        for (const out of node.outputs) fromX.add(out.id);
        nodesFromX.add(node.id);
        break;
      }
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((out) => toY.has(out.id))) {
      for (const name in node.inputs) toY.add(node.inputs[name]!.id);
      nodesToY.add(node.id);
    }
  }
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const name in node.inputs) if (fromX.has(node.inputs[name]!.id)) inputs[name] = node.inputs[name]!;
    filtered.push({ ...node, inputs });
  }
  return filtered;
}

/** The engine's method through which kernels and custom gradients save tensors (tfjs 4's Engine.clone). */
interface SavingEngine {
  clone?: (x: tf.Tensor) => tf.Tensor;
  state: { tensorInfo: WeakMap<object, { backend: { incRef(dataId: object): void } }> };
  makeTensorFromDataId(dataId: object, shape: number[], dtype: tf.DataType, backend: unknown): tf.Tensor;
}

/**
 * Runs `f` with the tensors saved for gradients made as new handles on the same data (the backend's reference
 * count raised, as its Identity kernel does) instead of tfjs's clones. tfjs's engine saves through its `clone`,
 * both a registered kernel's inputs and outputs (saveTensorsForBackwardMode) and what a custom gradient's forward
 * passes to `save` (runKernelFunc); each clone ran a whole Identity kernel through the engine and recorded a tape
 * node no gradient uses: 358 of them per step of the mnist preset's U-Net for kernels, 96 more for its custom
 * gradients (the convolutions'). The saved tensors are the same objects to every gradient function: distinct
 * tensors, kept through the forward's tidy, disposed by the backward pass as before. The engine calls `clone`
 * nowhere else (tf.clone runs the Identity kernel itself). Where the engine lacks it (not tfjs 4), `f` runs with
 * tfjs's clones.
 */
function withLightSaves<T>(f: () => T): T {
  const engine = tf.engine() as unknown as SavingEngine;
  const own = Object.prototype.hasOwnProperty.call(engine, 'clone');
  const original = engine.clone;
  if (typeof original !== 'function' || typeof engine.state?.tensorInfo?.get !== 'function' || typeof engine.makeTensorFromDataId !== 'function') {
    return f();
  }
  engine.clone = (t) => {
    const info = engine.state.tensorInfo.get(t.dataId);
    if (!info) throw new Error(`leanVariableGrads: a kernel or custom gradient saved a disposed tensor (id ${t.id}) for its gradient`);
    info.backend.incRef(t.dataId);
    return engine.makeTensorFromDataId(t.dataId, [...t.shape], t.dtype, info.backend);
  };
  try {
    return f();
  } finally {
    if (own) engine.clone = original;
    else delete engine.clone;
  }
}

/** Disposes the tensors every node of `tape` saved for its gradient. */
function disposeSaved(tape: readonly TapeNode[]): void {
  for (const node of tape) for (const t of node.saved ?? []) t.dispose();
}

/**
 * Walks `tape` backward from dy = 1 at `y`, returning the gradient of each of `xs` (undefined where none
 * reaches it), and disposes each node's output gradients and saved tensors once its input gradients exist.
 */
function backpropagate(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): Array<tf.Tensor | undefined> {
  const grads = new Map<number, tf.Tensor>([[y.id, tf.ones(y.shape)]]);
  const held = new Set<tf.Tensor>(grads.values()); // every tensor object in `grads`, each held once
  const asked = new Set(xs.map((x) => x.id));
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (!node.gradient) throw new Error(`leanVariableGrads: no gradient is registered for op ${node.kernelName}`);
    const dys = node.outputs.map((out) => grads.get(out.id) ?? null);
    const inputGradients = node.gradient(dys);
    for (const name in node.inputs) {
      if (!(name in inputGradients)) {
        throw new Error(`leanVariableGrads: op ${node.kernelName} has no gradient for its input '${name}'`);
      }
      // A gradient function may hand back a dy, a saved tensor, or one tensor for two inputs: hold a
      // distinct object, so that releasing one never disposes another.
      let dx = tf.tidy(() => inputGradients[name]!());
      if (held.has(dx) || node.saved?.includes(dx)) dx = tf.clone(dx);
      const x = node.inputs[name]!;
      if (dx.dtype !== 'float32') {
        throw new Error(`leanVariableGrads: op ${node.kernelName} gave a ${dx.dtype} gradient for '${name}' (float32 expected)`);
      }
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new Error(`leanVariableGrads: op ${node.kernelName} gave a gradient of shape [${dx.shape}] for '${name}' ` +
          `of shape [${x.shape}]`);
      }
      const current = grads.get(x.id);
      if (current === undefined) {
        grads.set(x.id, dx);
        held.add(dx);
      } else {
        const sum = tf.add(current, dx);
        grads.set(x.id, sum);
        held.delete(current);
        held.add(sum);
        current.dispose();
        dx.dispose();
      }
    }
    for (const out of node.outputs) {
      const dy = grads.get(out.id);
      if (dy === undefined || asked.has(out.id)) continue;
      grads.delete(out.id);
      held.delete(dy);
      dy.dispose();
    }
    for (const t of node.saved ?? []) t.dispose();
  }
  return xs.map((x) => grads.get(x.id));
}

/**
 * Computes `f()` (a scalar) and its gradients with respect to `varList` (default: every trainable
 * variable), as `tf.variableGrads` does and with the same results bit for bit, releasing each
 * intermediate gradient and saved tensor as soon as the backward pass is past it. Non-trainable variables
 * in `varList` get `null`, as in tfjs.
 *
 * Inside another gradient computation (higher-order gradients, where the outer pass still needs the
 * saved tensors) it is `tf.variableGrads`.
 *
 * @example
 * const { value, grads } = leanVariableGrads(() => tf.mean(loss.call(net, images)) as tf.Scalar, vars);
 */
export function leanVariableGrads(f: () => tf.Scalar, varList?: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  if (typeof f !== 'function') throw new Error('leanVariableGrads: f must be a function');
  if (varList !== undefined && (!Array.isArray(varList) || !varList.every((v) => v instanceof tf.Variable))) {
    throw new Error('leanVariableGrads: varList must be an array of tf.Variable');
  }
  const state = tapeState();
  if (state.gradientDepth > 0) return tf.variableGrads(f, varList);

  const all = varList ?? Object.values(tf.engine().registeredVariables);
  const vars = all.filter((v) => v.trainable);
  if (vars.length === 0) {
    throw new Error(`leanVariableGrads: none of the ${all.length} variables is trainable`);
  }

  // The forward pass under a tape (engine.gradients: startTape, tidy('forward', f), endTape).
  state.activeTape = [];
  state.gradientDepth++;
  let y: tf.Tensor;
  try {
    y = withLightSaves(() => tf.tidy('forward', f));
  } catch (e) {
    disposeSaved(state.activeTape ?? []);
    state.activeTape = null;
    throw e;
  } finally {
    state.gradientDepth--;
  }
  const fullTape = state.activeTape ?? [];
  state.activeTape = null;
  try {
    if (!(y instanceof tf.Tensor) || y.rank !== 0) {
      tf.dispose(y);
      throw new Error(`leanVariableGrads: f must return a scalar tensor, got ${y instanceof tf.Tensor ? `rank ${y.rank}` : typeof y}`);
    }
    const tape = nodesFromXsToY(fullTape, vars, y);
    const grads = tf.tidy('backward', () => backpropagate(tape, vars, y));
    if (grads.every((g) => g === undefined)) {
      y.dispose();
      throw new Error('leanVariableGrads: no variable in varList reaches the value of f (were the ops that use ' +
        'them run inside f?)');
    }
    const named: tf.NamedTensorMap = {};
    vars.forEach((v, i) => { if (grads[i]) named[v.name] = grads[i]!; });
    // As tfjs: non-trainable variables the caller listed get null.
    if (varList) for (const v of varList) if (!v.trainable) (named as Record<string, tf.Tensor | null>)[v.name] = null;
    return { value: y as tf.Scalar, grads: named };
  } finally {
    disposeSaved(fullTape);
  }
}
