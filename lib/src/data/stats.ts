/**
 * Summary statistics of a frame: `describe`, `info`, `valueCounts` and `corr`. Each returns the columns of a new
 * frame; `DataFrame`'s methods wrap them.
 */
import type { ColumnTable } from 'arquero';
import { columnKind, isMissing, isNumericKind, type ColumnKind } from './columns.js';
import { assertColumns, badArgument, EmptyDataError, TypeMismatchError } from './errors.js';

/** Columns for a new frame, in order. */
export interface FrameColumns {
  /** The column names, in order. */
  names: string[];
  /** Each column's values by name, in row order. */
  columns: Record<string, ArrayLike<unknown>>;
}

type Column = { at(i: number): unknown; length: number };

/** The values of a column in row order (filters and order applied). */
export function columnValues(table: ColumnTable, name: string): unknown[] {
  const data = table.column(name) as unknown as Column;
  const indices = table.indices();
  const out = new Array<unknown>(indices.length);
  for (let r = 0; r < indices.length; r++) out[r] = data.at(indices[r]!);
  return out;
}

/** A column's values as numbers, NaN where missing; a non-numeric value is an error naming column and value. */
export function numbersOf(table: ColumnTable, name: string, context: string): Float64Array {
  const values = columnValues(table, name);
  const out = new Float64Array(values.length);
  values.forEach((value, r) => {
    if (typeof value === 'number') out[r] = value;
    else if (typeof value === 'bigint') out[r] = Number(value);
    else if (isMissing(value)) out[r] = NaN;
    else {
      throw new TypeMismatchError(
        `${context}: column ${JSON.stringify(name)} must be numeric, but row ${r} holds ${JSON.stringify(value)} (${typeof value}).`,
      );
    }
  });
  return out;
}

/** The kind of each column, scanning every row. */
export function columnKinds(table: ColumnTable): Record<string, ColumnKind> {
  const kinds: Record<string, ColumnKind> = {};
  for (const name of table.columnNames()) {
    const data = table.column(name) as unknown as ArrayLike<unknown>;
    kinds[name] = ArrayBuffer.isView(data) ? columnKind(data) : columnKind(columnValues(table, name));
  }
  return kinds;
}

/** The q-quantile of sorted values, interpolating linearly between neighbours (as pandas does). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

/** The statistic names `describe` reports, in order. */
export const describeStatistics = ['count', 'nulls', 'mean', 'std', 'min', '25%', '50%', '75%', 'max'] as const;

/**
 * count, nulls, mean, std (sample), min, quartiles and max of numeric columns (default: all numeric columns).
 * The result has a `stat` column and one column per described column.
 */
export function describe(table: ColumnTable, columns?: string[]): FrameColumns {
  const kinds = columnKinds(table);
  const names = columns ?? table.columnNames().filter((n) => isNumericKind(kinds[n]!));
  assertColumns(names, table.columnNames(), 'describe');
  if (names.length === 0) {
    throw badArgument(
      `describe: the frame has no numeric columns (${table.columnNames().join(', ')}); use valueCounts(col) for categories.`,
    );
  }
  const out: FrameColumns = { names: ['stat', ...names], columns: { stat: [...describeStatistics] } };
  for (const name of names) {
    if (!isNumericKind(kinds[name]!) && kinds[name] !== 'null') {
      throw new TypeMismatchError(
        `describe: column ${JSON.stringify(name)} holds ${kinds[name]} values, not numbers; use valueCounts(${JSON.stringify(name)}) instead.`,
      );
    }
    const values = numbersOf(table, name, 'describe');
    const valid = values.filter((v) => !Number.isNaN(v)).sort();
    const n = valid.length;
    let mean = NaN;
    let std = NaN;
    if (n > 0) {
      let sum = 0;
      for (const v of valid) sum += v;
      mean = sum / n;
      let ss = 0;
      for (const v of valid) ss += (v - mean) ** 2;
      std = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
    }
    out.columns[name] = Float64Array.of(
      n,
      values.length - n,
      mean,
      std,
      n ? valid[0]! : NaN,
      quantileSorted(valid, 0.25),
      quantileSorted(valid, 0.5),
      quantileSorted(valid, 0.75),
      n ? valid[n - 1]! : NaN,
    );
  }
  return out;
}

