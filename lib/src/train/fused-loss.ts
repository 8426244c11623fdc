import * as tf from '@tensorflow/tfjs';

/** A loss or metric as tfjs-layers keeps it on a compiled model: (targets, outputs) → one value per sample. */
type SampleFunction = (target: tf.Tensor, output: tf.Tensor) => tf.Tensor;

/** The (TypeScript-private) parts of a compiled single-output `tf.LayersModel` read here. */
interface CompiledParts {
  loss?: unknown;
  lossFunctions?: SampleFunction[];
  metricsNames?: string[];
  metricsTensors?: [SampleFunction, number][];
  outputs: unknown[];
  internalOutputShapes?: (number | null)[][];
}

/**
 * The most values (samples × classes) handled here. Above it the few large tensor ops of tfjs's own functions cost
 * less than reading the values out and computing them one by one in JavaScript.
 */
const fusedValuesLimit = 1 << 16;

/** Whether the pair is small enough for the JavaScript passes, and shaped as tfjs's functions expect. */
function fusable(target: tf.Tensor, output: tf.Tensor): boolean {
  return (
    output.rank >= 1 &&
    output.size <= fusedValuesLimit &&
    output.dtype === 'float32' &&
    target.dtype !== 'string' &&
    target.shape.length === output.shape.length &&
    target.shape.every((d, i) => d === output.shape[i])
  );
}

/**
 * tfjs-layers's categorical crossentropy of probabilities, loss = −Σ_c t·log(clip(o / Σ_c o, ε, 1 − ε)), as one
 * operation with its gradient, each one pass over the values in JavaScript: tfjs's version is 17 tensor ops forward
 * and ~25 backward (each ~12 µs of dispatch here, for 640 values at a batch of 64 × 10 classes), the largest group
 * of kernels left in a small CNN's training step. Same formula, each step rounded to float32 as tfjs's ops round
 * it, and the clip's gradient as tfjs defines it (zero where the probability lies outside [ε, 1 − ε]).
 */
