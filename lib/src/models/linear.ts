import * as tf from '@tensorflow/tfjs';
import { badArgument } from '../data/errors.js';
import { glorotKernel, seeder } from './head.js';

/** Options of `lepton.models.linear`. */
export interface LinearOptions {
  /** Features per sample, or the input shape (e.g. `[inputWidth, features]` of windows, flattened first). */
  inputs: number | number[];
  /** Regression outputs, or the number of classes for classification (default 1). */
  outputs?: number;
  /** `regression` (linear, mean squared error; default) or `classification` (logistic: sigmoid for 2 classes, softmax above). */
  task?: 'regression' | 'classification';
  /** Adam's learning rate (default 0.01). */
  learningRate?: number;
  /** Seed of the initial weights: the same seed builds the same model. */
  seed?: number;
  /** The model's name (default `linear`). */
  name?: string;
}

/**
 * A linear model, compiled: linear regression, or logistic regression for classification (one sigmoid unit for 2
 * classes with 0/1 labels, softmax with class ids above). Train it with `lepton.fit`.
 * @example const model = lepton.models.linear({ inputs: [14, 3], outputs: 1 }); await lepton.fit(model, { x, y }, { epochs: 50 })
 */
export function linear(options: LinearOptions): tf.Sequential {
  const shape = typeof options.inputs === 'number' ? [options.inputs] : options.inputs;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw badArgument(
      `models.linear: inputs must be a feature count or an input shape of whole numbers ≥ 1, got ${JSON.stringify(options.inputs)}.`,
    );
  }
  const task = options.task ?? 'regression';
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (task !== 'regression' && task !== 'classification')
    throw badArgument(`models.linear: task must be 'regression' or 'classification', got ${JSON.stringify(task)}.`);
  const outputs = options.outputs ?? (task === 'classification' ? 2 : 1);
  if (!Number.isInteger(outputs) || outputs < 1 || (task === 'classification' && outputs < 2)) {
    throw badArgument(
      `models.linear: outputs must be a whole number ≥ ${task === 'classification' ? '2 (the number of classes)' : 1}, got ${outputs}.`,
    );
  }
  const model = tf.sequential({ name: options.name ?? 'linear' });
  if (shape.length > 1) model.add(tf.layers.flatten({ inputShape: shape }));
  const binary = task === 'classification' && outputs === 2;
  const units = binary ? 1 : outputs;
  const activation = task === 'regression' ? 'linear' : binary ? 'sigmoid' : 'softmax';
  model.add(
    tf.layers.dense({
      units,
      activation,
      name: 'output',
      ...(shape.length === 1 ? { inputShape: shape } : {}),
      ...glorotKernel(seeder(options.seed)),
    }),
  );
  const loss =
    task === 'regression' ? 'meanSquaredError' : binary ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy';
  model.compile({
    optimizer: tf.train.adam(options.learningRate ?? 0.01),
    loss,
    metrics: task === 'regression' ? ['mae'] : ['accuracy'],
  });
  return model;
}
