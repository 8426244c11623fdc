import * as tf from '@tensorflow/tfjs';

/** What a ready-made model predicts: classes (softmax, or sigmoid for 2 with `binary`) or regression outputs. */
export interface Head {
  /** Number of classes: a softmax output (with `binary: true` and 2 classes, one sigmoid unit). */
  classes?: number;
  /** With `classes: 2`, a single sigmoid output (binaryCrossentropy) instead of two softmax outputs. */
  binary?: boolean;
  /** Regression outputs (linear), when `classes` is not given (default 1). */
  outputs?: number;
  /** The model's name. */
  name?: string;
}

/** The output layer for a head. */
/**
 * Seeded Glorot initialisers, one seed per layer in the order they are asked for, so that a model built with a seed
 * starts from the same weights every time; without a seed, tfjs's random defaults.
 */
export function seededInitializers(seed?: number): () => { kernelInitializer?: ReturnType<typeof tf.initializers.glorotUniform> } {
  let next = seed;
  return () => (next === undefined ? {} : { kernelInitializer: tf.initializers.glorotUniform({ seed: next++ }) });
}

export function outputLayer(head: Head, extra: { kernelInitializer?: ReturnType<typeof tf.initializers.glorotUniform> } = {}): tf.layers.Layer {
  if (head.classes !== undefined) {
    if (!(Number.isInteger(head.classes) && head.classes >= 2)) throw new Error(`classes must be a whole number ≥ 2 (got ${head.classes}).`);
    if (head.binary && head.classes === 2) return tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'output', ...extra });
    return tf.layers.dense({ units: head.classes, activation: 'softmax', name: 'output', ...extra });
  }
  return tf.layers.dense({ units: head.outputs ?? 1, activation: 'linear', name: 'output', ...extra });
}

/** The loss that suits a head with labels as class indices (sparse) or one-hot. */
export function lossFor(head: Head, oneHot = false): string {
  if (head.classes === undefined) return 'meanSquaredError';
  if (head.binary && head.classes === 2) return 'binaryCrossentropy';
  return oneHot ? 'categoricalCrossentropy' : 'sparseCategoricalCrossentropy';
}
