/**
 * Honest validation: splitters (`kFold`, `timeSeriesSplit`), a split by time (`timeSplit`) and
 * `crossValidate`, which trains a fresh model per fold and reports mean ± std.
 * @packageDocumentation
 */
import { crossValidate as run, last } from './cross-validate.js';

/**
 * Cross-validates a model: a fresh model per fold from `build`, trained on the fold's training rows and scored
 * on its test rows, with a live table of folds (mean ± std) and a chart; interrupting keeps the finished folds.
 * `lepton.crossValidate.last()` returns the most recent run.
 * @example const cv = await lepton.crossValidate(({ seed }) => lepton.models.linear({ inputs: [14, 1], seed }), w, { splitter: lepton.timeSeriesSplit(w.x.shape[0], { folds: 5 }), fit: { epochs: 20 }, metrics: ['mae', 'rmse'] })
 */
export const crossValidate = Object.assign(run, {
  /** The most recent cross-validation, also after an interrupted cell. */
  last,
});
export type { CrossValidateData, CrossValidateOptions, FoldBuild, FoldContext } from './cross-validate.js';
export { CrossValidation, type CrossValidationStatus, type FoldScore, type MetricSummary } from './report.js';
export { ValidateError, type ValidateErrorCode } from './errors.js';
export { isEstimator, type Estimator } from './estimator.js';
export type { Fold, Splitter } from './folds.js';
export { kFold, type KFoldOptions } from './kfold.js';
export { timeSeriesSplit, type TimeSeriesSplitOptions } from './time-series-split.js';
export { timeSplit, type TimeSplit, type TimeSplitOptions } from './time-split.js';
export { higherIsBetter, resolveMetrics, type MetricContext, type MetricFunction, type MetricName } from './metrics.js';
