/**
 * `aggregate(by, { col: ['sum', 'mean', 'count'] })`: a group-by with named reductions, as pandas' `groupby().agg()`.
 * A typed-array fast path runs when the key is one numeric column (no missing keys) and the values are numeric; anything else goes
 * through arquero's `groupby().rollup()` with the same results.
 */
import { op, type ColumnTable } from 'arquero';
import { isMissing } from './columns.js';
import { assertColumns, badArgument } from './errors.js';
import { compactRange, KeyIndex } from './key-index.js';
import type { FrameColumns } from './stats.js';

/** A reduction `aggregate` computes. `count` counts present (non-missing) values; `std` and `var` are sample statistics. */
export type Reduction = 'sum' | 'mean' | 'count' | 'min' | 'max' | 'std' | 'var' | 'median';

/** Column → reduction(s). Each output column is named `<column>_<reduction>`. */
export type AggregateSpec = Record<string, Reduction | Reduction[]>;

const reductions: readonly Reduction[] = ['sum', 'mean', 'count', 'min', 'max', 'std', 'var', 'median'];
const fastReductions = new Set<Reduction>(['sum', 'mean', 'count', 'min', 'max', 'std', 'var']);

type Column = { at(i: number): unknown; length: number };

function plan(spec: AggregateSpec): [string, Reduction][] {
  const pairs: [string, Reduction][] = [];
  for (const [column, value] of Object.entries(spec)) {
    for (const reduction of Array.isArray(value) ? value : [value]) {
      if (!reductions.includes(reduction)) {
        throw badArgument(
          `aggregate: unknown reduction ${JSON.stringify(reduction)} for column ${JSON.stringify(column)}; use one of ${reductions.join(', ')}.`,
        );
      }
      pairs.push([column, reduction]);
    }
  }
  if (pairs.length === 0)
    throw badArgument('aggregate: give at least one column and reduction, e.g. { v: ["sum", "mean"] }.');
  return pairs;
}

/** Groups rows by `by` and reduces columns; groups come in order of first appearance. */
export function aggregate(table: ColumnTable, by: string | string[], spec: AggregateSpec): FrameColumns {
  const keys = typeof by === 'string' ? [by] : by;
  const pairs = plan(spec);
  assertColumns([...keys, ...pairs.map(([c]) => c)], table.columnNames(), 'aggregate');
  return (keys.length === 1 && fastAggregate(table, keys[0]!, pairs)) || arqueroAggregate(table, keys, pairs);
}

function arqueroAggregate(table: ColumnTable, keys: string[], pairs: [string, Reduction][]): FrameColumns {
  const ops = {
    sum: op.sum,
    mean: op.mean,
    count: op.valid,
    min: op.min,
    max: op.max,
    std: op.stdev,
    var: op.variance,
    median: op.median,
  } as const;
  const values: Record<string, unknown> = {};
  for (const [column, reduction] of pairs) values[`${column}_${reduction}`] = ops[reduction](column);
  const result = table
    .ungroup()
    .groupby(keys)
    .rollup(values as Parameters<ColumnTable['rollup']>[0]);
  const names = result.columnNames();
  return { names, columns: Object.fromEntries(names.map((n) => [n, result.array(n)])) };
}

/** The keys as numbers (integers or floats), or null when a key is missing or not a number (arquero groups those). */
function numericKeyValues(data: Column, n: number): ArrayLike<number> | null {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return null;
  if (ArrayBuffer.isView(data) && !(data instanceof Float32Array || data instanceof Float64Array))
    return data as unknown as ArrayLike<number>;
  const out = ArrayBuffer.isView(data) ? (data as unknown as ArrayLike<number>) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = ArrayBuffer.isView(data) ? out[i]! : data.at(i);
    if (typeof v !== 'number' || v !== v) return null;
    if (!ArrayBuffer.isView(data)) (out as Float64Array)[i] = v === 0 ? 0 : v; // -0 groups with 0, as in arquero
  }
  return out;
}

