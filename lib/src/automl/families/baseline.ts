/**
 * The baseline family: the most frequent training class (with the training class shares as its probabilities),
 * or the mean of the training values. Every other family must beat it to mean anything; it is the first row of
 * every leaderboard. It deploys too, as a one-layer network whose weights are zero and whose bias gives the shares
 * (or the mean), so a search whose honest answer is "nothing beats the baseline" still serves.
 */
import * as tf from '@tensorflow/tfjs';
import type { Family, FamilyContext, FamilyModel } from './family.js';

/** Predicts what it learned in `fit`, whatever the features: the majority class, or the mean value. */
class ConstantModel implements FamilyModel {
  /** The class shares in the training labels, or `[mean]` for a regression. */
  private values: number[] = [];
  constructor(private readonly context: FamilyContext) {}
  // eslint-disable-next-line @typescript-eslint/require-await -- the interface is async for the families that train over epochs; async keeps this one's throws as rejections, like theirs
  async fit(_x: tf.Tensor2D, y: tf.Tensor1D): Promise<void> {
    const labels = Array.from(y.dataSync());
    if (this.context.task === 'regression') {
      this.values = [labels.reduce((a, b) => a + b, 0) / labels.length];
      return;
    }
    const counts = new Array<number>(this.context.classes).fill(0);
    for (const v of labels) counts[v]!++;
    this.values = counts.map((c) => c / labels.length);
  }
  predict(x: tf.Tensor2D): tf.Tensor1D {
    if (this.context.task === 'regression') return tf.fill<tf.Rank.R1>([x.shape[0]], this.values[0]!, 'float32');
    // The most frequent class; the smallest id on a tie, as `lepton.baselines.majority`.
    const top = this.values.indexOf(Math.max(...this.values));
    return tf.fill<tf.Rank.R1>([x.shape[0]], top, 'int32');
  }
  predictProba(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.tensor2d([this.values], [1, this.values.length]).tile([x.shape[0], 1]));
  }
  deployable(): tf.LayersModel {
    const classification = this.context.task === 'classification';
    const units = classification ? this.context.classes : 1;
    const model = tf.sequential({ name: 'automl_baseline' });
    model.add(
      tf.layers.dense({
        units,
        inputShape: [this.context.inputs],
        activation: classification ? 'softmax' : 'linear',
        name: 'output',
      }),
    );
    // Zero weights and a bias of log-shares: softmax gives back the shares for every row (a class never seen gets a
    // large negative bias, probability ~0).
    const bias = classification ? this.values.map((p) => Math.log(Math.max(p, 1e-12))) : this.values;
    const weights = [tf.zeros([this.context.inputs, units]), tf.tensor1d(bias)];
    model.layers[0]!.setWeights(weights);
    tf.dispose(weights);
    return model;
  }
  dispose(): void {}
}

/** The majority class or the mean. */
export const baselineFamily: Family = {
  name: 'baseline',
  scale: false,
  space: () => null,
  defaults: () => ({}),
  create: (_params, context) => new ConstantModel(context),
};
