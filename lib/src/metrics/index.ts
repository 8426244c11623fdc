/**
 * Evaluation metrics on plain arrays or tensors, checked against scikit-learn: classification (accuracy,
 * precision/recall/F1, confusion matrix, ROC and AUC, log loss) and regression (MSE, MAE, R²).
 */
export { accuracy, confusionMatrix, f1, precision, precisionRecallF1, recall, type ClassScores, type ConfusionMatrix, type PrecisionRecallF1 } from './classification.js';
export { logLoss } from './log-loss.js';
export { meanAbsoluteError, meanSquaredError, r2Score } from './regression.js';
export { auc, rocAuc, rocCurve, type RocCurve } from './roc.js';
export type { Matrix, Values } from './values.js';
