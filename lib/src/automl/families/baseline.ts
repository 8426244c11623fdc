/**
 * The baseline family: the most frequent training class, or the mean of the training values. Every other family
 * must beat it to mean anything; it is the first row of every leaderboard.
 */
import * as tf from '@tensorflow/tfjs';
import { majority } from '../../baselines/majority.js';
import type { Family, FamilyModel } from './family.js';

/** Predicts a constant learned in `fit`: the majority class, or the mean value. */
class ConstantModel implements FamilyModel {
  private value = 0;
  constructor(
    private readonly task: 'classification' | 'regression',
    private readonly classes: number,
  ) {}
  async fit(x: tf.Tensor2D, y: tf.Tensor1D): Promise<void> {
    if (this.task === 'classification') this.value = majority().fit(x, y).classLabel!;
    else this.value = tf.tidy(() => y.mean().dataSync()[0]!);
  }
  predict(x: tf.Tensor2D): tf.Tensor1D {
    return tf.fill([x.shape[0]], this.value, this.task === 'classification' ? 'int32' : 'float32') as tf.Tensor1D;
  }
  predictProba(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.oneHot(this.predict(x), this.classes).toFloat() as tf.Tensor2D);
  }
  deployable(): null {
    return null;
  }
  dispose(): void {}
}

/** The majority class or the mean. */
export const baselineFamily: Family = {
  name: 'baseline',
  scale: false,
  space: () => null,
  defaults: () => ({}),
  create: (_params, context) => new ConstantModel(context.task, context.classes),
};