/** Approximate bytes a column takes in memory (typed arrays exactly; arrays of JS values estimated). */
export function columnBytes(values: ArrayLike<unknown>): number {
  if (ArrayBuffer.isView(values)) return values.byteLength;
  let bytes = 8 * values.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') bytes += 16 + 2 * v.length;
    else if (v instanceof Date) bytes += 32;
    else if (typeof v === 'object' && v !== null) bytes += 64;
  }
  return bytes;
}

/** One row per column: its name, type, non-null count, null count and estimated bytes in memory. */
export function info(table: ColumnTable): FrameColumns {
  const kinds = columnKinds(table);
  const names = table.columnNames();
  const nonNull: number[] = [];
  const nulls: number[] = [];
  const bytes: number[] = [];
  for (const name of names) {
    const values = columnValues(table, name);
    const missing = values.filter(isMissing).length;
    nonNull.push(values.length - missing);
    nulls.push(missing);
    bytes.push(columnBytes(table.column(name) as unknown as ArrayLike<unknown>));
  }
  return {
    names: ['column', 'type', 'non_null', 'nulls', 'bytes'],
    columns: { column: names, type: names.map((n) => kinds[n]!), non_null: nonNull, nulls, bytes },
  };
}

/** Options of `valueCounts`. */
export interface ValueCountsOptions {
  /** Fractions of the rows instead of counts (default false). */
  normalize?: boolean;
  /** Count missing values as a value of their own (default true). */
  missing?: boolean;
}

/** How many times each value of `column` occurs, most frequent first (ties in order of first appearance). */
export function valueCounts(table: ColumnTable, column: string, options: ValueCountsOptions = {}): FrameColumns {
  assertColumns([column], table.columnNames(), 'valueCounts');
  const counts = new Map<unknown, number>();
  let total = 0;
  for (let value of columnValues(table, column)) {
    if (isMissing(value)) {
      if (options.missing === false) continue;
      value = null;
    }
    const key = value instanceof Date ? value.getTime() : value;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    total++;
  }
  const isDate = columnKind(columnValues(table, column), 100) === 'date';
  const entries = [...counts].sort((a, b) => b[1] - a[1]);
  const countName = options.normalize ? 'fraction' : 'count';
  return {
    names: [column, countName],
    columns: {
      [column]: entries.map(([k]) => (isDate && typeof k === 'number' ? new Date(k) : k)),
      [countName]: entries.map(([, c]) => (options.normalize ? c / total : c)),
    },
  };
}

/**
 * Pearson correlations between numeric columns (default: all numeric columns), each pair over the rows where
 * both are present. The result has a `column` column and one column per correlated column.
 */
export function corr(table: ColumnTable, columns?: string[]): FrameColumns {
  const kinds = columnKinds(table);
  const names = columns ?? table.columnNames().filter((n) => isNumericKind(kinds[n]!));
  assertColumns(names, table.columnNames(), 'corr');
  if (names.length === 0) throw badArgument('corr: the frame has no numeric columns.');
  if (table.numRows() === 0) throw new EmptyDataError('corr: the frame has no rows.');
  const values = names.map((n) => numbersOf(table, n, 'corr'));
  const out: FrameColumns = { names: ['column', ...names], columns: { column: names } };
  names.forEach((name, j) => {
    out.columns[name] = Float64Array.from(names, (_, i) => pearson(values[i]!, values[j]!));
  });
  return out;
}

/** Pearson's r over the rows where both values are present; NaN with fewer than `minPairs` such rows or no spread. */
export function pearson(a: Float64Array, b: Float64Array, minPairs = 2): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) continue;
    n++;
    sa += a[i]!;
    sb += b[i]!;
  }
  if (n < minPairs) return NaN;
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) continue;
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return va === 0 || vb === 0 ? NaN : cov / Math.sqrt(va * vb);
}
