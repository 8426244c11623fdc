/**
 * The losses boosting minimizes, each with its starting score, gradients and hessians: squared error (regression),
 * log-loss (binary classification, one score per row) and softmax cross-entropy (multiclass, one score per class).
 * Raw scores are row-major [rows, outputs].
 */

/** A differentiable loss over raw scores. */
export interface Loss {
  /** `squaredError`, `logLoss` or `softmax`. */
  readonly kind: LossKind;
  /** Raw scores per row (1, or the number of classes for softmax). */
  readonly outputs: number;
  /** The best constant scores for labels `y` on rows `rows`. */
  init(y: Float64Array, rows: ArrayLike<number>): Float64Array;
  /**
   * Gradients and hessians of every output `k` at every row, interleaved: `gh[k][2r]` the gradient, `gh[k][2r + 1]`
   * the hessian (a histogram pass reads both from one cache line instead of two arrays).
   */
  gradients(raw: Float64Array, y: Float64Array, gh: Float64Array[]): void;
  /**
   * Single-output losses: adds `value` to the raw score of each row `rows[start..end)` (a leaf's rows) and writes
   * that row's new gradient pair into `gh`, the same numbers `gradients` would give, in the pass that updates the
   * scores instead of a pass of its own. Absent for softmax, whose gradients need every output's tree first.
   */
  addAndGradients?(
    raw: Float64Array,
    y: Float64Array,
    gh: Float64Array,
    rows: Uint32Array,
    start: number,
    end: number,
    value: number,
  ): void;
  /**
   * Single-output losses: the gradient pair of every row `r` from the raw score `raw[group[r]]` its group shares
   * (see row-groups.ts), the same numbers `gradients` would give; the per-score work (an exponential) runs once per
   * group, into `perGroup` (2 slots per group).
   */
  groupGradients?(
    raw: Float64Array,
    group: Uint32Array,
    y: Float64Array,
    gh: Float64Array,
    perGroup: Float64Array,
  ): void;
  /** The mean loss over `rows`. */
  loss(raw: Float64Array, y: Float64Array, rows: ArrayLike<number>): number;
}

/** The names of the losses, as saved in JSON. */
export type LossKind = 'squaredError' | 'logLoss' | 'softmax';

/** A loss by name (`classes` for softmax). */
export function lossOf(kind: LossKind, classes = 2): Loss {
  switch (kind) {
    case 'squaredError':
      return squaredError;
    case 'logLoss':
      return logLoss;
    case 'softmax':
      return softmax(classes);
  }
}

const squaredError: Loss = {
  kind: 'squaredError',
  outputs: 1,
  init(y, rows) {
    let sum = 0;
    for (let i = 0; i < rows.length; i++) sum += y[rows[i]!]!;
    return Float64Array.of(rows.length ? sum / rows.length : 0);
  },
  gradients(raw, y, [gh]) {
    for (let r = 0; r < y.length; r++) {
      gh![2 * r] = raw[r]! - y[r]!;
      gh![2 * r + 1] = 1;
    }
  },
  addAndGradients(raw, y, gh, rows, start, end, value) {
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const z = (raw[r] = raw[r]! + value);
      gh[2 * r] = z - y[r]!;
      gh[2 * r + 1] = 1;
    }
  },
  groupGradients(raw, group, y, gh) {
    for (let r = 0; r < y.length; r++) {
      gh[2 * r] = raw[group[r]!]! - y[r]!;
      gh[2 * r + 1] = 1;
    }
  },
  loss(raw, y, rows) {
    let sum = 0;
    for (let i = 0; i < rows.length; i++) sum += (raw[rows[i]!]! - y[rows[i]!]!) ** 2;
    return sum / rows.length;
  },
};

/** The logistic function. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

// Hessians below this would make leaf values explode on rows the model is already sure about.
const MIN_HESSIAN = 1e-16;
const EPSILON = 1e-15;

/** The log-loss gradient pair of a row with raw score `z` and label `y`, written at `gh[2r]`, `gh[2r + 1]`. */
function logisticPair(z: number, y: number, gh: Float64Array, r: number): void {
  const p = 1 / (1 + Math.exp(-z));
  gh[2 * r] = p - y;
  gh[2 * r + 1] = Math.max(p * (1 - p), MIN_HESSIAN);
}

