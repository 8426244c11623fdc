/**
 * `trainTestSplit`: seeded, optionally stratified splits of a DataFrame or of tensors that share their first axis.
 */
import type * as TF from '@tensorflow/tfjs';
import type { ColumnTable } from 'arquero';
import { isMissing } from '../data/columns.js';
import { assertColumns, badArgument, EmptyDataError } from '../data/errors.js';
import { DataFrame } from '../data/frame.js';
import { permutation, seededRandom } from '../core/random.js';
import { columnValues } from '../data/stats.js';
import { isTensor, tfjs } from '../core/tfjs.js';

/** Options of `trainTestSplit`. */
export interface SplitOptions {
  /** The test share: a fraction in (0, 1), or a number of rows ≥ 1 (default 0.25). */
  testSize?: number;
  /**
   * Keep class proportions equal in both parts: a column name (frames), or the labels (an array, a 1-D tensor of
   * labels, or a 2-D one-hot tensor) for tensors.
   */
  stratify?: string | ArrayLike<unknown> | TF.Tensor;
  /** Seed of the shuffle: the same seed gives the same split (default 0). */
  seed?: number;
  /** Shuffle before splitting (default true); without it the last rows are the test part. */
  shuffle?: boolean;
}

/** Row positions of each part. */
export interface SplitIndices {
  /** Row indices of the training part, in their original order. */
  train: Int32Array;
  /** Row indices of the test part, in their original order. */
  test: Int32Array;
}

/** The two parts of a split. */
export interface Split<T> {
  /** The training part. */
  train: T;
  /** The test part. */
  test: T;
}

function testCount(n: number, testSize: number): number {
  if (!(testSize > 0) || (testSize >= 1 && !Number.isInteger(testSize))) {
    throw badArgument(
      `trainTestSplit: testSize must be a fraction in (0, 1) or a whole number of rows, got ${testSize}.`,
    );
  }
  const count = testSize < 1 ? Math.ceil(n * testSize) : testSize;
  if (count >= n)
    throw badArgument(`trainTestSplit: testSize ${testSize} leaves no rows to train on (${n} rows in all).`);
  return count;
}

/**
 * Splits positions 0..n-1 into train and test parts, shuffled with `seed`; with `labels`, each class is split in
 * the same proportion (a class of one row goes to train).
 */
export function splitIndices(
  n: number,
  options: Omit<SplitOptions, 'stratify'> & { labels?: ArrayLike<unknown> | undefined } = {},
): SplitIndices {
  if (n === 0) throw new EmptyDataError('trainTestSplit: there are no rows to split.');
  const testSize = options.testSize ?? 0.25;
  const total = testCount(n, testSize);
  const random = seededRandom(options.seed ?? 0);
  const shuffle = options.shuffle ?? true;
  if (!options.labels) {
    const order = shuffle ? permutation(n, random) : Uint32Array.from({ length: n }, (_, i) => i);
    return { train: Int32Array.from(order.subarray(0, n - total)), test: Int32Array.from(order.subarray(n - total)) };
  }
  if (options.labels.length !== n)
    throw badArgument(`trainTestSplit: stratify has ${options.labels.length} labels for ${n} rows.`);
  const classes = new Map<unknown, number[]>();
  for (let i = 0; i < n; i++) {
    const label = isMissing(options.labels[i]) ? null : options.labels[i];
    const members = classes.get(label) ?? [];
    members.push(i);
    classes.set(label, members);
  }
  // test rows per class: proportional shares, floored, then the remainder to the largest fractions (exact total)
  const groups = [...classes.values()];
  const share = groups.map((m) => (m.length < 2 ? 0 : (m.length * total) / n));
  const take = share.map((s, i) => Math.min(Math.floor(s), Math.max(0, groups[i]!.length - 1)));
  let left = total - take.reduce((a, b) => a + b, 0);
  const byRemainder = groups
    .map((_, i) => i)
    .sort((a, b) => share[b]! - Math.floor(share[b]!) - (share[a]! - Math.floor(share[a]!)) || a - b);
  while (left > 0) {
    const open = byRemainder.filter((i) => take[i]! < groups[i]!.length - 1);
    if (open.length === 0)
      throw badArgument(
        `trainTestSplit: cannot stratify ${total} test rows while keeping a training row of every class.`,
      );
    for (const i of open) {
      if (left === 0) break;
      take[i]!++;
      left--;
    }
  }
  const train: number[] = [];
  const test: number[] = [];
  groups.forEach((members, i) => {
    const order = shuffle ? permutation(members.length, random) : Uint32Array.from(members.keys());
    order.forEach((p, j) => (j < members.length - take[i]! ? train : test).push(members[p]!));
  });
  const mix = (rows: number[]) =>
    shuffle
      ? Int32Array.from(permutation(rows.length, random), (p) => rows[p]!)
      : Int32Array.from(rows.sort((a, b) => a - b));
  return { train: mix(train), test: mix(test) };
}

