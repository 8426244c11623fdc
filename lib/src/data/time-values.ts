/**
 * Reading time from frames: a column of dates (or epoch milliseconds, or ISO text) as epoch milliseconds, the
 * frame's date column, and one time value given by a user.
 */
import type { ColumnTable } from 'arquero';
import { columnKind, isMissing } from './columns.js';
import { assertColumns, badArgument, TypeMismatchError } from './errors.js';
import { numbersOf } from './stats.js';

/** The column's own typed array when the frame shows it whole and in order (no copy), else null. */
function rawNumbers(frame: ColumnTable, column: string): Float64Array | Float32Array | null {
  if (frame.isFiltered() || frame.isOrdered()) return null;
  const data = frame.column(column) as unknown;
  return data instanceof Float64Array || data instanceof Float32Array ? data : null;
}

/**
 * The numbers of `column` (NaN where missing), sharing the column's float array when the frame shows all its rows
 * in order: long series are read without a copy. Read-only.
 */
export function numericColumn(frame: ColumnTable, column: string, context: string): Float64Array | Float32Array {
  assertColumns([column], frame.columnNames(), context);
  return rawNumbers(frame, column) ?? numbersOf(frame, column, context);
}

/**
 * The times of `column` as epoch milliseconds (NaN where missing). Dates, numbers (taken as epoch milliseconds)
 * and ISO text are read; anything else throws, naming the row.
 */
export function timesOf(frame: ColumnTable, column: string, context: string): Float64Array {
  assertColumns([column], frame.columnNames(), context);
  const raw = rawNumbers(frame, column);
  if (raw instanceof Float64Array) return raw;
  const data = frame.column(column) as unknown as { at(i: number): unknown };
  const indices = frame.indices();
  const out = new Float64Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const value = data.at(indices[r]!);
    if (value instanceof Date) out[r] = value.getTime();
    else if (typeof value === 'number') out[r] = value;
    else if (isMissing(value)) out[r] = NaN;
    else if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) out[r] = Date.parse(value);
    else {
      throw new TypeMismatchError(
        `${context}: column ${JSON.stringify(column)} must hold dates, but row ${r} holds ${JSON.stringify(value)}; parse it first, e.g. df.derive({ ${column}: (d) => op.parse_date(d.${column}) }).`,
      );
    }
  }
  return out;
}

/** The first column of `frame` holding dates; throws, listing the columns, when there is none. */
export function dateColumn(frame: ColumnTable, context: string): string {
  for (const name of frame.columnNames()) {
    const data = frame.column(name) as unknown as { at(i: number): unknown; length: number };
    const sample = Array.from({ length: Math.min(data.length, 100) }, (_, i) => data.at(i));
    if (columnKind(sample) === 'date') return name;
  }
  throw badArgument(
    `${context}: the frame has no date column (columns: ${frame.columnNames().join(', ')}); name one with { column }.`,
  );
}

/** One time given by a user (a Date, ISO text or epoch milliseconds) as epoch milliseconds. */
export function toTime(value: Date | string | number, context: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms))
    throw badArgument(
      `${context}: ${JSON.stringify(value)} is not a date; give a Date, ISO text such as '2015-01-01' or epoch milliseconds.`,
    );
  return ms;
}
