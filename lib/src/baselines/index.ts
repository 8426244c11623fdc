/**
 * Baselines (`lepton.baselines`): the simple models every report shows beside yours. Forecasting: `naive`,
 * `seasonalNaive`, `mean`; classification: `majority`. Each has `fit(x, y)` and `predict(x)`, so
 * `lepton.crossValidate` scores them like any model.
 * @packageDocumentation
 */
export {
  mean,
  MeanForecast,
  naive,
  NaiveForecast,
  seasonalNaive,
  SeasonalNaiveForecast,
  type BaselineWindow,
  type SeasonalNaiveOptions,
} from './forecast.js';
export { majority, MajorityClassifier } from './majority.js';
export { BaselineError, type BaselineErrorCode } from './errors.js';
