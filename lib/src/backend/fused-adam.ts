import * as tf from '@tensorflow/tfjs';
import type { SimdLoops } from './simd.js';
import { address, loopsOf, type HeapBackend } from './heap.js';

/** One slot of tfjs's Adam state: a moment and the name it is saved under. */
type MomentSlot = { originalName: string; variable: tf.Variable };

/** The (TypeScript-private) state of `tf.AdamOptimizer` that the fused step reads and updates, under its own names. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: (MomentSlot | undefined)[];
  accumulatedSecondMoment: (MomentSlot | undefined)[];
}

/** The gradients `applyGradients` is given: a map by variable name, or named tensors. */
type VariableGradients = Record<string, tf.Variable> | { name: string; tensor: tf.Tensor }[];

/**
 * `tf.train.adam` with its whole update — both moments and the weights of every variable — applied by one SIMD pass
 * per variable on the wasm heap (`adamStep` in `simd.ts`), instead of the ~14 tensor ops per variable (~110 for a
 * small CNN, each ~12 µs of dispatch) that `tf.AdamOptimizer` runs. The numbers are the same: the pass does the same
 * float32 operations in the same order, and the state (moments, β powers, iterations) lives in the same variables
 * under the same names, so `getWeights`, `setWeights`, serialization (class name `Adam`) and checkpoints are
 * unchanged.
 *
 * The moments are updated in place when nothing else holds them (else in a new buffer, so that a tensor sharing them
 * keeps its values); the weights always go to a new buffer, as tfjs's `assign` does: XNNPACK keeps packed copies of
 * weights by buffer, and a `clone()` (which Lepton's wasm `Identity` shares rather than copies, as early stopping's
 * best weights do) must keep the old values. On other backends, or for non-float32 variables, it is
 * `tf.AdamOptimizer`.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * @param learningRate step size (tfjs's default 0.001)
   * @param beta1 decay of the first moment (default 0.9)
   * @param beta2 decay of the second moment (default 0.999)
   * @param epsilon added to the denominator (default: the backend's epsilon, as tfjs)
   */
  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    super(learningRate, beta1, beta2, epsilon as number);
  }

  /** Applies one Adam step: fused on the wasm backend, else tfjs's own. */
  override applyGradients(variableGradients: VariableGradients): void {
    const loops = fusedLoops();
    if (!loops || !applyFused(this as unknown as AdamState, loops, variableGradients)) {
      super.applyGradients(variableGradients);
      return;
    }
    this.incrementIterations();
  }
}

/** The SIMD loops of the active backend when it is wasm with SIMD, else null. */
function fusedLoops(): SimdLoops | null {
  return tf.getBackend() === 'wasm' ? loopsOf(tf.backend()) : null;
}

/**
 * A new buffer for the updated values of `variable`, or null when they may overwrite its own: `inPlace` and no other
 * tensor shares the buffer.
 */
function freshBuffer(heap: HeapBackend, variable: tf.Variable, inPlace: boolean): tf.TensorInfo | null {
  return inPlace && heap.refCount(variable.dataId) === 1 ? null : heap.makeOutput(variable.shape, 'float32');
}

/** Gives `variable` the values written to `fresh` (a buffer from {@link freshBuffer}), as tfjs's `assign` does. */
function commitFresh(variable: tf.Variable, fresh: tf.TensorInfo): void {
  const tensor = tf.engine().makeTensorFromTensorInfo(fresh);
  variable.assign(tensor);
  tensor.dispose();
}

/** βᵗ⁺¹ = βᵗ·β in float32, as tfjs's `mul(accBeta, beta)`; in place when nothing else holds the power. */
function advancePower(heap: HeapBackend, power: tf.Variable, beta: number, now: number): void {
  const next = Math.fround(now * Math.fround(beta));
  if (heap.refCount(power.dataId) === 1) heap.typedArrayFromHeap(power)[0] = next;
  else power.assign(tf.tidy(() => tf.scalar(next)));
}

