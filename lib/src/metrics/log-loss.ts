import { sameLength, toArray, toMatrix, type Matrix, type Values } from './values.js';
import { MetricError } from './errors.js';

/**
 * Cross-entropy of true labels under predicted probabilities (scikit-learn's `log_loss`): the probability of each sample's true class is clipped to [1e-15, 1 − 1e-15] and
 * not renormalized (as scikit-learn ≥ 1.5, which only warns when rows do not sum to 1). A single column (or 1-D input) is the positive class's probability.
 * @param labels the class of each column (default 0, 1, …)
 */
export function logLoss(yTrue: Values, probabilities: Values | Matrix, labels?: number[]): number {
  const t = toArray(yTrue);
  let rows = toMatrix(probabilities as Matrix);
  sameLength(t, rows, ['yTrue', 'probabilities']);
  if (rows[0]!.length === 1) rows = rows.map((r) => [1 - r[0]!, r[0]!]);
  const classes = labels ?? rows[0]!.map((_, i) => i);
  const eps = 1e-15;
  let total = 0;
  t.forEach((label, i) => {
    const j = classes.indexOf(label);
    if (j < 0)
      throw new MetricError(
        'LEPTON_METRIC_UNKNOWN_LABEL',
        `logLoss: label ${label} of sample ${i} is not among the probability columns' labels (${classes.join(', ')}).`,
      );
    const p = Math.min(1 - eps, Math.max(eps, rows[i]![j]!));
    total -= Math.log(p);
  });
  return total / t.length;
}
