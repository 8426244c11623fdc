/**
 * Metrics by name for `crossValidate` and `tune({ cv })`: each scores a fold from its true and predicted labels
 * (and its training labels, which MASE scales by). Your own function works the same way.
 */
import * as tf from '@tensorflow/tfjs';
import { accuracy } from '../metrics/classification.js';
import { meanAbsolutePercentageError, meanAbsoluteScaledError, rootMeanSquaredError } from '../metrics/forecast.js';
import { meanAbsoluteError, meanSquaredError, r2Score } from '../metrics/regression.js';
import { ValidateError } from './errors.js';

/** What a fold's metric is given besides the test labels and predictions. */
export interface MetricContext {
  /** The fold's training labels (in time order for walk-forward folds). */
  yTrain: tf.Tensor;
}

/** A metric of one fold: true and predicted labels in, a number out. */
export type MetricFunction = (yTrue: tf.Tensor, yPred: tf.Tensor, context: MetricContext) => number;

/** The metric names `crossValidate` knows. */
export type MetricName = 'mae' | 'rmse' | 'mse' | 'mape' | 'mase' | 'r2' | 'accuracy';

/** Class ids from labels or predictions: one-hot rows or probabilities → argmax, one sigmoid column → ≥ 0.5. */
function classes(t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    if (t.rank === 2 && t.shape[1]! > 1) return t.argMax(1);
    const flat = t.reshape([-1]);
    return t.dtype === 'float32' ? flat.greaterEqual(0.5).toInt() : flat;
  });
}

/** The first label of each row of the training labels: the training series, in order, for MASE's scale. */
function trainSeries(y: tf.Tensor): tf.Tensor {
  return y.rank === 1 ? y : tf.tidy(() => y.reshape([y.shape[0], -1]).slice([0, 0], [-1, 1]).reshape([-1]));
}

const named: Record<MetricName, MetricFunction> = {
  mae: (t, p) => meanAbsoluteError(t, p),
  rmse: (t, p) => rootMeanSquaredError(t, p),
  mse: (t, p) => meanSquaredError(t, p),
  mape: (t, p) => meanAbsolutePercentageError(t, p),
  mase: (t, p, { yTrain }) => {
    const train = trainSeries(yTrain);
    try {
      return meanAbsoluteScaledError(t, p, { train });
    } finally {
      if (train !== yTrain) train.dispose();
    }
  },
  r2: (t, p) => r2Score(t, p),
  accuracy: (t, p) => {
    const [a, b] = [classes(t), classes(p)];
    try {
      return accuracy(a, b);
    } finally {
      a.dispose();
      b.dispose();
    }
  },
};

/** Whether higher is better for a metric name (accuracy, R²) or lower (errors). */
export function higherIsBetter(name: string): boolean {
  return /acc|r2|auc|f1|precision|recall/i.test(name);
}

/** The named metric functions of `metrics` (names or `{ name: fn }`), checked. */
export function resolveMetrics(
  metrics: readonly (MetricName | MetricFunction)[] | Record<string, MetricFunction>,
): [string, MetricFunction][] {
  // Array.isArray narrows a readonly array to any[] (TypeScript #17002), so the list's type is restated.
  const entries: [string, MetricName | MetricFunction][] = Array.isArray(metrics)
    ? (metrics as readonly (MetricName | MetricFunction)[]).map((m, i) => [
        typeof m === 'string' ? m : m.name || `metric${i}`,
        m,
      ])
    : Object.entries(metrics as Record<string, MetricFunction>);
  if (entries.length === 0)
    throw new ValidateError(
      'LEPTON_BAD_CV',
      "crossValidate: metrics is empty; name some (e.g. ['mae', 'rmse'] or ['accuracy']) or give { name: (yTrue, yPred) => number }.",
    );
  return entries.map(([name, m]) => {
    if (typeof m === 'function') return [name, m];
    const fn = named[m];
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (!fn)
      throw new ValidateError(
        'LEPTON_BAD_CV',
        `crossValidate: unknown metric ${JSON.stringify(m)}; use ${Object.keys(named).join(', ')}, or a function (yTrue, yPred) => number.`,
      );
    return [name, fn];
  });
}
