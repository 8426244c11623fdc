/**
 * The column scans behind `lepton.check`: exact missing/distinct counts and duplicate rows (by hashing), and
 * sample-based outliers, correlations and leakage hints.
 */
import type { ColumnTable } from 'arquero';
import { columnKind, isMissing, isNumericKind, type ColumnKind } from '../data/columns.js';
import { pearson as pearsonOf, quantileSorted } from '../data/stats.js';

/** A column's values in row order, without copying when the table is neither filtered nor ordered. */
export function valuesOf(table: ColumnTable, name: string): ArrayLike<unknown> {
  const data = table.column(name) as unknown as { at(i: number): unknown; length: number };
  const plain = Array.isArray(data) || ArrayBuffer.isView(data);
  if (plain && !table.isFiltered() && !table.isOrdered()) return data as unknown as ArrayLike<unknown>;
  const indices = table.indices();
  const out = new Array<unknown>(indices.length);
  for (let r = 0; r < indices.length; r++) out[r] = data.at(indices[r]!);
  return out;
}

/** Exact facts about one column. */
export interface ColumnScan {
  name: string;
  kind: ColumnKind;
  missing: number;
  distinct: number;
  /** The most frequent value and its count (null when counts were abandoned for too many distinct values). */
  top: { value: unknown; count: number } | null;
}

const MAX_COUNTED = 200_000;

const keyOf = (v: unknown): unknown => (v instanceof Date ? v.getTime() : v);

/** Counts missing and distinct values (exactly) and finds the most frequent value. */
export function scanColumn(name: string, values: ArrayLike<unknown>): ColumnScan {
  const kind = columnKind(values);
  let missing = 0;
  let counts: Map<unknown, number> | null = new Map();
  let seen: Set<unknown> | null = null;
  const n = values.length;
  const typed = ArrayBuffer.isView(values);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typed ? Number.isNaN(v) : isMissing(v)) {
      missing++;
      continue;
    }
    const k = typed ? v : keyOf(v);
    if (counts) {
      counts.set(k, (counts.get(k) ?? 0) + 1);
      if (counts.size > MAX_COUNTED) {
        seen = new Set(counts.keys());
        counts = null;
      }
    } else seen!.add(k);
  }
  let top: ColumnScan['top'] = null;
  if (counts) {
    for (const [value, count] of counts) if (!top || count > top.count) top = { value, count };
  }
  return { name, kind, missing, distinct: counts ? counts.size : seen!.size, top };
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Two 32-bit words for a value: numbers by their bits, strings hashed, missing as one constant. */
function words(v: unknown): [number, number] {
  if (isMissing(v)) return [0x9e3779b9, 0x7f4a7c15];
  if (typeof v === 'number') {
    f64[0] = v === 0 ? 0 : v; // -0 and 0 are equal rows
    return [u32[0]!, u32[1]!];
  }
  if (typeof v === 'string') return [hashString(v), v.length];
  if (typeof v === 'boolean') return [v ? 1 : 2, 3];
  if (v instanceof Date) {
    f64[0] = v.getTime();
    return [u32[0]!, u32[1]! ^ 0x5bd1e995];
  }
  if (typeof v === 'bigint') return [Number(v & 0xffffffffn), Number((v >> 32n) & 0xffffffffn)];
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify returns undefined for functions and symbols, though its type says string
  return [hashString(JSON.stringify(v) ?? String(v)), 7];
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

const sameValue = (a: unknown, b: unknown): boolean =>
  a === b || (isMissing(a) && isMissing(b)) || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());

/**
 * The exact number of duplicated rows (rows equal to an earlier row): rows are hashed to 53 bits, the hashes
 * sorted, and only rows whose hash repeats are compared value by value.
 */
