/**
 * The fold type every splitter returns and `crossValidate` consumes: row positions of the training and test
 * parts, so any data indexed by row (tensors, frames, arrays) can be cut the same way.
 */
import { badSplit } from './errors.js';

/** One fold of a split: the row positions trained on and those scored, each ascending. */
export interface Fold {
  /** Positions of the training rows, ascending. */
  train: Int32Array;
  /** Positions of the test rows, ascending. */
  test: Int32Array;
}

/** Something that makes folds for `n` rows (with the rows' labels when it stratifies). */
export type Splitter = (n: number, labels?: ArrayLike<unknown>) => Fold[];

/** Checks that `n` is a row count and `folds` a fold count with at least one row per test part. */
export function checkCounts(what: string, n: number, folds: number, least = 2): void {
  if (!Number.isInteger(n) || n < 1)
    throw badSplit(`${what}: n must be the number of rows (a whole number ≥ 1), got ${n}.`);
  if (!Number.isInteger(folds) || folds < least)
    throw badSplit(`${what}: folds must be a whole number ≥ ${least}, got ${folds}.`);
}

/** The positions 0..n-1 not in `test` (ascending), given `test` as a membership mask. */
export function complement(n: number, inTest: Uint8Array): Int32Array {
  let count = 0;
  for (let i = 0; i < n; i++) if (!inTest[i]) count++;
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) if (!inTest[i]) out[k++] = i;
  return out;
}

/** Positions `start` (inclusive) to `end` (exclusive). */
export function range(start: number, end: number): Int32Array {
  return Int32Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}
