/**
 * The time verbs of DataFrame: `resample` (one row per time bin, empty bins kept so gaps show), `rolling`
 * (trailing window statistics), `lag` (a column shifted by rows) and `gaps` (the missing periods of a series).
 */
import type { ColumnTable } from 'arquero';
import { assertColumns, badArgument } from './errors.js';
import type { FrameColumns } from './stats.js';
import { columnValues } from './stats.js';
import { binTimes, parseFrequency } from './time-bins.js';
import { numericColumn, timesOf } from './time-values.js';

/** How `resample` reduces a column within a bin (pandas' names): an empty bin sums and counts to 0, else missing. */
export type ResampleAgg = 'sum' | 'mean' | 'min' | 'max' | 'first' | 'last' | 'count';

/** Options of `resample`. */
export interface ResampleOptions {
  /** One reduction for every other column, or one per column (columns left out are dropped). Default `mean`. */
  agg?: ResampleAgg | Record<string, ResampleAgg>;
  /** The IANA time zone whose calendar days, weeks and months bin the rows (default UTC). */
  timeZone?: string;
}

const aggs: readonly ResampleAgg[] = ['sum', 'mean', 'min', 'max', 'first', 'last', 'count'];
const numericAggs: readonly ResampleAgg[] = ['sum', 'mean', 'min', 'max'];

/**
 * One row per time bin of `dateColumn`, from the first row's bin to the last one's; every other chosen column
 * reduced by its aggregation. Rows need not be sorted; a row with a missing date is left out.
 */
export function resample(
  frame: ColumnTable,
  dateColumn: string,
  freq: string,
  options: ResampleOptions = {},
): FrameColumns {
  const context = 'resample';
  const frequency = parseFrequency(freq, context);
  const times = timesOf(frame, dateColumn, context);
  const agg = options.agg ?? 'mean';
  const spec: [string, ResampleAgg][] =
    typeof agg === 'string'
      ? frame
          .columnNames()
          .filter((c) => c !== dateColumn)
          .map((c) => [c, agg])
      : Object.entries(agg);
  if (typeof agg !== 'string')
    assertColumns(
      spec.map(([c]) => c),
      frame.columnNames(),
      context,
    );
  for (const [column, a] of spec) {
    if (!aggs.includes(a))
      throw badArgument(
        `resample: unknown aggregation ${JSON.stringify(a)} for ${JSON.stringify(column)}; use one of ${aggs.join(', ')}.`,
      );
  }
  const bins = binTimes(times, frequency, options.timeZone, context);
  const { count } = bins;
  const names = [dateColumn];
  const columns: Record<string, ArrayLike<unknown>> = {
    [dateColumn]: Array.from({ length: count }, (_, i) => new Date(bins.label(i))),
  };
  for (const [column, a] of spec) {
    names.push(column);
    if (numericAggs.includes(a)) {
      let values: Float64Array | Float32Array;
      try {
        values = numericColumn(frame, column, context);
      } catch {
        throw badArgument(
          `resample: ${a} needs numbers, but ${JSON.stringify(column)} is not numeric; give it 'first', 'last' or 'count' (agg: { ${JSON.stringify(column)}: 'last', ... }), or drop it with select().`,
        );
      }
      columns[column] = bins.starts
        ? reduceRuns(values, bins.starts, count, a)
        : reduceNumbers(values, bins.bin, count, a);
    } else columns[column] = reduceAny(a === 'count' ? null : columnValues(frame, column), bins.bin, count, a, times);
  }
  return { names, columns };
}

