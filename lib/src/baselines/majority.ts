/**
 * The classification baseline: always the most frequent training class (scikit-learn's
 * `DummyClassifier(strategy='most_frequent')`). A classifier's accuracy means little until it beats this one.
 */
import type * as TF from '@tensorflow/tfjs';
import { tfjs } from '../core/tfjs.js';
import type { Estimator } from '../validate/estimator.js';
import { BaselineError } from './errors.js';

/** Predicts the most frequent training class (the smallest one on a tie). */
export class MajorityClassifier implements Estimator {
  readonly name = 'majority';
  /** The class it predicts, once fitted. */
  classLabel: number | null = null;

  /** Learns the most frequent class of `y`: class ids [samples], or one-hot rows [samples, classes]. */
  fit(_x: TF.Tensor | null, y: TF.Tensor): this {
    const tf = tfjs();
    const labels = y.rank === 2 && y.shape[1]! > 1 ? tf.tidy(() => y.argMax(1)) : y;
    const counts = new Map<number, number>();
    for (const v of labels.dataSync()) counts.set(v, (counts.get(v) ?? 0) + 1);
    if (labels !== y) labels.dispose();
    if (counts.size === 0) throw new BaselineError('majority: fit needs at least one label.');
    this.classLabel = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
    return this;
  }

  /** The majority class for every row of `x`: [samples] int32 class ids. */
  predict(x: TF.Tensor): TF.Tensor {
    if (this.classLabel === null) throw new BaselineError('majority: call fit(x, y) before predict.');
    return tfjs().fill([x.shape[0]], this.classLabel, 'int32');
  }
}

/**
 * The majority-class baseline.
 * @example lepton.metrics.accuracy(yTest, lepton.baselines.majority().fit(xTrain, yTrain).predict(xTest))
 */
export function majority(): MajorityClassifier {
  return new MajorityClassifier();
}
