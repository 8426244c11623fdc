import { labelsOf, sameLength, toArray, type Values } from './values.js';

/**
 * The fraction of predictions equal to the true labels (scikit-learn's `accuracy_score`).
 * @example lepton.metrics.accuracy([0, 1, 1], [0, 1, 0]) // 0.667
 */
export function accuracy(yTrue: Values, yPred: Values): number {
  const t = toArray(yTrue);
  const p = toArray(yPred);
  sameLength(t, p, ['yTrue', 'yPred']);
  return t.reduce((n, v, i) => n + (v === p[i] ? 1 : 0), 0) / t.length;
}

/** A confusion matrix: `matrix[i][j]` counts samples of true label `labels[i]` predicted as `labels[j]`. */
export interface ConfusionMatrix {
  /** The classes, in row (and column) order. */
  labels: number[];
  /** Counts: rows are true labels, columns predicted labels. */
  matrix: number[][];
}

/**
 * Counts each (true, predicted) pair (scikit-learn's `confusion_matrix`, rows are true labels).
 * @param labels the classes, in order (default: every label seen, sorted)
 */
export function confusionMatrix(yTrue: Values, yPred: Values, labels?: number[]): ConfusionMatrix {
  const t = toArray(yTrue);
  const p = toArray(yPred);
  sameLength(t, p, ['yTrue', 'yPred']);
  const classes = labels ?? labelsOf(t, p);
  const index = new Map(classes.map((c, i) => [c, i]));
  const matrix = classes.map(() => classes.map(() => 0));
  t.forEach((v, k) => {
    const i = index.get(v);
    const j = index.get(p[k]!);
    if (i !== undefined && j !== undefined) matrix[i]![j]!++;
  });
  return { labels: classes, matrix };
}

/** Precision, recall, F1 and support of one class, or an average. */
export interface ClassScores {
  /** Of the samples predicted as the class, the share that are it (0 when none is predicted). */
  precision: number;
  /** Of the samples of the class, the share predicted as it. */
  recall: number;
  /** The harmonic mean of precision and recall. */
  f1: number;
  /** Samples whose true label is the class (for an average: all samples). */
  support: number;
}

/** Per-class scores with their macro (unweighted) and weighted (by support) averages. */
export interface PrecisionRecallF1 {
  /** The classes, in the order of `perClass`. */
  labels: number[];
  /** The scores of each class. */
  perClass: ClassScores[];
  /** Unweighted means of the per-class scores. */
  macro: ClassScores;
  /** Means of the per-class scores weighted by support. */
  weighted: ClassScores;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/**
 * Precision, recall and F1 per class, with macro and weighted averages — scikit-learn's
 * `precision_recall_fscore_support` with `zero_division=0` (a class never predicted has precision 0).
 * @param labels the classes, in order (default: every label seen, sorted)
 */
export function precisionRecallF1(yTrue: Values, yPred: Values, labels?: number[]): PrecisionRecallF1 {
  const { labels: classes, matrix } = confusionMatrix(yTrue, yPred, labels);
  const perClass = classes.map((_, i) => {
    const tp = matrix[i]![i]!;
    const predicted = matrix.reduce((s, row) => s + row[i]!, 0);
    const support = matrix[i]!.reduce((s, v) => s + v, 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const total = perClass.reduce((s, c) => s + c.support, 0);
  const average = (weight: (c: ClassScores) => number, norm: number): ClassScores => ({
    precision: perClass.reduce((s, c) => s + weight(c) * c.precision, 0) / norm,
    recall: perClass.reduce((s, c) => s + weight(c) * c.recall, 0) / norm,
    f1: perClass.reduce((s, c) => s + weight(c) * c.f1, 0) / norm,
    support: total,
  });
  return {
    labels: classes,
    perClass,
    macro: average(() => 1, perClass.length),
    weighted: average((c) => c.support, total || 1),
  };
}

/** The scores of class `positive` among all the labels seen (binary problems). */
function positiveScores(yTrue: Values, yPred: Values, positive: number): ClassScores {
  const t = toArray(yTrue);
  const p = toArray(yPred);
  const labels = labelsOf(t, p, [positive]);
  const r = precisionRecallF1(t, p, labels);
  return r.perClass[labels.indexOf(positive)]!;
}

/** Precision of the positive class `positive` (default 1): scikit-learn's `precision_score` for binary labels. */
export function precision(yTrue: Values, yPred: Values, positive = 1): number {
  return positiveScores(yTrue, yPred, positive).precision;
}

/** Recall of the positive class `positive` (default 1): scikit-learn's `recall_score` for binary labels. */
export function recall(yTrue: Values, yPred: Values, positive = 1): number {
  return positiveScores(yTrue, yPred, positive).recall;
}

/** F1 of the positive class `positive` (default 1): scikit-learn's `f1_score` for binary labels. */
export function f1(yTrue: Values, yPred: Values, positive = 1): number {
  return positiveScores(yTrue, yPred, positive).f1;
}
