import * as tf from '@tensorflow/tfjs';
import { ModelError } from './errors.js';

/** What a ready-made model predicts: classes (softmax, or sigmoid for 2 with `binary`) or regression outputs. */
export interface Head {
  /** Number of classes: a softmax output (with `binary: true` and 2 classes, one sigmoid unit). */
  classes?: number;
  /** With `classes: 2`, a single sigmoid output (binaryCrossentropy) instead of two softmax outputs. */
  binary?: boolean;
  /** Regression outputs (linear), when `classes` is not given (default 1). */
  outputs?: number;
  /** The model's name. */
  name?: string | undefined;
}

/** Makes a seeded thing from the next seed of a model's sequence, or nothing when the model has no seed. */
export type Seeder = <T>(make: (seed: number) => T) => T | undefined;

/**
 * A model's seeds, `seed`, `seed + 1`, … in the order its weights ask for them, so that a model built with a seed starts
 * from the same weights every time and no two weights share one (a seeded initializer repeats its values); without a
 * seed, nothing, and tfjs's random defaults apply.
 */
export function seeder(seed?: number): Seeder {
  let next = seed;
  return (make) => (next === undefined ? undefined : make(next++));
}

/** A dropout layer's seed option: the model's seed (masks repeat from run to run), or nothing. */
export function dropoutSeed(seed?: number): { seed?: number } {
  return seed === undefined ? {} : { seed };
}

/** A dense or convolution layer's seeded Glorot kernel initializer (tfjs's default, seeded), or nothing. */
export function glorotKernel(seeded: Seeder): { kernelInitializer?: ReturnType<typeof tf.initializers.glorotUniform> } {
  const kernelInitializer = seeded((seed) => tf.initializers.glorotUniform({ seed }));
  return kernelInitializer ? { kernelInitializer } : {};
}

/** The output layer for a head. */
export function outputLayer(
  head: Head,
  extra: { kernelInitializer?: ReturnType<typeof tf.initializers.glorotUniform> } = {},
): tf.layers.Layer {
  if (head.classes !== undefined) {
    if (!(Number.isInteger(head.classes) && head.classes >= 2))
      throw new ModelError('LEPTON_MODEL_BAD_OPTION', `classes must be a whole number ≥ 2 (got ${head.classes}).`);
    if (head.binary && head.classes === 2)
      return tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'output', ...extra });
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