const crossentropyOp = tf.customGrad(((target: tf.Tensor, output: tf.Tensor, save: tf.GradSaveFunc) => {
  save([target, output]);
  const classes = output.shape[output.rank - 1]!;
  const t = target.dataSync();
  const o = output.dataSync();
  const [low, high] = clipBounds();
  const loss = new Float32Array(o.length / classes);
  for (let row = 0, at = 0; row < loss.length; row++, at += classes) {
    const total = rowSum(o, at, classes);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const p = clip(Math.fround(o[at + c]! / total), low, high);
      sum = Math.fround(sum + Math.fround(Math.fround(t[at + c]!) * Math.fround(Math.log(p))));
    }
    loss[row] = -sum;
  }
  return {
    value: tf.tensor(loss, output.shape.slice(0, -1), 'float32'),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => crossentropyGradients(dy, saved[0]!, saved[1]!),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** The clip's bounds as tfjs-layers sets them (its ε, 1e-7), rounded to float32 as the backend holds them. */
function clipBounds(): [number, number] {
  const epsilon = 1e-7;
  return [Math.fround(epsilon), Math.fround(1 - epsilon)];
}

function clip(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

/** Σ of a row of float32 values, summed in float32 in order. */
function rowSum(values: ArrayLike<number>, at: number, length: number): number {
  let total = 0;
  for (let c = 0; c < length; c++) total = Math.fround(total + values[at + c]!);
  return total;
}

/**
 * The gradients of the crossentropy above, by the chain rule through tfjs's ops: with s = Σ o, q = o / s,
 * g = −dy·t / clip(q) where ε ≤ q ≤ 1 − ε (else 0), ∂/∂o_k = g_k / s − Σ_c g_c·o_c / s², and ∂/∂t = −dy·log(clip(q)).
 */
function crossentropyGradients(dy: tf.Tensor, target: tf.Tensor, output: tf.Tensor): tf.Tensor[] {
  const classes = output.shape[output.rank - 1]!;
  const t = target.dataSync();
  const o = output.dataSync();
  const d = dy.dataSync();
  const [low, high] = clipBounds();
  const dOutput = new Float32Array(o.length);
  const dTarget = new Float32Array(o.length);
  for (let row = 0, at = 0; row < d.length; row++, at += classes) {
    const total = rowSum(o, at, classes);
    const upstream = d[row]!;
    let weighted = 0;
    for (let c = 0; c < classes; c++) {
      const q = Math.fround(o[at + c]! / total);
      const p = clip(q, low, high);
      dTarget[at + c] = -upstream * Math.log(p);
      const g = q >= low && q <= high ? (-upstream * t[at + c]!) / p : 0;
      dOutput[at + c] = g;
      weighted += g * o[at + c]!;
    }
    const shared = weighted / (total * total);
    for (let c = 0; c < classes; c++) dOutput[at + c] = dOutput[at + c]! / total - shared;
  }
  return [tf.tensor(dTarget, target.shape, 'float32'), tf.tensor(dOutput, output.shape, 'float32')];
}

/** tfjs-layers's categorical accuracy (1 where the target's and the output's first largest class agree, else 0). */
function accuracyOf(target: tf.Tensor, output: tf.Tensor): tf.Tensor {
  const classes = output.shape[output.rank - 1]!;
  const t = target.dataSync();
  const o = output.dataSync();
  const hits = new Float32Array(o.length / classes);
  for (let row = 0, at = 0; row < hits.length; row++, at += classes)
    hits[row] = firstLargest(t, at, classes) === firstLargest(o, at, classes) ? 1 : 0;
  return tf.tensor(hits, output.shape.slice(0, -1), 'float32');
}

/** The index of a row's first largest value, as tfjs's `argMax` picks it (a NaN is never larger). */
function firstLargest(values: ArrayLike<number>, at: number, length: number): number {
  let best = 0;
  for (let c = 1; c < length; c++) if (values[at + c]! > values[at + best]!) best = c;
  return best;
}

/** The loss, or tfjs's own function (`stock`) for the pairs `fusable` turns down. */
function fusedCrossentropy(stock: SampleFunction): SampleFunction {
  return (target, output) => (fusable(target, output) ? crossentropyOp(target, output) : stock(target, output));
}

function fusedAccuracy(stock: SampleFunction): SampleFunction {
  return (target, output) => (fusable(target, output) ? accuracyOf(target, output) : stock(target, output));
}

/** The functions already put on models here, so that a second `fit` does not wrap them again. */
const fused = new WeakSet<SampleFunction>();

/**
 * Replaces, on a compiled single-output model, tfjs-layers's categorical crossentropy loss and categorical accuracy
 * metric by the one-pass versions above (same numbers to float32 rounding, same names, same gradients): ~45 fewer
 * tensor ops per training step of a classifier.
 *
 * tfjs-layers exports neither function, so they are recognised by how `compile` chose them: the loss named
 * `'categoricalCrossentropy'`, and the metric `'accuracy'` (or `'acc'`) beside it on an output of more than one
 * class (tfjs's `categoricalAccuracy`; one class would be binary accuracy). Anything else, and a model compiled
 * again later, keeps tfjs's own functions; `lepton.fit` calls this before every run. tfjs's check that targets suit
 * the loss reads its own copy of the loss functions and still runs.
 * @param model a tf.LayersModel
 * @returns how many functions were replaced
 */
export function fuseCrossentropy(model: tf.LayersModel): number {
  // A Sequential trains through the functional model it wraps, which holds the compiled functions.
  const inner = model instanceof tf.Sequential ? (model as unknown as { model?: tf.LayersModel }).model : undefined;
  const parts = (inner ?? model) as unknown as CompiledParts;
  const loss = Array.isArray(parts.loss) && parts.loss.length === 1 ? (parts.loss[0] as unknown) : parts.loss;
  const losses = parts.lossFunctions;
  if (parts.outputs.length !== 1 || loss !== 'categoricalCrossentropy' || losses?.length !== 1) return 0;
  const classes = parts.internalOutputShapes?.[0]?.at(-1);
  let replaced = 0;
  if (!fused.has(losses[0]!)) {
    losses[0] = fusedCrossentropy(losses[0]!);
    fused.add(losses[0]);
    replaced++;
  }
  // metricsNames starts with 'loss'; the metrics follow in metricsTensors' order.
  const names = parts.metricsNames?.slice(1) ?? [];
  parts.metricsTensors?.forEach((entry, i) => {
    if (names[i] === 'acc' && typeof classes === 'number' && classes > 1 && !fused.has(entry[0])) {
      entry[0] = fusedAccuracy(entry[0]);
      fused.add(entry[0]);
      replaced++;
    }
  });
  return replaced;
}
