/**
 * Training and prediction inputs as the trees read them: features as column-major float64 columns (NaN =
 * missing), labels as numbers (class ids for classification). From DataFrames or from tensors.
 */
import type * as TF from '@tensorflow/tfjs';
import type { ColumnTable } from 'arquero';
import { isMissing } from '../../data/columns.js';
import { assertColumns } from '../../data/errors.js';
import { badInput, type GradientBoostingError } from './errors.js';

/** A class label as a DataFrame holds it. */
export type Label = string | number | boolean;

/** What the trees learn from or predict on. */
export interface Features {
  /** One float64 array per feature, NaN where missing. */
  columns: Float64Array[];
  /** Rows. */
  rows: number;
}

/** The named columns of a frame as numbers; strings (unencoded categories) and other values are an error. */
export function frameFeatures(frame: ColumnTable, names: readonly string[], context: string): Features {
  assertColumns(names, frame.columnNames(), `gradientBoosting.${context}`);
  const indices = frame.indices();
  const rows = indices.length;
  const columns = names.map((name) => {
    const data = frame.column(name) as unknown as { at(i: number): unknown };
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const value = data.at(indices[r]!);
      if (typeof value === 'number') out[r] = value;
      else if (isMissing(value)) out[r] = NaN;
      else if (typeof value === 'boolean') out[r] = value ? 1 : 0;
      else if (typeof value === 'bigint') out[r] = Number(value);
      else if (value instanceof Date) out[r] = value.getTime();
      else {
        throw badInput(
          `${context}: column ${JSON.stringify(name)} is not numeric (row ${r} holds ${JSON.stringify(value)}). ` +
            `Pass encoder: lepton.preprocess.labelEncoder({ columns: [${JSON.stringify(name)}] }) (or oneHot) to gradientBoosting, ` +
            'or leave the column out with features: [...].',
        );
      }
    }
    return out;
  });
  return { columns, rows };
}

/** A 2-D tensor [rows, features] as columns. */
export function tensorFeatures(x: TF.Tensor, context: string, features?: number): Features {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!x || typeof x.dataSync !== 'function')
    throw badInput(
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
      `${context}: expected a 2-D tensor [rows, features] or a DataFrame, got ${x === null ? 'null' : typeof x}.`,
    );
  if (x.rank !== 2)
    throw badInput(
      `${context}: x must be 2-D [rows, features], got shape [${x.shape.join(', ')}]; flatten windows first (x.reshape([n, -1])).`,
    );
  const [rows, d] = x.shape as [number, number];
  if (features !== undefined && d !== features)
    throw badInput(`${context}: the model was fitted on ${features} features but x has ${d}.`);
  const values = x.dataSync();
  const columns = Array.from({ length: d }, () => new Float64Array(rows));
  for (let r = 0; r < rows; r++) for (let f = 0; f < d; f++) columns[f]![r] = values[r * d + f]!;
  return { columns, rows };
}

/** Labels as the trees learn them, and how to give predictions back. */
export interface Target {
  /** One number per row: the value (regression) or the class id. */
  y: Float64Array;
  /** The classes, in id order (null for regression). */
  classes: Label[] | null;
  /** The labels' shape: `[rows]` or `[rows, width]` (width > 1 only for one-hot classes). */
  shape: number[];
}

/** The target column of a frame: classes sorted (as the label encoder sorts them), or numbers. */
export function frameTarget(
  frame: ColumnTable,
  name: string,
  task: 'classification' | 'regression' | undefined,
): { target: Target; task: 'classification' | 'regression' } {
  assertColumns([name], frame.columnNames(), 'gradientBoosting.fit (target)');
  const values = frame.array(name) as ArrayLike<unknown>;
  const rows = values.length;
  const missingAt = (r: number): GradientBoostingError =>
    badInput(
      `fit: the target ${JSON.stringify(name)} is missing at row ${r}; drop those rows first (df.filter(d => d[${JSON.stringify(name)}] != null)).`,
    );
  let inferred = task;
  if (!inferred) {
    inferred = 'regression';
    for (let r = 0; r < rows; r++) if (typeof values[r] !== 'number') inferred = 'classification';
  }
  if (inferred === 'classification') return { target: classTarget(values, name, missingAt), task: inferred };
  for (let r = 0; r < rows; r++) if (isMissing(values[r])) throw missingAt(r);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const v = values[r];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw badInput(
        `fit: a regression target must be numbers, but ${JSON.stringify(name)} holds ${JSON.stringify(v)} at row ${r}; pass task: 'classification' for classes.`,
      );
    y[r] = v;
  }
  return { target: { y, classes: null, shape: [rows] }, task: inferred };
}

