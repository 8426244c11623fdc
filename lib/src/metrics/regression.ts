import { sameLength, toArray, type Values } from './values.js';

function pairs(yTrue: Values, yPred: Values): [number[], number[]] {
  const t = toArray(yTrue);
  const p = toArray(yPred);
  sameLength(t, p, ['yTrue', 'yPred']);
  return [t, p];
}

/** Mean of squared errors (scikit-learn's `mean_squared_error`). */
export function meanSquaredError(yTrue: Values, yPred: Values): number {
  const [t, p] = pairs(yTrue, yPred);
  return t.reduce((s, v, i) => s + (v - p[i]!) ** 2, 0) / t.length;
}

/** Mean of absolute errors (scikit-learn's `mean_absolute_error`). */
export function meanAbsoluteError(yTrue: Values, yPred: Values): number {
  const [t, p] = pairs(yTrue, yPred);
  return t.reduce((s, v, i) => s + Math.abs(v - p[i]!), 0) / t.length;
}

/**
 * The coefficient of determination R² = 1 − SS_res / SS_tot (scikit-learn's `r2_score`; 1 is perfect, 0 is as
 * good as predicting the mean; a constant yTrue gives 1 when predicted exactly, else 0).
 */
export function r2Score(yTrue: Values, yPred: Values): number {
  const [t, p] = pairs(yTrue, yPred);
  const mean = t.reduce((s, v) => s + v, 0) / t.length;
  const ssRes = t.reduce((s, v, i) => s + (v - p[i]!) ** 2, 0);
  const ssTot = t.reduce((s, v) => s + (v - mean) ** 2, 0);
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