/** Numbers of a value column (NaN where missing), or null when it holds anything else. */
export function numericValues(data: Column, n: number): ArrayLike<number> | null {
  if (ArrayBuffer.isView(data))
    return data instanceof BigInt64Array || data instanceof BigUint64Array
      ? null
      : (data as unknown as ArrayLike<number>);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = data.at(i);
    if (typeof v === 'number') out[i] = v;
    else if (isMissing(v)) out[i] = NaN;
    else return null;
  }
  return out;
}

function fastAggregate(table: ColumnTable, key: string, pairs: [string, Reduction][]): FrameColumns | null {
  if (table.isFiltered() || table.isOrdered() || table.isGrouped()) return null;
  if (!pairs.every(([, r]) => fastReductions.has(r))) return null;
  const n = table.numRows();
  const keyData = table.column(key) as unknown as Column;
  const keys = numericKeyValues(keyData, n);
  if (!keys) return null;
  const valueColumns = new Map<string, ArrayLike<number>>();
  for (const [column] of pairs) {
    if (valueColumns.has(column)) continue;
    const values = numericValues(table.column(column) as unknown as Column, n);
    if (!values) return null;
    valueColumns.set(column, values);
  }

  // One pass numbers the groups by first appearance (the join's typed-array key index); each value column then
  // finds its rows' groups again, which is cheaper than writing and reading a per-row group array of n entries.
  const index = new KeyIndex(compactRange(keys, n, Math.max(1 << 20, 2 * n)), 1024);
  for (let i = 0; i < n; i++) index.add(keys[i]!);
  const groups = index.size;

  const names = [key];
  const KeyArray = ArrayBuffer.isView(keyData) ? (keyData.constructor as Float64ArrayConstructor) : Float64Array;
  const columns: Record<string, ArrayLike<unknown>> = { [key]: KeyArray.from(index.keys) };
  for (const [column, values] of valueColumns) {
    const wanted = pairs.filter(([c]) => c === column).map(([, r]) => r);
    const count = new Float64Array(groups);
    const sum = new Float64Array(groups);
    const needSpread = wanted.includes('std') || wanted.includes('var');
    const needMinMax = wanted.includes('min') || wanted.includes('max');
    const mean = needSpread ? new Float64Array(groups) : null;
    const m2 = needSpread ? new Float64Array(groups) : null;
    const min = needMinMax ? new Float64Array(groups).fill(Infinity) : null;
    const max = needMinMax ? new Float64Array(groups).fill(-Infinity) : null;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v !== v) continue; // NaN: missing
      const g = index.find(keys[i]!);
      const c = ++count[g]!;
      sum[g]! += v;
      if (mean && m2) {
        const delta = v - mean[g]!;
        mean[g]! += delta / c;
        m2[g]! += delta * (v - mean[g]!);
      }
      if (min && max) {
        if (v < min[g]!) min[g] = v;
        if (v > max[g]!) max[g] = v;
      }
    }
    for (const reduction of wanted) {
      const name = `${column}_${reduction}`;
      names.push(name);
      const out = new Float64Array(groups);
      for (let g = 0; g < groups; g++) {
        const c = count[g]!;
        switch (reduction) {
          case 'sum':
            out[g] = sum[g]!;
            break;
          case 'mean':
            out[g] = c ? sum[g]! / c : NaN;
            break;
          case 'count':
            out[g] = c;
            break;
          case 'min':
            out[g] = c ? min![g]! : NaN;
            break;
          case 'max':
            out[g] = c ? max![g]! : NaN;
            break;
          case 'var':
            out[g] = c > 1 ? m2![g]! / (c - 1) : NaN;
            break;
          case 'std':
            out[g] = c > 1 ? Math.sqrt(m2![g]! / (c - 1)) : NaN;
            break;
          default:
            break;
        }
      }
      columns[name] = out;
    }
  }
  return { names, columns };
}
