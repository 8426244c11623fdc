/**
 * `imputer`: fills missing values (null, undefined, NaN) with a column's mean, median, most frequent value, or a
 * constant, learned on the training frame.
 */
import type { ColumnTable } from 'arquero';
import { columnKind, isMissing, isNumericKind } from '../data/columns.js';
import { assertColumns, badArgument, TypeMismatchError } from '../data/errors.js';
import { columnValues, numbersOf, quantileSorted, type FrameColumns } from '../data/stats.js';
import { allColumns, chooseColumns, registerTransform, Transform } from './transform.js';

/** How `imputer` chooses a fill value. */
export type ImputeStrategy = 'mean' | 'median' | 'most-frequent' | 'constant';

/** Options of `imputer`. */
export interface ImputerOptions {
  /** The strategy (default `mean`). `mean` and `median` need numeric columns. */
  strategy?: ImputeStrategy;
  /** The fill value of the `constant` strategy. */
  value?: string | number | boolean;
  /** Columns to fill (default: numeric columns for mean/median, every column otherwise). */
  columns?: string[];
}

/** What a fitted `Imputer` learned (its JSON `state`). */
export type ImputerState = {
  /** The columns it fills. */
  columns: string[];
  /** The value each column's missing entries get. */
  fill: (string | number | boolean)[];
};

const strategies: readonly ImputeStrategy[] = ['mean', 'median', 'most-frequent', 'constant'];

/** Fills missing values of each column with a value learned in fitting. */
export class Imputer extends Transform<ImputerState> {
  readonly kind = 'imputer';
  private readonly strategy: ImputeStrategy;
  constructor(private readonly options: ImputerOptions = {}) {
    super();
    this.strategy = options.strategy ?? 'mean';
    if (!strategies.includes(this.strategy))
      throw badArgument(
        `imputer: strategy must be one of ${strategies.join(', ')}, got ${JSON.stringify(options.strategy)}.`,
      );
    if (this.strategy === 'constant' && options.value === undefined)
      throw badArgument("imputer: the 'constant' strategy needs { value }.");
  }
  protected config(): Record<string, unknown> {
    return { ...this.options };
  }
  protected learn(frame: ColumnTable): ImputerState {
    const numericOnly = this.strategy === 'mean' || this.strategy === 'median';
    const columns = chooseColumns(
      frame,
      this.options.columns,
      (n) => !numericOnly || isNumericKind(columnKind(columnValues(frame, n))),
      this.kind,
      'numeric',
    );
    const fill = columns.map((name) => {
      if (this.strategy === 'constant') return this.options.value!;
      if (numericOnly) {
        const kind = columnKind(columnValues(frame, name));
        if (!isNumericKind(kind))
          throw new TypeMismatchError(
            `${this.kind}.fit: the ${this.strategy} strategy needs numbers, but column ${JSON.stringify(name)} holds ${kind} values; use strategy 'most-frequent' or 'constant'.`,
          );
        const values = numbersOf(frame, name, `${this.kind}.fit`)
          .filter((v) => !Number.isNaN(v))
          .sort();
        if (values.length === 0)
          throw badArgument(
            `${this.kind}.fit: column ${JSON.stringify(name)} has only missing values; use strategy 'constant'.`,
          );
        return this.strategy === 'mean'
          ? values.reduce((a, b) => a + b, 0) / values.length
          : quantileSorted(values, 0.5);
      }
      const counts = new Map<unknown, number>();
      for (const v of columnValues(frame, name)) if (!isMissing(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
      if (counts.size === 0)
        throw badArgument(
          `${this.kind}.fit: column ${JSON.stringify(name)} has only missing values; use strategy 'constant'.`,
        );
      let best: unknown;
      let bestCount = 0;
      for (const [v, c] of counts) if (c > bestCount) [best, bestCount] = [v, c];
      if (typeof best !== 'string' && typeof best !== 'number' && typeof best !== 'boolean') {
        throw new TypeMismatchError(
          `${this.kind}.fit: the most frequent value of ${JSON.stringify(name)} (${String(best)}) cannot be saved as JSON; use strategy 'constant'.`,
        );
      }
      return best;
    });
    return { columns, fill };
  }
  /** The fill value of each column, once fitted. */
  fillValues(): Record<string, string | number | boolean> {
    return this.state ? Object.fromEntries(this.state.columns.map((c, j) => [c, this.state!.fill[j]!])) : {};
  }
  protected apply(frame: ColumnTable, state: ImputerState): FrameColumns {
    assertColumns(state.columns, frame.columnNames(), `${this.kind}.transform`);
    const out = allColumns(frame);
    state.columns.forEach((name, j) => {
      out.columns[name] = Array.from(out.columns[name]!, (v) => (isMissing(v) ? state.fill[j] : v));
    });
    return out;
  }
}

/**
 * An imputer of missing values.
 * @example lepton.preprocess.imputer({ strategy: 'median' }).fitTransform(df)
 */
export function imputer(options?: ImputerOptions): Imputer {
  return new Imputer(options);
}

registerTransform('imputer', (config) => new Imputer(config));