/** sum, mean, min or max of each bin, skipping missing values; a bin without values is missing (sum: 0). */
function reduceNumbers(
  values: Float64Array | Float32Array,
  bin: Int32Array,
  count: number,
  agg: ResampleAgg,
): Float64Array {
  const acc = new Float64Array(count).fill(agg === 'min' ? Infinity : agg === 'max' ? -Infinity : 0);
  const seen = new Float64Array(count);
  // One loop per reduction, without a branch on the reduction per row: long series spend their time here.
  const n = values.length;
  if (agg === 'min' || agg === 'max') {
    const lower = agg === 'min';
    for (let i = 0; i < n; i++) {
      const b = bin[i]!;
      const v = values[i]!;
      if (b < 0 || v !== v) continue;
      seen[b]!++;
      if (lower ? v < acc[b]! : v > acc[b]!) acc[b] = v;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const b = bin[i]!;
      const v = values[i]!;
      if (b < 0 || v !== v) continue;
      seen[b]!++;
      acc[b]! += v;
    }
  }
  for (let b = 0; b < count; b++) {
    if (seen[b] === 0) acc[b] = agg === 'sum' ? 0 : NaN;
    else if (agg === 'mean') acc[b] = acc[b]! / seen[b]!;
  }
  return acc;
}

/** reduceNumbers over sorted rows: bin `b` is the run of rows `starts[b]` to `starts[b + 1]`. */
function reduceRuns(
  values: Float64Array | Float32Array,
  starts: Int32Array,
  count: number,
  agg: ResampleAgg,
): Float64Array {
  const out = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    const from = starts[b]!;
    const to = starts[b + 1]!;
    let seen = 0;
    let acc = agg === 'min' ? Infinity : agg === 'max' ? -Infinity : 0;
    if (agg === 'min') {
      for (let i = from; i < to; i++) {
        const v = values[i]!;
        if (v === v) {
          seen++;
          if (v < acc) acc = v;
        }
      }
    } else if (agg === 'max') {
      for (let i = from; i < to; i++) {
        const v = values[i]!;
        if (v === v) {
          seen++;
          if (v > acc) acc = v;
        }
      }
    } else {
      // Sum the run without a branch per row; only a run whose sum came out NaN (it holds a missing value) is
      // summed again, skipping them. Long series of complete data spend their time here.
      for (let i = from; i < to; i++) acc += values[i]!;
      seen = to - from;
      if (acc !== acc) {
        acc = 0;
        seen = 0;
        for (let i = from; i < to; i++) {
          const v = values[i]!;
          if (v === v) {
            seen++;
            acc += v;
          }
        }
      }
    }
    out[b] = seen === 0 ? (agg === 'sum' ? 0 : NaN) : agg === 'mean' ? acc / seen : acc;
  }
  return out;
}

