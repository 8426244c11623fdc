/**
 * The model protocol of validation: anything with `fit(x, y)` and `predict(x)` on tensors (baselines, your own
 * models) can be cross-validated and reported beside a trained tfjs model.
 */
import type * as TF from '@tensorflow/tfjs';

/** A model that learns from tensors and predicts from them, as scikit-learn's estimators do. */
export interface Estimator {
  /** A short name for tables and charts. */
  readonly name?: string;
  /** Learns from features `x` and labels `y` (rows on the first axis). */
  fit(x: TF.Tensor, y: TF.Tensor): unknown;
  /** Predictions for `x`, one row per row of `x`, shaped as the labels were. */
  predict(x: TF.Tensor): TF.Tensor | Promise<TF.Tensor>;
}

/** Whether `value` follows the estimator protocol (and is not a tfjs model, which `lepton.fit` trains instead). */
export function isEstimator(value: unknown): value is Estimator {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Estimator).fit === 'function' &&
    typeof (value as Estimator).predict === 'function' &&
    typeof (value as { compile?: unknown }).compile !== 'function'
  );
}
