import * as tf from '@tensorflow/tfjs';
import { TrainError } from './errors.js';
import { allFinite } from '../backend/nan-scan.js';

/** The loss names tfjs-layers accepts in `compile` (camelCase and their Keras snake_case spellings). */
export const lossNames = [
  'meanSquaredError',
  'meanAbsoluteError',
  'meanAbsolutePercentageError',
  'meanSquaredLogarithmicError',
  'squaredHinge',
  'hinge',
  'categoricalHinge',
  'logcosh',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'binaryCrossentropy',
  'kullbackLeiblerDivergence',
  'poisson',
  'cosineProximity',
  'mean_squared_error',
  'mean_absolute_error',
  'mean_absolute_percentage_error',
  'mean_squared_logarithmic_error',
  'squared_hinge',
  'categorical_hinge',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
  'binary_crossentropy',
  'kullback_leibler_divergence',
  'cosine_proximity',
  'mse',
  'mae',
  'mape',
  'msle',
] as const;

/** The metric names tfjs-layers accepts in `compile`. */
export const metricNames = [
  'accuracy',
  'acc',
  'binaryAccuracy',
  'categoricalAccuracy',
  'sparseCategoricalAccuracy',
  'precision',
  'recall',
  'binaryCrossentropy',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'meanSquaredError',
  'meanAbsoluteError',
  'meanAbsolutePercentageError',
  'cosineProximity',
  'mse',
  'mae',
  'mape',
  'MSE',
  'MAE',
  'MAPE',
  'cosine',
  'crossentropy',
  'ce',
] as const;

/** A loss or metric given by name or as a function, as tfjs's `compile` takes them. */
export type LossOrMetric = string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor);

/** Throws, listing the valid names, when a loss or metric name is not one tfjs knows. */
export function checkLossAndMetrics(loss: LossOrMetric | undefined, metrics: LossOrMetric[] | undefined): void {
  if (typeof loss === 'string' && !(lossNames as readonly string[]).includes(loss)) {
    throw new TrainError(
      'LEPTON_TRAIN_BAD_OPTION',
      `Unknown loss '${loss}'. Valid losses: ${lossNames.join(', ')} (or a function (yTrue, yPred) => tensor).`,
    );
  }
  for (const metric of metrics ?? []) {
    if (typeof metric === 'string' && !(metricNames as readonly string[]).includes(metric)) {
      throw new TrainError(
        'LEPTON_TRAIN_BAD_OPTION',
        `Unknown metric '${metric}'. Valid metrics: ${metricNames.join(', ')} (or a function (yTrue, yPred) => tensor).`,
      );
    }
  }
}

const shapeText = (shape: readonly (number | null)[]) =>
  `[${shape.map((d) => (d === null || d === -1 ? '*' : d)).join(', ')}]`;

/**
 * Checks that `x` and `y` fit each other and the model, before any training: same sample counts, the model's input
 * and output shapes, and a label format the loss understands (`acceptClassIndices`: class indices are fine, as
 * for evaluation). Errors name both shapes and the fix.
 */
export function checkShapes(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  what = 'training data',
  acceptClassIndices = false,
): void {
  if (x.shape[0] !== y.shape[0]) {
    throw new TrainError(
      'LEPTON_TRAIN_SHAPE_MISMATCH',
      `The ${what} has ${x.shape[0]} samples in x (shape ${shapeText(x.shape)}) but ${y.shape[0]} labels in y (shape ${shapeText(y.shape)}): x and y need one row per sample.`,
    );
  }
  const input = model.inputs[0]?.shape;
  if (input && (input.length !== x.shape.length || input.some((d, i) => i > 0 && d !== null && d !== x.shape[i]))) {
    throw new TrainError(
      'LEPTON_TRAIN_SHAPE_MISMATCH',
      `The model expects inputs of shape ${shapeText(input)} but x (${what}) has shape ${shapeText(x.shape)}: reshape x (e.g. x.reshape([-1, ${input
        .slice(1)
        .map((d) => d ?? -1)
        .join(', ')}])) or change the model's inputShape.`,
    );
  }
  const output = model.outputs[0]?.shape;
  if (!output) return;
  const loss = lossName(model);
  const sparse =
    acceptClassIndices || loss === 'sparseCategoricalCrossentropy' || loss === 'sparse_categorical_crossentropy';
  if (sparse && (y.shape.length === 1 || y.shape[1] === 1 || !acceptClassIndices)) {
    if (y.shape.length > 2 || (y.shape.length === 2 && y.shape[1] !== 1)) {
      throw new TrainError(
        'LEPTON_TRAIN_SHAPE_MISMATCH',
        `sparseCategoricalCrossentropy takes class indices (shape [${y.shape[0]}] or [${y.shape[0]}, 1]) but y has shape ${shapeText(y.shape)}: use categoricalCrossentropy for one-hot labels.`,
      );
    }
    return;
  }
  const matches = output.length === y.shape.length && output.every((d, i) => i === 0 || d === null || d === y.shape[i]);
  if (matches) return;
  const units = output[output.length - 1];
  const hint =
    y.shape.length === 1 && output.length === 2 && units !== null && units !== undefined && units > 1
      ? ` y looks like class indices: one-hot them (tf.oneHot(y, ${units})) or use loss 'sparseCategoricalCrossentropy'.`
      : y.shape.length === 1 && output.length === 2 && units === 1
        ? ' Reshape y to a column: y.reshape([-1, 1]).'
        : '';
  throw new TrainError(
    'LEPTON_TRAIN_SHAPE_MISMATCH',
    `The model outputs shape ${shapeText(output)} but y (${what}) has shape ${shapeText(y.shape)}.${hint}`,
  );
}

function lossName(model: tf.LayersModel): string | undefined {
  const loss = (model as unknown as { loss?: unknown }).loss;
  const first: unknown = Array.isArray(loss) ? loss[0] : loss;
  return typeof first === 'string' ? first : undefined;
}

/** Throws naming the first sample (and flat position) holding NaN or ±Infinity. */
export function checkFinite(t: tf.Tensor, name: string): void {
  if (t.dtype !== 'float32' || allFinite(t) === true) return;
  const bad = tf.tidy(() => tf.logicalNot(tf.isFinite(t)).reshape([-1]));
  try {
    const flags = bad.dataSync();
    const at = flags.indexOf(1);
    if (at < 0) return;
    const perSample = t.shape.slice(1).reduce((a, b) => a * b, 1);
    const sample = Math.floor(at / perSample);
    const value = t.dataSync()[at];
    const where = t.shape.length > 1 ? `sample ${sample}, feature ${at % perSample}` : `index ${sample}`;
    throw new TrainError(
      'LEPTON_TRAIN_BAD_VALUES',
      `${name} has ${value} at ${where} (and maybe elsewhere): clean or impute it before training (lepton.preprocess has imputers).`,
    );
  } finally {
    bad.dispose();
  }
}
