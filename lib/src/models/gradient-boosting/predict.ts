/**
 * Prediction with the fitted trees on raw feature values: raw scores (sums of leaf values), then probabilities.
 * Values compare as float32 against float32 thresholds, so these numbers are the ONNX graph's.
 */
import { sigmoid, softmaxRow, type LossKind } from './losses.js';
import type { Tree } from './tree.js';

/** Raw scores [rows, outputs] (row-major) for column-major features `columns` of `rows` rows. */
export function rawScores(
  trees: readonly Tree[],
  base: Float64Array,
  columns: readonly ArrayLike<number>[],
  rows: number,
): Float64Array {
  const K = base.length;
  const out = new Float64Array(rows * K);
  for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) out[r * K + k] = base[k]!;
  trees.forEach((tree, t) => {
    const k = t % K;
    const { feature, threshold, left, right, missingLeft, value } = tree;
    for (let r = 0; r < rows; r++) {
      let node = 0;
      let f: number;
      while ((f = feature[node]!) >= 0) {
        const v = columns[f]![r]!;
        const goLeft = v !== v ? missingLeft[node] === 1 : Math.fround(v) <= threshold[node]!;
        node = goLeft ? left[node]! : right[node]!;
      }
      out[r * K + k]! += value[node]!;
    }
  });
  return out;
}

/** Class probabilities [rows, classes] from raw scores: the logistic of one score (binary) or a softmax. */
export function probabilities(raw: Float64Array, kind: LossKind, classes: number): Float64Array {
  if (kind === 'logLoss') {
    const out = new Float64Array(raw.length * 2);
    for (let r = 0; r < raw.length; r++) {
      const p = sigmoid(raw[r]!);
      out[2 * r] = 1 - p;
      out[2 * r + 1] = p;
    }
    return out;
  }
  const rows = raw.length / classes;
  const out = new Float64Array(raw.length);
  const p = new Float64Array(classes);
  for (let r = 0; r < rows; r++) {
    softmaxRow(raw, r, classes, p);
    out.set(p, r * classes);
  }
  return out;
}