/**
 * Class labels as ids, classes sorted (as the label encoder sorts them). One pass over the rows, looking a label up
 * only when it differs from the row before's (a profile of a 160k-row fit found the copy, the Set and the Map
 * lookup of every label costing as much as ten trees); missing labels are found among the distinct ones.
 */
function classTarget(
  values: ArrayLike<unknown>,
  name: string,
  missingAt: (row: number) => GradientBoostingError,
): Target {
  const rows = values.length;
  const seen = new Map<unknown, number>();
  const firstRows: number[] = [];
  const codes = new Int32Array(rows);
  let last: unknown;
  let lastCode = -1;
  for (let r = 0; r < rows; r++) {
    const v = values[r];
    if (lastCode < 0 || v !== last) {
      let code = seen.get(v);
      if (code === undefined) {
        code = seen.size;
        seen.set(v, code);
        firstRows.push(r);
      }
      last = v;
      lastCode = code;
    }
    codes[r] = lastCode;
  }
  const labels = [...seen.keys()];
  const missing = labels
    .map((label, code) => (isMissing(label) ? firstRows[code]! : rows))
    .reduce((a, b) => Math.min(a, b), rows);
  if (missing < rows) throw missingAt(missing);
  const classes = (labels as Label[]).slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = new Map<unknown, number>(classes.map((c, i) => [c, i]));
  const idOfCode = Float64Array.from(labels, (label) => rank.get(label)!);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) y[r] = idOfCode[codes[r]!]!;
  checkClasses(classes, `the target ${JSON.stringify(name)}`);
  return { y, classes, shape: [rows] };
}

/** Labels from a tensor: class ids [rows], one-hot [rows, classes], or regression values [rows] / [rows, 1]. */
export function tensorTarget(
  y: TF.Tensor,
  rows: number,
  task: 'classification' | 'regression' | undefined,
): { target: Target; task: 'classification' | 'regression' } {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!y || typeof y.dataSync !== 'function')
    throw badInput(
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
      `fit: expected labels y as a tensor (or a target column name with a DataFrame), got ${y === null ? 'null' : typeof y}.`,
    );
  if (y.shape[0] !== rows) throw badInput(`fit: x has ${rows} rows but y has ${y.shape[0]}.`);
  if (y.rank > 2) throw badInput(`fit: y must be [rows] or [rows, outputs], got shape [${y.shape.join(', ')}].`);
  const width = y.rank === 2 ? y.shape[1]! : 1;
  const inferred = task ?? (width > 1 || y.dtype === 'int32' || y.dtype === 'bool' ? 'classification' : 'regression');
  const values = y.dataSync();
  if (inferred === 'regression') {
    if (width > 1)
      throw badInput(`fit: regression takes one target per row, but y has ${width} columns; fit one model per target.`);
    const out = Float64Array.from(values);
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw badInput(`fit: y holds ${out[bad]} at row ${bad}; regression targets must be finite numbers.`);
    return { target: { y: out, classes: null, shape: [...y.shape] }, task: inferred };
  }
  const out = new Float64Array(rows);
  let classes: number;
  if (width > 1) {
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < width; c++) if (values[r * width + c]! > values[r * width + best]!) best = c;
      out[r] = best;
    }
    classes = width;
  } else {
    let max = 0;
    for (let r = 0; r < rows; r++) {
      const v = values[r]!;
      if (!Number.isInteger(v) || v < 0)
        throw badInput(
          `fit: classification labels must be class ids 0, 1, 2, … (or one-hot rows), but y holds ${v} at row ${r}.`,
        );
      out[r] = v;
      max = Math.max(max, v);
    }
    classes = Math.max(max + 1, 2);
  }
  const ids = Array.from({ length: classes }, (_, c) => c);
  const seen = new Set(out);
  checkClasses([...seen], 'y');
  return { target: { y: out, classes: ids, shape: [...y.shape] }, task: inferred };
}

/** Classification needs two classes or more. */
function checkClasses(seen: readonly unknown[], what: string): void {
  if (seen.length < 2) {
    throw badInput(
      `fit: ${what} has a single class (${JSON.stringify(seen[0])}); classification needs at least two. Check the rows you kept, or use task: 'regression' for a numeric target.`,
    );
  }
}
