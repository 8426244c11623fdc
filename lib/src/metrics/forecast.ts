/**
 * Forecast errors: RMSE, MAPE (a fraction, as scikit-learn's `mean_absolute_percentage_error`) and MASE, the MAE
 * scaled by the in-sample MAE of the naive (or seasonal naive) forecast on the training series: below 1 beats it.
 */
import { meanAbsoluteError, meanSquaredError } from './regression.js';
import { sameLength, toArray, type Values } from './values.js';
import { MetricError } from './errors.js';

/** Root of the mean squared error, in the target's units. */
export function rootMeanSquaredError(yTrue: Values, yPred: Values): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred));
}

/**
 * Mean absolute percentage error as a fraction (0.05 is 5%); a true value of 0 is divided by machine epsilon, as
 * scikit-learn does, so prefer MAE or MASE for series that cross zero.
 */
export function meanAbsolutePercentageError(yTrue: Values, yPred: Values): number {
  const t = toArray(yTrue);
  const p = toArray(yPred);
  sameLength(t, p, ['yTrue', 'yPred']);
  return t.reduce((s, v, i) => s + Math.abs(v - p[i]!) / Math.max(Math.abs(v), Number.EPSILON), 0) / t.length;
}

/** Options of `mase`. */
export interface MaseOptions {
  /** The training series, in time order: the naive forecast's error on it is the scale. */
  train: Values;
  /** The season of the seasonal naive forecast that scales the error (default 1: the plain naive forecast). */
  season?: number;
}

/**
 * Mean absolute scaled error: MAE / the mean |train[t] − train[t − season]| (Hyndman & Koehler). Below 1, the
 * forecast beats the naive forecast's in-sample error.
 * @example lepton.metrics.mase(yTest, predictions, { train: trainSeries })
 */
export function meanAbsoluteScaledError(yTrue: Values, yPred: Values, options: MaseOptions): number {
  const train = toArray(options.train);
  const season = options.season ?? 1;
  if (!Number.isInteger(season) || season < 1)
    throw new MetricError('LEPTON_METRIC_BAD_OPTION', `mase: season must be a whole number ≥ 1, got ${season}.`);
  if (train.length <= season)
    throw new MetricError(
      'LEPTON_METRIC_UNDEFINED',
      `mase: the training series needs more than season = ${season} values, it has ${train.length}.`,
    );
  let scale = 0;
  for (let i = season; i < train.length; i++) scale += Math.abs(train[i]! - train[i - season]!);
  scale /= train.length - season;
  if (scale === 0)
    throw new MetricError(
      'LEPTON_METRIC_UNDEFINED',
      'mase: the training series is constant, so the naive forecast is perfect on it and the scale is 0; use MAE.',
    );
  return meanAbsoluteError(yTrue, yPred) / scale;
}