const logLoss: Loss = {
  kind: 'logLoss',
  outputs: 1,
  init(y, rows) {
    let positives = 0;
    for (let i = 0; i < rows.length; i++) positives += y[rows[i]!]!;
    const p = Math.min(Math.max(positives / rows.length, EPSILON), 1 - EPSILON);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  gradients(raw, y, [gh]) {
    for (let r = 0; r < y.length; r++) logisticPair(raw[r]!, y[r]!, gh!, r);
  },
  addAndGradients(raw, y, gh, rows, start, end, value) {
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      logisticPair((raw[r] = raw[r]! + value), y[r]!, gh, r);
    }
  },
  groupGradients(raw, group, y, gh, perGroup) {
    // The probability and the hessian once per group, then each row's gradient from its own label.
    for (let c = 0; c < raw.length; c++) {
      const p = sigmoid(raw[c]!);
      perGroup[2 * c] = p;
      perGroup[2 * c + 1] = Math.max(p * (1 - p), MIN_HESSIAN);
    }
    for (let r = 0; r < y.length; r++) {
      const c = group[r]!;
      gh[2 * r] = perGroup[2 * c]! - y[r]!;
      gh[2 * r + 1] = perGroup[2 * c + 1]!;
    }
  },
  loss(raw, y, rows) {
    let sum = 0;
    for (let i = 0; i < rows.length; i++) {
      const p = Math.min(Math.max(sigmoid(raw[rows[i]!]!), EPSILON), 1 - EPSILON);
      sum -= y[rows[i]!]! === 1 ? Math.log(p) : Math.log(1 - p);
    }
    return sum / rows.length;
  },
};

/** Softmax probabilities of row `r` into `out`. */
export function softmaxRow(raw: ArrayLike<number>, r: number, k: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, raw[r * k + c]!);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += out[c] = Math.exp(raw[r * k + c]! - max);
  for (let c = 0; c < k; c++) out[c]! /= sum;
}

function softmax(classes: number): Loss {
  const p = new Float64Array(classes);
  // LightGBM's (and Friedman's) multiclass hessian carries the factor K/(K-1): the K scores of a row sum to a
  // constant after the softmax, so only K-1 of them are free, and the diagonal p(1-p) understates the curvature
  // along them. Without it each leaf's Newton step is K/(K-1) times LightGBM's and the trees overshoot.
  const factor = classes > 1 ? classes / (classes - 1) : 1;
  return {
    kind: 'softmax',
    outputs: classes,
    init(y, rows) {
      const counts = new Float64Array(classes);
      for (let i = 0; i < rows.length; i++) counts[y[rows[i]!]!]!++;
      // Log priors, centred: a class absent from the rows starts very unlikely rather than at -Infinity.
      const logs = Array.from(counts, (c) => Math.log(Math.max(c / rows.length, EPSILON)));
      const mean = logs.reduce((a, b) => a + b, 0) / classes;
      return Float64Array.from(logs, (l) => l - mean);
    },
    gradients(raw, y, gh) {
      for (let r = 0; r < y.length; r++) {
        softmaxRow(raw, r, classes, p);
        for (let k = 0; k < classes; k++) {
          const pk = p[k]!;
          gh[k]![2 * r] = pk - (y[r] === k ? 1 : 0);
          gh[k]![2 * r + 1] = Math.max(factor * pk * (1 - pk), MIN_HESSIAN);
        }
      }
    },
    loss(raw, y, rows) {
      let sum = 0;
      for (let i = 0; i < rows.length; i++) {
        softmaxRow(raw, rows[i]!, classes, p);
        sum -= Math.log(Math.max(p[y[rows[i]!]!]!, EPSILON));
      }
      return sum / rows.length;
    },
  };
}
