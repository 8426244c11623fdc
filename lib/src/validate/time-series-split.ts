/**
 * `timeSeriesSplit`: walk-forward folds (scikit-learn's `TimeSeriesSplit`): every fold trains on all rows before
 * its test block (an expanding window, or the last `maxTrainSize`), with `gap` rows left out between them so a
 * label window cannot overlap the test block. The folds are exactly scikit-learn's.
 */
import { badSplit } from './errors.js';
import { checkCounts, range, type Fold } from './folds.js';

/** Options of `timeSeriesSplit`. */
export interface TimeSeriesSplitOptions {
  /** Number of folds (default 5). */
  folds?: number;
  /** Rows left out between each training part and its test block (default 0). */
  gap?: number;
  /** Rows in each test block (default n / (folds + 1), rounded down). */
  testSize?: number;
  /** Train on at most this many of the latest rows (default: all earlier rows). */
  maxTrainSize?: number;
}

/**
 * Walk-forward folds of `n` rows in time order: test blocks at the end, each trained on what came before.
 * @param n the number of rows (in time order)
 * @param options folds, gap, testSize, maxTrainSize
 * @returns one `{ train, test }` per fold, the last fold testing the last rows
 * @example const folds = lepton.timeSeriesSplit(w.x.shape[0], { folds: 5, gap: 0 })
 */
export function timeSeriesSplit(n: number, options: TimeSeriesSplitOptions = {}): Fold[] {
  const folds = options.folds ?? 5;
  const gap = options.gap ?? 0;
  checkCounts('timeSeriesSplit', n, folds, 1);
  if (!Number.isInteger(gap) || gap < 0) throw badSplit(`timeSeriesSplit: gap must be a whole number ≥ 0, got ${gap}.`);
  if (folds + 1 > n)
    throw badSplit(
      `timeSeriesSplit: ${folds} folds need more than ${folds} rows, there are ${n}; ask for fewer folds.`,
    );
  const testSize = options.testSize ?? Math.floor(n / (folds + 1));
  if (!Number.isInteger(testSize) || testSize < 1)
    throw badSplit(`timeSeriesSplit: testSize must be a whole number ≥ 1, got ${testSize}.`);
  if (n - gap - testSize * folds <= 0) {
    throw badSplit(
      `timeSeriesSplit: ${folds} folds of ${testSize} test rows with a gap of ${gap} leave no rows to train the first fold on (${n} rows); ask for fewer folds, a smaller testSize or gap.`,
    );
  }
  const max = options.maxTrainSize;
  if (max !== undefined && !(Number.isInteger(max) && max >= 1))
    throw badSplit(`timeSeriesSplit: maxTrainSize must be a whole number ≥ 1, got ${max}.`);
  const out: Fold[] = [];
  for (let start = n - folds * testSize; start < n; start += testSize) {
    const trainEnd = start - gap;
    const trainStart = max !== undefined && max < trainEnd ? trainEnd - max : 0;
    out.push({ train: range(trainStart, trainEnd), test: range(start, start + testSize) });
  }
  return out;
}