/** first, last (by time) or count of the non-missing values of each bin. */
function reduceAny(
  values: unknown[] | null,
  bin: Int32Array,
  count: number,
  agg: ResampleAgg,
  times: Float64Array,
): unknown[] {
  if (agg === 'count') {
    const out = new Array<number>(count).fill(0);
    bin.forEach((b) => b >= 0 && out[b]!++);
    return out;
  }
  const out = new Array<unknown>(count).fill(null);
  const when = new Float64Array(count).fill(NaN);
  values!.forEach((v, i) => {
    const b = bin[i]!;
    if (b < 0 || v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return;
    const t = times[i]!;
    const take = Number.isNaN(when[b]!) || (agg === 'last' ? t >= when[b]! : t < when[b]!);
    if (take) {
      when[b] = t;
      out[b] = v;
    }
  });
  return out;
}

/** The reductions `rolling` computes over a trailing window. */
export type RollingOp = 'mean' | 'sum' | 'min' | 'max' | 'std';

/** Options of `rolling` and `lag`. */
export interface DerivedColumnOptions {
  /** The new column's name (default `<column>_<op>_<window>` or `<column>_lag_<k>`). */
  as?: string;
}

/** A column to add to a frame: its name and values in row order. */
export interface NewColumn {
  /** The column's name. */
  name: string;
  /** Its values, one per row. */
  values: ArrayLike<unknown>;
}

/**
 * `column`'s statistic over the trailing `window` rows (this one included), added as a new column; the first
 * `window − 1` rows, and any window holding a missing value, are missing (pandas' `rolling(window).op()`).
 */
export function rolling(
  frame: ColumnTable,
  column: string,
  window: number,
  op: RollingOp,
  options: DerivedColumnOptions = {},
): NewColumn {
  if (!Number.isInteger(window) || window < 1)
    throw badArgument(`rolling: window must be a whole number of rows ≥ 1, got ${window}.`);
  const ops: RollingOp[] = ['mean', 'sum', 'min', 'max', 'std'];
  if (!ops.includes(op)) throw badArgument(`rolling: unknown op ${JSON.stringify(op)}; use one of ${ops.join(', ')}.`);
  assertColumns([column], frame.columnNames(), 'rolling');
  const values = numericColumn(frame, column, 'rolling');
  const n = values.length;
  const out = new Float64Array(n).fill(NaN);
  let sum = 0;
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) missing++;
    else sum += v;
    if (i >= window) {
      const old = values[i - window]!;
      if (Number.isNaN(old)) missing--;
      else sum -= old;
    }
    if (i < window - 1 || missing > 0) continue;
    if (op === 'sum') out[i] = sum;
    else if (op === 'mean') out[i] = sum / window;
    else if (op === 'std') {
      // Recomputed from the window (running sums of squares lose digits on long series); sample std as pandas.
      let m = 0;
      for (let j = i - window + 1; j <= i; j++) m += values[j]!;
      m /= window;
      let s = 0;
      for (let j = i - window + 1; j <= i; j++) s += (values[j]! - m) ** 2;
      out[i] = window > 1 ? Math.sqrt(s / (window - 1)) : NaN;
    } else {
      let best = values[i]!;
      for (let j = i - window + 1; j < i; j++)
        best = op === 'min' ? Math.min(best, values[j]!) : Math.max(best, values[j]!);
      out[i] = best;
    }
  }
  return { name: options.as ?? `${column}_${op}_${window}`, values: out };
}

/**
 * `column` shifted down by `k` rows (the value `k` rows earlier; negative `k`: later), added as a new column;
 * rows without such a value are missing (pandas' `shift(k)`).
 */
export function lag(frame: ColumnTable, column: string, k: number, options: DerivedColumnOptions = {}): NewColumn {
  if (!Number.isInteger(k)) throw badArgument(`lag: k must be a whole number of rows (negative for a lead), got ${k}.`);
  assertColumns([column], frame.columnNames(), 'lag');
  const values = columnValues(frame, column);
  const out = values.map((_, i) => (i - k >= 0 && i - k < values.length ? values[i - k] : null));
  return { name: options.as ?? `${column}_lag_${k}`, values: out };
}

/** Options of `gaps`. */
export interface GapsOptions {
  /** The IANA time zone whose calendar days, weeks and months the periods follow (default UTC). */
  timeZone?: string;
}

/**
 * The runs of periods of `freq` with no row, between the first and the last date: one row per run with its
 * first and last missing period and how many periods it spans. No rows: no gaps.
 */
export function gaps(frame: ColumnTable, dateColumn: string, freq: string, options: GapsOptions = {}): FrameColumns {
  const times = timesOf(frame, dateColumn, 'gaps');
  const bins = binTimes(times, parseFrequency(freq, 'gaps'), options.timeZone, 'gaps');
  const filled = new Uint8Array(bins.count);
  bins.bin.forEach((b) => b >= 0 && (filled[b] = 1));
  const from: Date[] = [];
  const to: Date[] = [];
  const missing: number[] = [];
  for (let b = 0; b < bins.count; b++) {
    if (filled[b]) continue;
    let e = b;
    while (e + 1 < bins.count && !filled[e + 1]) e++;
    from.push(new Date(bins.label(b)));
    to.push(new Date(bins.label(e)));
    missing.push(e - b + 1);
    b = e;
  }
  return { names: ['from', 'to', 'missing'], columns: { from, to, missing } };
}
