/**
 * Encoders of categorical columns: `oneHot` (one 0/1 column per category) and `labelEncoder` (categories to
 * integers 0..k-1, and back). Categories are sorted, so the encoding does not depend on row order.
 */
import type { ColumnTable } from 'arquero';
import type { Category } from '@lepton/server/preprocess';
import { columnKind, isMissing } from '../data/columns.js';
import { assertColumns, badArgument, TypeMismatchError } from '../data/errors.js';
import { DataFrame } from '../data/frame.js';
import { columnValues, type FrameColumns } from '../data/stats.js';
import { allColumns, chooseColumns, registerTransform, Transform } from './transform.js';

// A category value as stored in JSON: the server's type, as it reads the same JSON.
export type { Category };

const categorical = (frame: ColumnTable) => (name: string) =>
  ['string', 'boolean', 'mixed'].includes(columnKind(columnValues(frame, name)));

function categoriesOf(frame: ColumnTable, name: string, kind: string): Category[] {
  const seen = new Set<Category>();
  for (const value of columnValues(frame, name)) {
    if (isMissing(value)) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new TypeMismatchError(
        `${kind}.fit: column ${JSON.stringify(name)} holds ${JSON.stringify(value)}, which is not a category (string, number or boolean).`,
      );
    }
    seen.add(value);
  }
  return [...seen].sort((a, b) =>
    typeof a === typeof b ? (a < b ? -1 : a > b ? 1 : 0) : typeof a < typeof b ? -1 : 1,
  );
}

/** Options of `oneHot`. */
export interface OneHotOptions {
  /** Columns to encode (default: every string or boolean column at fit time). */
  columns?: string[];
  /** A category not seen in fitting: `ignore` (default) gives all zeros, `error` throws naming it. */
  unknown?: 'ignore' | 'error';
}

/** What a fitted `OneHot` learned (its JSON `state`). */
export type OneHotState = {
  /** The encoded columns. */
  columns: string[];
  /** Each column's categories, in output-column order. */
  categories: Category[][];
};

/** Replaces each categorical column by one 0/1 column per category, named `<column>_<category>`, in its place. */
export class OneHot extends Transform<OneHotState> {
  readonly kind = 'oneHot';
  constructor(private readonly options: OneHotOptions = {}) {
    super();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (options.unknown !== undefined && options.unknown !== 'ignore' && options.unknown !== 'error') {
      throw badArgument(`oneHot: unknown must be 'ignore' or 'error', got ${JSON.stringify(options.unknown)}.`);
    }
  }
  protected config(): Record<string, unknown> {
    return { ...this.options };
  }
  protected learn(frame: ColumnTable): OneHotState {
    const columns = chooseColumns(frame, this.options.columns, categorical(frame), this.kind, 'string or boolean');
    return { columns, categories: columns.map((c) => categoriesOf(frame, c, this.kind)) };
  }
  /** The output column names, in order, for the fitted categories. */
  outputNames(): string[] {
    if (!this.state) return [];
    return this.state.columns.flatMap((c, j) => this.state!.categories[j]!.map((v) => `${c}_${String(v)}`));
  }
  protected apply(frame: ColumnTable, state: OneHotState): FrameColumns {
    assertColumns(state.columns, frame.columnNames(), `${this.kind}.transform`);
    const input = allColumns(frame);
    const out: FrameColumns = { names: [], columns: {} };
    const n = frame.numRows();
    for (const name of input.names) {
      const j = state.columns.indexOf(name);
      if (j < 0) {
        out.names.push(name);
        out.columns[name] = input.columns[name]!;
        continue;
      }
      const categories = state.categories[j]!;
      const index = new Map<unknown, number>(categories.map((c, k) => [c, k]));
      const encoded = categories.map(() => new Int32Array(n));
      const values = input.columns[name]!;
      for (let r = 0; r < n; r++) {
        const value = values[r];
        if (isMissing(value)) continue;
        const k = index.get(value);
        if (k === undefined) {
          if (this.options.unknown === 'error') {
            throw new TypeMismatchError(
              `${this.kind}.transform: column ${JSON.stringify(name)} has the value ${JSON.stringify(value)} at row ${r}, not seen in fitting (categories: ${categories.map((c) => JSON.stringify(c)).join(', ')}).`,
            );
          }
          continue;
        }
        encoded[k]![r] = 1;
      }
      categories.forEach((c, k) => {
        const outName = `${name}_${String(c)}`;
        out.names.push(outName);
        out.columns[outName] = encoded[k]!;
      });
    }
    return out;
  }
}

