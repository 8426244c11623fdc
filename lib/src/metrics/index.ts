/**
 * Evaluation metrics on plain arrays or tensors, checked against scikit-learn: classification (accuracy,
 * precision/recall/F1, confusion matrix, ROC and AUC, log loss) and regression (MSE, MAE, R²).
 */
export {
  accuracy,
  confusionMatrix,
  f1,
  precision,
  precisionRecallF1,
  recall,
  type ClassScores,
  type ConfusionMatrix,
  type PrecisionRecallF1,
} from './classification.js';
export { logLoss } from './log-loss.js';
export { meanAbsoluteError, meanSquaredError, r2Score } from './regression.js';
export {
  meanAbsolutePercentageError,
  meanAbsoluteScaledError,
  rootMeanSquaredError,
  type MaseOptions,
} from './forecast.js';
// The short names forecasters use, for the same functions.
export { meanAbsoluteError as mae } from './regression.js';
export {
  rootMeanSquaredError as rmse,
  meanAbsolutePercentageError as mape,
  meanAbsoluteScaledError as mase,
} from './forecast.js';
export { auc, rocAuc, rocCurve, type RocCurve } from './roc.js';
export type { Matrix, Values } from './values.js';