export function countDuplicates(columns: ArrayLike<unknown>[], n: number): number {
  if (n < 2) return 0;
  const h1 = new Int32Array(n);
  const h2 = new Int32Array(n).fill(0x2545f491);
  for (const col of columns) {
    const typed = ArrayBuffer.isView(col);
    for (let i = 0; i < n; i++) {
      let a: number;
      let b: number;
      if (typed) {
        const x = col[i] as number;
        f64[0] = x === 0 || Number.isNaN(x) ? (Number.isNaN(x) ? NaN : 0) : x;
        a = u32[0]!;
        b = u32[1]!;
      } else [a, b] = words(col[i]);
      h1[i] = mix(mix(h1[i]!, a), b);
      h2[i] = mix(mix(h2[i]!, b ^ 0x27d4eb2f), a);
    }
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (h1[i]! >>> 0) * 2097152 + ((h2[i]! >>> 0) & 0x1fffff);
  const sorted = keys.slice().sort();
  const repeated = new Set<number>();
  for (let i = 1; i < n; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]!);
  if (repeated.size === 0) return 0;
  const groups = new Map<number, number[]>();
  let duplicates = 0;
  const equalRows = (r: number, s: number) => columns.every((c) => sameValue(c[r], c[s]));
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    if (!repeated.has(k)) continue;
    const firsts = groups.get(k);
    if (!firsts) groups.set(k, [i]);
    else if (firsts.some((r) => equalRows(r, i))) duplicates++;
    else firsts.push(i);
  }
  return duplicates;
}

/** Seeded row positions of a sample of `size` out of `n` (sorted), or null when every row is used. */
export function sampleRows(n: number, size: number, random: () => number): Int32Array | null {
  if (n <= size) return null;
  // Floyd's algorithm: `size` distinct positions without allocating n.
  const chosen = new Set<number>();
  for (let j = n - size; j < n; j++) {
    const t = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen).sort();
}

/** The numbers of a column at `rows` (all rows when null), NaN where missing. */
export function numbersAt(values: ArrayLike<unknown>, rows: Int32Array | null): Float64Array {
  const n = rows ? rows.length : values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[rows ? rows[i]! : i];
    out[i] = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : NaN;
  }
  return out;
}

/** IQR outliers of a numeric column: bounds from `sample`, counted over every row of `all`. */
export interface OutlierScan {
  column: string;
  q1: number;
  q3: number;
  low: number;
  high: number;
  count: number;
  examples: number[];
}

export function findOutliers(column: string, sample: Float64Array, all: ArrayLike<unknown>): OutlierScan | null {
  const sorted = sample.filter((v) => !Number.isNaN(v)).sort();
  if (sorted.length < 4) return null;
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const iqr = q3 - q1;
  const low = q1 - 1.5 * iqr;
  const high = q3 + 1.5 * iqr;
  let count = 0;
  const extremes = new Set<number>();
  for (let i = 0; i < all.length; i++) {
    const v = all[i];
    if (typeof v !== 'number' || !(v < low || v > high)) continue;
    count++;
    if (extremes.size < 5) extremes.add(v);
  }
  return count ? { column, q1, q3, low, high, count, examples: [...extremes] } : null;
}

/** Pearson's r over rows where both are present; NaN with fewer than 3 such rows or no spread. */
export function pearson(a: Float64Array, b: Float64Array): number {
  return pearsonOf(a, b, 3);
}

/**
 * How well a single feature predicts a categorical target: the share of rows (both present) whose target is the
 * most frequent class of their feature value. Numeric features with many values are cut into 100 quantile bins.
 * Returns null when the feature is nearly unique per row (an identifier predicts anything).
 */
export function purity(feature: ArrayLike<unknown>, target: ArrayLike<unknown>, numeric: boolean): number | null {
  const n = feature.length;
  let keys: ArrayLike<unknown> = feature;
  if (numeric) {
    const nums = numbersAt(feature, null);
    const distinct = new Set(nums).size;
    if (distinct > 100) {
      const sorted = nums.filter((v) => !Number.isNaN(v)).sort();
      const cuts = Array.from({ length: 99 }, (_, i) => quantileSorted(sorted, (i + 1) / 100));
      keys = Array.from(nums, (v) => {
        if (Number.isNaN(v)) return null;
        let lo = 0;
        let hi = cuts.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cuts[mid]! < v) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      });
    }
  }
  const groups = new Map<unknown, Map<unknown, number>>();
  let rows = 0;
  for (let i = 0; i < n; i++) {
    const f = keys[i];
    const t = target[i];
    if (isMissing(f) || isMissing(t)) continue;
    rows++;
    const fk = keyOf(f);
    let g = groups.get(fk);
    if (!g) groups.set(fk, (g = new Map<unknown, number>()));
    g.set(t, (g.get(t) ?? 0) + 1);
  }
  if (rows < 10 || groups.size > rows / 5) return null;
  let correct = 0;
  for (const g of groups.values()) correct += Math.max(...g.values());
  return correct / rows;
}

/** Whether a column of this kind is numeric. */
export const numericKind = isNumericKind;
