import { labelsOf, sameLength, toArray, toMatrix, type Matrix, type Values } from './values.js';
import { MetricError } from './errors.js';

/** A ROC curve: false and true positive rates at each decreasing threshold (the first threshold is +Infinity). */
export interface RocCurve {
  /** False positive rate at each threshold: negatives scored at or above it, as a share of all negatives. */
  fpr: number[];
  /** True positive rate (recall) at each threshold: positives scored at or above it, as a share of all positives. */
  tpr: number[];
  /** The score thresholds, decreasing; the first is +Infinity (nothing predicted positive). */
  thresholds: number[];
}

/**
 * The ROC curve of binary labels against scores, one point per distinct score (scikit-learn's `roc_curve` with
 * `drop_intermediate=False`).
 * @param positive the label of the positive class (default 1)
 */
export function rocCurve(yTrue: Values, scores: Values, positive = 1): RocCurve {
  const t = toArray(yTrue);
  const s = toArray(scores);
  sameLength(t, s, ['yTrue', 'scores']);
  const order = s.map((_, i) => i).sort((a, b) => s[b]! - s[a]!);
  const positives = t.filter((v) => v === positive).length;
  const negatives = t.length - positives;
  if (positives === 0 || negatives === 0)
    throw new MetricError(
      'LEPTON_METRIC_UNDEFINED',
      `A ROC curve needs both classes in yTrue; it has only ${positives === 0 ? 'negatives' : 'positives'}.`,
    );
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (t[i] === positive) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || s[next] !== s[i]) {
      fpr.push(fp / negatives);
      tpr.push(tp / positives);
      thresholds.push(s[i]!);
    }
  }
  return { fpr, tpr, thresholds };
}

/** The area under a curve by the trapezoidal rule (scikit-learn's `auc`). */
export function auc(x: number[], y: number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return Math.abs(area);
}

/**
 * Area under the ROC curve (scikit-learn's `roc_auc_score`). Binary: `scores` are the positive class's scores
 * (or a two-column probability matrix). Multi-class: rows of class probabilities, one-vs-rest, averaged `macro`
 * (default) or `weighted` by support.
 */
export function rocAuc(
  yTrue: Values,
  scores: Values | Matrix,
  options: { average?: 'macro' | 'weighted'; labels?: number[] } = {},
): number {
  const t = toArray(yTrue);
  const rows = toMatrix(scores as Matrix);
  const width = rows[0]?.length ?? 0;
  if (width <= 2) {
    const labels = options.labels ?? labelsOf(t);
    const positive = labels.at(-1)!;
    const s = width === 2 ? rows.map((r) => r[1]!) : rows.map((r) => r[0]!);
    const curve = rocCurve(t, s, positive);
    return auc(curve.fpr, curve.tpr);
  }
  const labels = options.labels ?? Array.from({ length: width }, (_, i) => i);
  if (labels.length !== width)
    throw new MetricError(
      'LEPTON_METRIC_SHAPE_MISMATCH',
      `rocAuc got ${width} score columns but ${labels.length} labels.`,
    );
  const perClass = labels.map((label, j) => {
    const curve = rocCurve(
      t.map((v) => (v === label ? 1 : 0)),
      rows.map((r) => r[j]!),
      1,
    );
    return { auc: auc(curve.fpr, curve.tpr), support: t.filter((v) => v === label).length };
  });
  if (options.average === 'weighted') return perClass.reduce((s, c) => s + c.auc * c.support, 0) / t.length;
  return perClass.reduce((s, c) => s + c.auc, 0) / perClass.length;
}
