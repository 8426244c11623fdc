/**
 * `timeSplit`: a train/test split by time, never shuffled: the test part is the latest rows (a share or a count),
 * or every row from a date on. Frames must be in time order; a frame that is not is refused, not sorted silently.
 */
import type * as TF from '@tensorflow/tfjs';
import type { ColumnTable } from 'arquero';
import { DataFrame } from '../data/frame.js';
import { isTensor, tfjs } from '../core/tfjs.js';
import { dateColumn, timesOf, toTime } from '../data/time-values.js';
import type { Windows } from '../preprocess/windows.js';
import { badSplit } from './errors.js';

/** Options of `timeSplit`: `testSize` or `at`. */
export interface TimeSplitOptions {
  /** The test part: the latest rows, a fraction in (0, 1) or a number of rows (default 0.2 without `at`). */
  testSize?: number;
  /** The first time of the test part (a Date, ISO text or epoch milliseconds); needs a date column. */
  at?: Date | string | number;
  /** The date column (default: the frame's first date column). */
  column?: string;
}

/** The train and test parts of a time split. */
export interface TimeSplit<T> {
  /** The earlier part. */
  train: T;
  /** The later part. */
  test: T;
}

/**
 * Splits a frame in time order: the last rows (or the rows from `at` on) are the test part.
 * @example const { train, test } = lepton.timeSplit(daily, { at: '2015-01-01' })
 */
export function timeSplit(frame: ColumnTable, options?: TimeSplitOptions): TimeSplit<DataFrame>;
/**
 * Splits tensors that share their first axis (windows and labels, in time order): the last rows are the test part.
 * @example const { train: [xTrain, yTrain], test: [xTest, yTest] } = lepton.timeSplit([w.x, w.y], { testSize: 365 })
 */
export function timeSplit<T extends TF.Tensor[]>(tensors: [...T], options?: TimeSplitOptions): TimeSplit<T>;
/**
 * Splits windows (`lepton.preprocess.windows`) in time order, keeping their geometry and times, so
 * `lepton.evaluate(model, test)` shows the naive baseline beside the model. `at` needs windows made with `dateColumn`
 * (a window belongs to the test part when its last label is at or after `at`).
 * @example const { train, test } = lepton.timeSplit(w, { testSize: 365 })
 */
export function timeSplit(windows: Windows, options?: TimeSplitOptions): TimeSplit<Windows>;
export function timeSplit(
  data: ColumnTable | TF.Tensor[] | Windows,
  options: TimeSplitOptions = {},
): TimeSplit<unknown> {
  if (options.testSize !== undefined && options.at !== undefined)
    throw badSplit('timeSplit: give testSize or at, not both.');
  if (isWindows(data)) return splitWindows(data, options);
  if (Array.isArray(data)) {
    if (data.length === 0 || !data.every(isTensor))
      throw badSplit('timeSplit: expected a DataFrame or a non-empty array of tensors ([x, y]).');
    if (options.at !== undefined)
      throw badSplit(
        'timeSplit: `at` needs a DataFrame with a date column; with tensors, give testSize (rows or a fraction).',
      );
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    const n = data[0]!.shape[0] ?? 0;
    data.forEach((t, i) => {
      if (t.shape[0] !== n)
        throw badSplit(
          `timeSplit: every tensor needs the same first dimension; tensor 0 has ${n} rows, tensor ${i} has ${t.shape[0]}.`,
        );
    });
    const cut = n - testRows(n, options.testSize ?? 0.2);
    const tf = tfjs();
    const part = (start: number, end: number) => data.map((t) => tf.slice(t, [start], [end - start]));
    return { train: part(0, cut), test: part(cut, n) };
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!data || typeof data.columnNames !== 'function')
    throw badSplit('timeSplit: expected a DataFrame or an array of tensors ([x, y]).');
  const frame = DataFrame.from(data);
  const n = frame.numRows();
  let cut: number;
  if (options.at !== undefined || options.column !== undefined) {
    const column = options.column ?? dateColumn(frame, 'timeSplit');
    const times = timesOf(frame, column, 'timeSplit');
    for (let i = 1; i < n; i++) {
      if (times[i]! < times[i - 1]!)
        throw badSplit(
          `timeSplit: ${JSON.stringify(column)} is not in time order (row ${i} is earlier than row ${i - 1}); sort first: df.orderby('${column}').`,
        );
    }
    if (options.at !== undefined) {
      const at = toTime(options.at, 'timeSplit at');
      cut = times.findIndex((t) => t >= at);
      if (cut === -1) cut = n;
      if (cut === 0 || cut === n)
        throw badSplit(
          `timeSplit: at ${new Date(at).toISOString()} leaves ${cut === 0 ? 'no rows to train on' : 'no rows to test on'} (the data runs from ${new Date(times[0]!).toISOString()} to ${new Date(times[n - 1]!).toISOString()}).`,
        );
    } else cut = n - testRows(n, options.testSize ?? 0.2);
  } else cut = n - testRows(n, options.testSize ?? 0.2);
  return { train: frame.slice(0, cut).reify(), test: frame.slice(cut).reify() };
}

/** Whether a value is windows from `lepton.preprocess.windows` (tensors with their geometry). */
function isWindows(data: unknown): data is Windows {
  const w = data as Partial<Windows> | null;
  return (
    typeof w === 'object' &&
    w !== null &&
    !Array.isArray(w) &&
    isTensor(w.x) &&
    isTensor(w.y) &&
    typeof w.spec === 'object' &&
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    w.spec !== null
  );
}

function splitWindows(w: Windows, options: TimeSplitOptions): TimeSplit<Windows> {
  const n = w.x.shape[0];
  let cut: number;
  if (options.at !== undefined) {
    if (!w.times)
      throw badSplit(
        "timeSplit: `at` needs the windows' times; make them with windows(df, { ..., dateColumn: 'date' }), or give testSize.",
      );
    const at = toTime(options.at, 'timeSplit at');
    cut = w.times.findIndex((t) => t.getTime() >= at);
    if (cut === -1) cut = n;
    if (cut === 0 || cut === n)
      throw badSplit(
        `timeSplit: at ${new Date(at).toISOString()} leaves ${cut === 0 ? 'no windows to train on' : 'no windows to test on'}.`,
      );
  } else cut = n - testRows(n, options.testSize ?? 0.2);
  const tf = tfjs();
  const part = (start: number, end: number): Windows => ({
    x: tf.slice(w.x, [start], [end - start]),
    y: tf.slice(w.y, [start], [end - start]),
    spec: w.spec,
    ...(w.times ? { times: w.times.slice(start, end) } : {}),
  });
  return { train: part(0, cut), test: part(cut, n) };
}

function testRows(n: number, testSize: number): number {
  if (!(testSize > 0) || (testSize >= 1 && !Number.isInteger(testSize)))
    throw badSplit(`timeSplit: testSize must be a fraction in (0, 1) or a whole number of rows, got ${testSize}.`);
  const count = testSize < 1 ? Math.ceil(n * testSize) : testSize;
  if (count >= n) throw badSplit(`timeSplit: testSize ${testSize} leaves no rows to train on (${n} rows in all).`);
  return count;
}
