/**
 * A fast path for the most common join: an inner join on one numeric or string key column whose values are unique
 * in the right-hand (smaller) table. It indexes the right keys in typed arrays (`KeyIndex`), looks every left key up
 * in one pass and gathers typed columns directly instead of hashing row objects, and returns exactly what arquero's
 * `join` returns (same columns, same row order); any other join is left to arquero.
 */
import type { ColumnTable } from 'arquero';
import { numericValues } from './aggregate.js';
import { compactRange, KeyIndex } from './key-index.js';
import type { FrameColumns } from './stats.js';

type Column = { at(i: number): unknown; length: number };
type Typed = ArrayBufferView &
  ArrayLike<unknown> & { BYTES_PER_ELEMENT: number; constructor: new (n: number) => ArrayBufferView };

/*
 * Typed columns are gathered through an integer view of their bytes chosen by element width, so each loop below
 * always sees one array type: a single loop fed Float64, Int32, Uint8 ... columns in turn becomes megamorphic in V8
 * and runs several times slower per row. Copying bits also keeps NaN payloads exactly.
 */
function gather8(src: Uint8Array, rows: Int32Array, out: Uint8Array, count: number): void {
  for (let i = 0; i < count; i++) out[i] = src[rows[i]!]!;
}
function gather16(src: Uint16Array, rows: Int32Array, out: Uint16Array, count: number): void {
  for (let i = 0; i < count; i++) out[i] = src[rows[i]!]!;
}
function gather32(src: Int32Array, rows: Int32Array, out: Int32Array, count: number): void {
  for (let i = 0; i < count; i++) out[i] = src[rows[i]!]!;
}
/** 8-byte elements as pairs of 32-bit words. */
function gather64(src: Int32Array, rows: Int32Array, out: Int32Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const from = rows[i]! * 2;
    out[2 * i] = src[from]!;
    out[2 * i + 1] = src[from + 1]!;
  }
}

function gatherTyped(data: Typed, rows: Int32Array, count: number): ArrayBufferView {
  const out = new data.constructor(count);
  const width = data.BYTES_PER_ELEMENT;
  const view = <T>(
    Ctor: new (buffer: ArrayBufferLike, offset: number, length: number) => T,
    array: ArrayBufferView,
    words: number,
  ) => new Ctor(array.buffer, array.byteOffset, array.byteLength / words);
  if (width === 8) gather64(view(Int32Array, data, 4), rows, view(Int32Array, out, 4), count);
  else if (width === 4) gather32(view(Int32Array, data, 4), rows, view(Int32Array, out, 4), count);
  else if (width === 2) gather16(view(Uint16Array, data, 2), rows, view(Uint16Array, out, 2), count);
  else gather8(view(Uint8Array, data, 1), rows, view(Uint8Array, out, 1), count);
  return out;
}

function gather(data: Column, rows: Int32Array, count: number): ArrayLike<unknown> {
  if (ArrayBuffer.isView(data) && !(data instanceof DataView))
    return gatherTyped(data as unknown as Typed, rows, count) as unknown as ArrayLike<unknown>;
  const out = new Array<unknown>(count);
  for (let i = 0; i < count; i++) out[i] = data.at(rows[i]!);
  return out;
}

/** String keys as codes: each distinct right-hand string gets its slot; left strings are looked up, never stored. */
function stringSlots(right: Column, nR: number): Map<string, number> | null {
  const slots = new Map<string, number>();
  for (let j = 0; j < nR; j++) {
    const v = right.at(j);
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string' || slots.has(v)) return null; // not strings, or a duplicate key: arquero's join
    slots.set(v, j);
  }
  return slots;
}

/**
 * The right row matching each left row (-1: none), and whether every left row matched (then the left columns are
 * returned as they are, not gathered).
 */
function probe(nL: number, find: (i: number) => number): { rightOf: Int32Array; all: boolean } {
  const rightOf = new Int32Array(nL);
  let all = true;
  for (let i = 0; i < nL; i++) {
    const j = find(i);
    rightOf[i] = j;
    if (j < 0) all = false;
  }
  return { rightOf, all };
}

/**
 * The inner join of `left` and `right` on `key`, or null when the fast path does not apply (then use arquero's).
 * Applies when: `on` is one column name in both tables, no `values` or options, neither table grouped, filtered or
 * ordered, the right table no bigger than the left (the index is built on it), numeric or string keys, unique keys
 * on the right, no other shared names. Missing keys never match, as in arquero.
 */
export function fastInnerJoin(
  left: ColumnTable,
  right: unknown,
  on: unknown,
  values: unknown,
  options: unknown,
): FrameColumns | null {
  if (
    typeof on !== 'string' ||
    values !== undefined ||
    (options !== undefined && Object.keys(options as object).length > 0)
  )
    return null;
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

  const rightKeyColumn = r.column(on) as unknown as Column;
  const leftKeyColumn = left.column(on) as unknown as Column;
  let matched: { rightOf: Int32Array; all: boolean };
  const rightNumbers = numericValues(rightKeyColumn, nR);
  if (rightNumbers) {
    // Build on the right: its keys → its rows (a direct table for compact integers, else a hash table).
    const index = new KeyIndex(compactRange(rightNumbers, nR, Math.max(1 << 20, 4 * nR)), nR);
    const rowOf = new Int32Array(nR);
    for (let j = 0; j < nR; j++) {
      const k = rightNumbers[j]!;
      if (k !== k) continue;
      const slot = index.add(k);
      if (slot !== index.size - 1) return null; // duplicate key on the right: arquero's general join
      rowOf[slot] = j;
    }
    const leftNumbers = numericValues(leftKeyColumn, nL);
    if (!leftNumbers) return null;
    const rightOf = new Int32Array(nL);
    matched = { rightOf, all: index.lookupAll(leftNumbers, nL, rowOf, rightOf) };
  } else {
    const slots = stringSlots(rightKeyColumn, nR);
    if (!slots) return null;
    matched = probe(nL, (i) => {
      const v = leftKeyColumn.at(i);
      return typeof v === 'string' ? (slots.get(v) ?? -1) : -1;
    });
  }

  const { rightOf, all } = matched;
  const columns: Record<string, ArrayLike<unknown>> = {};
  if (all) {
    // Every left row matched once: the left columns are the result's as they are (columns are never written).
    for (const name of leftNames) columns[name] = left.column(name) as unknown as ArrayLike<unknown>;
    for (const name of rightNames) columns[name] = gather(r.column(name) as unknown as Column, rightOf, nL);
  } else {
    // Int32Array like rightOf, so the gather loops see one row-index type
    const leftRows = new Int32Array(nL);
    const rightRows = new Int32Array(nL);
    let count = 0;
    for (let i = 0; i < nL; i++) {
      const j = rightOf[i]!;
      if (j < 0) continue;
      leftRows[count] = i;
      rightRows[count] = j;
      count++;
    }
    for (const name of leftNames) columns[name] = gather(left.column(name) as unknown as Column, leftRows, count);
    for (const name of rightNames) columns[name] = gather(r.column(name) as unknown as Column, rightRows, count);
  }
  return { names: [...leftNames, ...rightNames], columns };
}
