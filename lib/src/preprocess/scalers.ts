/**
 * Scalers of numeric columns: `standardScaler` (zero mean, unit variance) and `minMaxScaler` (to a range).
 * Missing values are left out of fitting and stay missing.
 */
import type { ColumnTable } from 'arquero';
import { columnKind, isNumericKind } from '../data/columns.js';
import { assertColumns, badArgument } from '../data/errors.js';
import { columnValues, numbersOf, type FrameColumns } from '../data/stats.js';
import { allColumns, chooseColumns, registerTransform, Transform } from './transform.js';

/** Options of the scalers. */
export interface ScalerOptions {
  /** Columns to scale (default: every numeric column at fit time). */
  columns?: string[];
}

const numeric = (frame: ColumnTable) => (name: string) => isNumericKind(columnKind(columnValues(frame, name)));

function scale(
  frame: ColumnTable,
  columns: string[],
  kind: string,
  map: (value: number, j: number) => number,
): FrameColumns {
  assertColumns(columns, frame.columnNames(), `${kind}.transform`);
  const out = allColumns(frame);
  columns.forEach((name, j) => {
    const values = numbersOf(frame, name, `${kind}.transform`);
    out.columns[name] = Array.from(values, (v) => (Number.isNaN(v) ? null : map(v, j)));
  });
  return out;
}

/** What a fitted `StandardScaler` learned (its JSON `state`). */
export type StandardState = {
  /** The scaled columns. */
  columns: string[];
  /** Each column's mean. */
  mean: number[];
  /** Each column's population standard deviation (0 for a constant column, which is only centered). */
  std: number[];
};

/** Centers numeric columns on their mean and divides by their (population) standard deviation; constant columns only center. */
export class StandardScaler extends Transform<StandardState> {
  readonly kind = 'standardScaler';
  constructor(private readonly options: ScalerOptions = {}) {
    super();
  }
  protected config(): Record<string, unknown> {
    return { ...this.options };
  }
  protected learn(frame: ColumnTable): StandardState {
    const columns = chooseColumns(frame, this.options.columns, numeric(frame), this.kind, 'numeric');
    const mean: number[] = [];
    const std: number[] = [];
    for (const name of columns) {
      const values = numbersOf(frame, name, `${this.kind}.fit`).filter((v) => !Number.isNaN(v));
      if (values.length === 0)
        throw badArgument(`${this.kind}.fit: column ${JSON.stringify(name)} has only missing values.`);
      const m = values.reduce((a, b) => a + b, 0) / values.length;
      const s = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
      mean.push(m);
      std.push(s === 0 ? 1 : s);
    }
    return { columns, mean, std };
  }
  protected apply(frame: ColumnTable, state: StandardState): FrameColumns {
    return scale(frame, state.columns, this.kind, (v, j) => (v - state.mean[j]!) / state.std[j]!);
  }
}

/** Options of `minMaxScaler`. */
export interface MinMaxOptions extends ScalerOptions {
  /** The output range (default [0, 1]). */
  range?: [number, number];
}

/** What a fitted `MinMaxScaler` learned (its JSON `state`). */
export type MinMaxState = {
  /** The scaled columns. */
  columns: string[];
  /** Each column's fitted minimum. */
  min: number[];
  /** Each column's fitted maximum. */
  max: number[];
};

/** Maps each numeric column linearly so its fitted min and max land on `range` (default [0, 1]). */
export class MinMaxScaler extends Transform<MinMaxState> {
  readonly kind = 'minMaxScaler';
  constructor(private readonly options: MinMaxOptions = {}) {
    super();
    const [lo, hi] = options.range ?? [0, 1];
    if (!(lo < hi)) throw badArgument(`minMaxScaler: range must be [low, high] with low < high, got [${lo}, ${hi}].`);
  }
  protected config(): Record<string, unknown> {
    return { ...this.options };
  }
  protected learn(frame: ColumnTable): MinMaxState {
    const columns = chooseColumns(frame, this.options.columns, numeric(frame), this.kind, 'numeric');
    const min: number[] = [];
    const max: number[] = [];
    for (const name of columns) {
      const values = numbersOf(frame, name, `${this.kind}.fit`).filter((v) => !Number.isNaN(v));
      if (values.length === 0)
        throw badArgument(`${this.kind}.fit: column ${JSON.stringify(name)} has only missing values.`);
      min.push(values.reduce((a, b) => Math.min(a, b), Infinity));
      max.push(values.reduce((a, b) => Math.max(a, b), -Infinity));
    }
    return { columns, min, max };
  }
  protected apply(frame: ColumnTable, state: MinMaxState): FrameColumns {
    const [lo, hi] = this.options.range ?? [0, 1];
    return scale(frame, state.columns, this.kind, (v, j) => {
      const span = state.max[j]! - state.min[j]!;
      return lo + ((v - state.min[j]!) / (span === 0 ? 1 : span)) * (hi - lo);
    });
  }
}

/**
 * A scaler to zero mean and unit variance.
 * @example const scaler = lepton.preprocess.standardScaler({ columns: ['Body Mass (g)'] }).fit(train)
 */
export function standardScaler(options?: ScalerOptions): StandardScaler {
  return new StandardScaler(options);
}

/**
 * A scaler to a range (default [0, 1]).
 * @example lepton.preprocess.minMaxScaler({ range: [-1, 1] }).fitTransform(df)
 */
export function minMaxScaler(options?: MinMaxOptions): MinMaxScaler {
  return new MinMaxScaler(options);
}

registerTransform('standardScaler', (config) => new StandardScaler(config));
registerTransform('minMaxScaler', (config) => new MinMaxScaler(config));
