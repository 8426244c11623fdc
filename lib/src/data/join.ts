/**
 * A fast path for the most common join: an inner join on one integer key column whose values are unique in the
 * right-hand (smaller) table. It gathers typed columns directly instead of hashing row objects, and returns exactly
 * what arquero's `join` returns (same columns, same row order); any other join is left to arquero.
 */
import type { ColumnTable } from 'arquero';
import type { FrameColumns } from './stats.js';

type Column = { at(i: number): unknown; length: number };
type Gatherable = ArrayLike<unknown> & { constructor: unknown };

function gather(data: Column, rows: Uint32Array | Int32Array, count: number): ArrayLike<unknown> {
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const Ctor = (data as unknown as Gatherable).constructor as new (n: number) => { [i: number]: unknown } & ArrayLike<unknown>;
    const out = new Ctor(count);
    const src = data as unknown as ArrayLike<unknown>;
    for (let i = 0; i < count; i++) out[i] = src[rows[i]!];
    return out;
  }
  const out = new Array<unknown>(count);
  for (let i = 0; i < count; i++) out[i] = data.at(rows[i]!);
  return out;
}

/** An integer key in a plain or typed array, or null when the value is not an integer. */
const intKey = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

/**
 * The inner join of `left` and `right` on `key`, or null when the fast path does not apply (then use arquero's).
 * Applies when: `on` is one column name in both tables, no `values` or options, neither table grouped, filtered or
 * ordered, the right table no bigger than the left, integer keys, unique keys on the right, no other shared names.
 */
export function fastInnerJoin(left: ColumnTable, right: unknown, on: unknown, values: unknown, options: unknown): FrameColumns | null {
  if (typeof on !== 'string' || values !== undefined || (options !== undefined && Object.keys(options as object).length > 0)) return null;
  if (!right || typeof right !== 'object' || typeof (right as ColumnTable).columnNames !== 'function') return null;
  const r = right as ColumnTable;
  for (const t of [left, r]) if (t.isFiltered() || t.isOrdered() || t.isGrouped()) return null;
  if (!left.column(on) || !r.column(on)) return null;
  const leftNames = left.columnNames();
  const rightNames = r.columnNames().filter((n) => n !== on);
  if (rightNames.some((n) => leftNames.includes(n))) return null;
  const nL = left.numRows();
  const nR = r.numRows();
  if (nR > nL) return null;

  // index the right table's keys: key → row
  const rightKeys = r.column(on) as unknown as Column;
  let min = Infinity;
  let max = -Infinity;
  for (let j = 0; j < nR; j++) {
    const k = intKey(rightKeys.at(j));
    if (k === null) return null;
    if (k < min) min = k;
    if (k > max) max = k;
  }
  const range = nR === 0 ? 0 : max - min + 1;
  if (range > Math.max(1 << 20, 4 * nR)) return null;
  const rowOf = new Int32Array(range).fill(-1);
  for (let j = 0; j < nR; j++) {
    const offset = (rightKeys.at(j) as number) - min;
    if (rowOf[offset] !== -1) return null; // duplicate key on the right: arquero's general join
    rowOf[offset] = j;
  }

  // scan the left table in row order
  const leftKeys = left.column(on) as unknown as Column;
  const typedLeft = ArrayBuffer.isView(leftKeys) && !(leftKeys instanceof BigInt64Array) && !(leftKeys instanceof BigUint64Array);
  const leftRows = new Uint32Array(nL);
  const rightRows = new Int32Array(nL);
  let count = 0;
  for (let i = 0; i < nL; i++) {
    const v = typedLeft ? (leftKeys as unknown as ArrayLike<number>)[i]! : leftKeys.at(i);
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) continue; // missing keys never match
      return null;
    }
    const offset = v - min;
    if (offset < 0 || offset >= range) continue;
    const j = rowOf[offset]!;
    if (j < 0) continue;
    leftRows[count] = i;
    rightRows[count] = j;
    count++;
  }

  const columns: Record<string, ArrayLike<unknown>> = {};
  for (const name of leftNames) columns[name] = gather(left.column(name) as unknown as Column, leftRows, count);
  for (const name of rightNames) columns[name] = gather(r.column(name) as unknown as Column, rightRows, count);
  return { names: [...leftNames, ...rightNames], columns };
}