/** Labels of a tensor: a 1-D tensor's values, or the argmax of each row of a 2-D (one-hot) tensor. */
function tensorLabels(labels: TF.Tensor): ArrayLike<number> {
  if (labels.rank === 1) return labels.dataSync();
  if (labels.rank === 2) {
    const argMax = labels.argMax(1);
    const values = argMax.dataSync() as ArrayLike<number>;
    argMax.dispose();
    return values;
  }
  throw badArgument(
    `trainTestSplit: stratify labels must be a 1-D tensor or a 2-D one-hot tensor, got shape [${labels.shape.join(', ')}].`,
  );
}

/**
 * Splits a DataFrame into train and test frames.
 * @example const { train, test } = lepton.trainTestSplit(df, { testSize: 0.2, stratify: 'Species', seed: 1 })
 */
export function trainTestSplit(frame: ColumnTable, options?: SplitOptions): Split<DataFrame>;
/**
 * Splits tensors that share their first axis (features and labels) the same way.
 * @example const { train: [xTrain, yTrain], test: [xTest, yTest] } = lepton.trainTestSplit([xs, ys], { stratify: ys })
 */
export function trainTestSplit<T extends TF.Tensor[]>(tensors: [...T], options?: SplitOptions): Split<T>;
export function trainTestSplit(
  data: ColumnTable | TF.Tensor[],
  options: SplitOptions = {},
): { train: unknown; test: unknown } {
  if (Array.isArray(data)) return splitTensors(data, options);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!data || typeof data.columnNames !== 'function') {
    throw badArgument('trainTestSplit: expected a DataFrame or an array of tensors ([xs, ys]).');
  }
  const frame = DataFrame.from(data);
  if (frame.numRows() === 0) throw new EmptyDataError('trainTestSplit: the frame has no rows.');
  let labels: ArrayLike<unknown> | undefined;
  if (typeof options.stratify === 'string') {
    assertColumns([options.stratify], frame.columnNames(), 'trainTestSplit stratify');
    labels = columnValues(frame, options.stratify);
  } else if (options.stratify !== undefined) {
    labels = isTensor(options.stratify) ? tensorLabels(options.stratify) : options.stratify;
  }
  const parts = splitIndices(frame.numRows(), { ...options, labels });
  const rows = frame.indices();
  const pick = (positions: Int32Array) => frame.reify(Array.from(positions, (p) => rows[p]!));
  return { train: pick(parts.train), test: pick(parts.test) };
}

function splitTensors(tensors: TF.Tensor[], options: SplitOptions): { train: TF.Tensor[]; test: TF.Tensor[] } {
  if (tensors.length === 0 || !tensors.every(isTensor))
    throw badArgument('trainTestSplit: expected a DataFrame or a non-empty array of tensors ([xs, ys]).');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  const n = tensors[0]!.shape[0] ?? 0;
  tensors.forEach((t, i) => {
    if (t.shape[0] !== n)
      throw badArgument(
        `trainTestSplit: every tensor needs the same first dimension; tensor 0 has ${n} rows, tensor ${i} has ${t.shape[0]}.`,
      );
  });
  if (typeof options.stratify === 'string')
    throw badArgument(
      'trainTestSplit: with tensors, stratify takes the labels (an array or tensor), not a column name.',
    );
  const labels =
    options.stratify === undefined
      ? undefined
      : isTensor(options.stratify)
        ? tensorLabels(options.stratify)
        : options.stratify;
  const parts = splitIndices(n, { ...options, labels });
  const tf = tfjs();
  const take = (positions: Int32Array) =>
    tf.tidy(() => tensors.map((t) => tf.gather(t, tf.tensor1d(positions, 'int32'))));
  return { train: take(parts.train), test: take(parts.test) };
}