/** The zero moment tfjs creates for `value` on its first step: not trainable, named `<variable>/m` or `/v`. */
function zeroMoment(name: string, value: tf.Variable): MomentSlot {
  return { originalName: name, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
}

/**
 * One fused Adam step, or false (having changed nothing) when a variable or gradient is not float32, so tfjs's
 * step runs instead. Mirrors `AdamOptimizer.applyGradients` of tfjs 4.22 line by line.
 *
 * Written with index loops and no closure, destructuring or small object per variable: it runs once per step, so
 * V8 leaves it to its interpreter and baseline code for the first few hundred steps, where each iterator,
 * destructuring and closure is a runtime call; written that way it cost ~0.15 ms per step until optimized (the
 * reference CNN's epochs 2 to 4), ten times its optimized cost.
 */
function applyFused(state: AdamState, loops: SimdLoops, variableGradients: VariableGradients): boolean {
  const names: string[] = [];
  const gradients: (tf.Tensor | undefined)[] = [];
  if (Array.isArray(variableGradients)) {
    for (let i = 0; i < variableGradients.length; i++) {
      const named = variableGradients[i]!;
      names.push(named.name);
      gradients.push(named.tensor);
    }
  } else {
    const keys = Object.keys(variableGradients);
    for (let i = 0; i < keys.length; i++) {
      names.push(keys[i]!);
      gradients.push(variableGradients[keys[i]!]);
    }
  }
  const registered = tf.engine().registeredVariables;
  const values: tf.Variable[] = [];
  for (let i = 0; i < names.length; i++) {
    const value = registered[names[i]!];
    const gradient = gradients[i];
    if (
      !value ||
      value.dtype !== 'float32' ||
      (gradient && (gradient.dtype !== 'float32' || gradient.size !== value.size))
    )
      return false;
    values.push(value);
  }
  const backend = tf.backend();
  const heap = backend as unknown as HeapBackend;
  // As tfjs: the moments of every variable exist from the first step, zeros, not trainable, named `<variable>/m|v`.
  for (let i = 0; i < names.length; i++) {
    state.accumulatedFirstMoment[i] ??= zeroMoment(`${names[i]!}/m`, values[i]!);
    state.accumulatedSecondMoment[i] ??= zeroMoment(`${names[i]!}/v`, values[i]!);
  }
  const acc1 = heap.typedArrayFromHeap(state.accBeta1)[0]!;
  const acc2 = heap.typedArrayFromHeap(state.accBeta2)[0]!;
  // tfjs's scalars: β1, β2 are float32 tensors; 1 − β (computed in double) and the others become float32 when
  // passed to float32 parameters; 1 − βᵗ is a float32 subtraction, which rounding the exact difference reproduces.
  const b1 = state.beta1;
  const b2 = state.beta2;
  const oneMinusAcc1 = Math.fround(1 - acc1);
  const oneMinusAcc2 = Math.fround(1 - acc2);
  for (let i = 0; i < names.length; i++) {
    const gradient = gradients[i];
    if (!gradient) continue;
    const value = values[i]!;
    const m = state.accumulatedFirstMoment[i]!.variable;
    const v = state.accumulatedSecondMoment[i]!.variable;
    // Weights always get a new buffer: the wasm backend caches XNNPACK's packed copy of a matmul's or convolution's
    // weights by buffer, so weights changed in place would leave every later step computing with the old ones.
    const mFresh = freshBuffer(heap, m, true);
    const vFresh = freshBuffer(heap, v, true);
    const wFresh = freshBuffer(heap, value, false)!;
    loops.adamStep(
      address(backend, gradient),
      address(backend, m),
      address(backend, v),
      address(backend, value),
      address(backend, mFresh ?? m),
      address(backend, vFresh ?? v),
      address(backend, wFresh),
      value.size * 4,
      b1,
      1 - b1,
      b2,
      1 - b2,
      oneMinusAcc1,
      oneMinusAcc2,
      state.epsilon,
      -state.learningRate,
    );
    if (mFresh) commitFresh(m, mFresh);
    if (vFresh) commitFresh(v, vFresh);
    commitFresh(value, wFresh);
  }
  advancePower(heap, state.accBeta1, b1, acc1);
  advancePower(heap, state.accBeta2, b2, acc2);
  return true;
}

/**
 * Makes a compiled model's optimizer the fused one when it is a plain `tf.AdamOptimizer` (what `compile({ optimizer:
 * 'adam' })` and `tf.train.adam()` create), keeping its state, hyperparameters and identity: only its class changes.
 * Subclasses and other optimizers are left alone.
 * @param model a compiled tf.LayersModel
 * @returns whether the optimizer is now fused
 */
export function fuseAdam(model: tf.LayersModel): boolean {
  // tfjs types `optimizer` as always set, but a model has none until it is compiled.
  const parts = model as unknown as { optimizer_?: tf.Optimizer; optimizer?: tf.Optimizer };
  const optimizer = parts.optimizer_ ?? parts.optimizer;
  if (!optimizer) return false;
  if (isFusedAdam(optimizer)) return true;
  if (Object.getPrototypeOf(optimizer) !== tf.AdamOptimizer.prototype) return false;
  Object.setPrototypeOf(optimizer, FusedAdamOptimizer.prototype);
  return true;
}

/**
 * Whether `optimizer` is a {@link FusedAdamOptimizer}. By prototype, not `instanceof`: tfjs's `Optimizer` answers
 * `instanceof` with true for any object that has its methods, so every optimizer would pass.
 * @param optimizer any optimizer
 */
export function isFusedAdam(optimizer: object): boolean {
  return Object.prototype.isPrototypeOf.call(FusedAdamOptimizer.prototype, optimizer);
}