/** Options of `labelEncoder`. */
export interface LabelEncoderOptions {
  /** Columns to encode (default: every string or boolean column at fit time). */
  columns?: string[];
}

/** What a fitted `LabelEncoder` learned (its JSON `state`). */
export type LabelState = {
  /** The encoded columns. */
  columns: string[];
  /** Each column's sorted categories; a category's index is its code. */
  categories: Category[][];
};

/** Replaces categories by their index 0..k-1 among the sorted fitted categories; `inverse` maps back. */
export class LabelEncoder extends Transform<LabelState> {
  readonly kind = 'labelEncoder';
  constructor(private readonly options: LabelEncoderOptions = {}) {
    super();
  }
  protected config(): Record<string, unknown> {
    return { ...this.options };
  }
  protected learn(frame: ColumnTable): LabelState {
    const columns = chooseColumns(frame, this.options.columns, categorical(frame), this.kind, 'string or boolean');
    return { columns, categories: columns.map((c) => categoriesOf(frame, c, this.kind)) };
  }
  /** The fitted categories of a column, in code order. */
  classes(column?: string): Category[] {
    if (!this.state) return [];
    const j = column === undefined ? 0 : this.state.columns.indexOf(column);
    if (j < 0)
      throw badArgument(
        `${this.kind}.classes: column ${JSON.stringify(column)} was not encoded (encoded: ${this.state.columns.join(', ')}).`,
      );
    return [...this.state.categories[j]!];
  }
  protected apply(frame: ColumnTable, state: LabelState): FrameColumns {
    assertColumns(state.columns, frame.columnNames(), `${this.kind}.transform`);
    const out = allColumns(frame);
    state.columns.forEach((name, j) => {
      const index = new Map<unknown, number>(state.categories[j]!.map((c, k) => [c, k]));
      out.columns[name] = Array.from(out.columns[name]!, (value, r) => {
        if (isMissing(value)) return null;
        const k = index.get(value);
        if (k === undefined) {
          throw new TypeMismatchError(
            `${this.kind}.transform: column ${JSON.stringify(name)} has the value ${JSON.stringify(value)} at row ${r}, not seen in fitting (categories: ${state.categories[j]!.map((c) => JSON.stringify(c)).join(', ')}).`,
          );
        }
        return k;
      });
    });
    return out;
  }
  /** Maps codes back to categories. */
  inverse(frame: ColumnTable): DataFrame {
    const state = this.state;
    if (!state) return this.transform(frame); // throws the not-fitted error
    assertColumns(state.columns, frame.columnNames(), `${this.kind}.inverse`);
    const out = allColumns(frame);
    state.columns.forEach((name, j) => {
      const categories = state.categories[j]!;
      out.columns[name] = Array.from(out.columns[name]!, (code, r) => {
        if (isMissing(code)) return null;
        if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code >= categories.length) {
          throw new TypeMismatchError(
            `${this.kind}.inverse: column ${JSON.stringify(name)} has ${JSON.stringify(code)} at row ${r}, not a code 0..${categories.length - 1}.`,
          );
        }
        return categories[code];
      });
    });
    return DataFrame.fromColumns(out);
  }
}

/**
 * A one-hot encoder.
 * @example lepton.preprocess.oneHot({ columns: ['Island'] }).fitTransform(df)
 */
export function oneHot(options?: OneHotOptions): OneHot {
  return new OneHot(options);
}

/**
 * A label encoder.
 * @example const enc = lepton.preprocess.labelEncoder({ columns: ['Species'] }).fit(df); enc.classes()
 */
export function labelEncoder(options?: LabelEncoderOptions): LabelEncoder {
  return new LabelEncoder(options);
}

registerTransform('oneHot', (config) => new OneHot(config));
registerTransform('labelEncoder', (config) => new LabelEncoder(config));
