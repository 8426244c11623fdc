/**
 * Lepton's DataFrame: an arquero table (every arquero verb works and returns a DataFrame) with additions for
 * exploring data in a notebook: summaries, seeded sampling, tensor conversion and rich display.
 */
import { inspect } from 'node:util';
import type * as TF from '@tensorflow/tfjs';
import { ColumnTable, seed as seedArquero, table as arqueroTable } from 'arquero';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { aggregate, type AggregateSpec } from './aggregate.js';
import type { ColumnKind } from './columns.js';
import { assertColumns, ColumnNotFoundError, DataError, badArgument } from './errors.js';
import { frameToHtml, frameToText } from './format.js';
import { fastInnerJoin } from './join.js';
import { columnKinds, corr, describe, info, valueCounts, type FrameColumns, type ValueCountsOptions } from './stats.js';
import { tableToTensor, tensorColumns, type ToTensorOptions } from './tensor.js';
import {
  gaps,
  lag,
  resample,
  rolling,
  type DerivedColumnOptions,
  type GapsOptions,
  type NewColumn,
  type ResampleOptions,
  type RollingOp,
} from './time.js';

/** What `DataFrame.from` accepts: an arquero table, an object of columns, or an array of row objects. */
export type FrameInput = ColumnTable | Record<string, ArrayLike<unknown>> | Record<string, unknown>[];

/** The parts arquero's table is built from (its columns, names, filter, groups, order and parameters). */
type TableParts = ConstructorParameters<typeof ColumnTable>;

/** The private fields of an arquero table that a DataFrame adopts without copying (arquero has no public way). */
interface TableInternals {
  _data: TableParts[0];
  _names: TableParts[1];
  _group?: TableParts[3] | null;
  _order?: TableParts[4] | null;
  _params?: TableParts[5] | null;
}

/**
 * A row as arquero hands it to expression functions (its own `Struct`): values are whatever the columns hold.
 * `unknown` values would make every `(d) => d.w` in a user's cell a type error.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arquero's row type, see above
export type Row = Record<string, any>;

/** Options of `sample`: arquero's, plus a seed for a reproducible sample. */
export interface SampleOptions {
  /** Sample with replacement. */
  replace?: boolean;
  /** Shuffle the sampled rows (default true). */
  shuffle?: boolean;
  /** A column or expression giving each row's sampling weight. */
  weight?: string | ((d: Row) => number);
  /** Seed of the random generator: the same seed gives the same rows. */
  seed?: number;
}

/**
 * A table of named columns: an arquero `ColumnTable` with Lepton's additions. Every arquero verb (filter, derive,
 * groupby/rollup, join, orderby, pivot, fold, …) returns a DataFrame. Shown as a cell's result, it renders as an
 * HTML table with the column types in the header.
 * @example lepton.datasets.penguins().groupby('Species').rollup({ n: aq.op.count() })
 */
export class DataFrame extends ColumnTable {
  /** Rows a reader skipped as malformed (with `onBadRow: 'skip'`); undefined when none were skipped. */
  declare skippedRows?: number;

  /**
   * A DataFrame from an arquero table (sharing its columns), an object of columns, or an array of row objects.
   * @example DataFrame.from({ x: [1, 2, 3], y: ['a', 'b', 'c'] })
   */
  static from(input: FrameInput): DataFrame {
    if (input instanceof DataFrame) return input;
    if (input instanceof ColumnTable) {
      const t = input as unknown as TableInternals;
      return new DataFrame(
        t._data,
        t._names,
        input.isFiltered() ? input.mask() : undefined,
        t._group ?? undefined,
        t._order ?? undefined,
        t._params ?? undefined,
      );
    }
    if (Array.isArray(input)) {
      const names = [...new Set(input.flatMap((row) => Object.keys(row)))];
      return new DataFrame(Object.fromEntries(names.map((n) => [n, input.map((row) => row[n] ?? null)])), names);
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (input && typeof input === 'object') {
      const lengths = new Set(Object.values(input).map((c) => c.length));
      if (lengths.size > 1) {
        const detail = Object.entries(input)
          .map(([n, c]) => `${n}: ${c.length}`)
          .join(', ');
        throw badArgument(`DataFrame.from: every column needs the same length, got ${detail}.`);
      }
      return DataFrame.from(arqueroTable(input));
    }
    throw badArgument('DataFrame.from: expected an arquero table, an object of columns or an array of row objects.');
  }

  /** A DataFrame from columns built by a Lepton helper. */
  static fromColumns({ names, columns }: FrameColumns): DataFrame {
    // Arrays and typed arrays are what arquero's ColumnData holds; its declared column type is narrower.
    return new DataFrame(columns as unknown as TableParts[0], names);
  }

  /**
   * A DataFrame from a 1-D or 2-D tensor, one column per tensor column.
   * @param tensor the tensor, [rows] or [rows, columns]
   * @param names column names (default `c0`, `c1`, …; `value` for a 1-D tensor)
   * @example DataFrame.fromTensor(tf.tensor2d([[1, 2], [3, 4]]), ['a', 'b'])
   */
  static fromTensor(tensor: TF.Tensor, names?: string[]): DataFrame {
    return DataFrame.fromColumns(tensorColumns(tensor, names));
  }

  /** The first `n` rows (default 5). */
  head(n = 5): this {
    return this.slice(0, n);
  }

  /** The last `n` rows (default 5). */
  tail(n = 5): this {
    return this.slice(Math.max(0, this.numRows() - n));
  }

  /** The kind of every column (integer, number, string, boolean, date, mixed, or null when all are missing). */
  types(): Record<string, ColumnKind> {
    return columnKinds(this);
  }

  /**
   * count, nulls, mean, std, min, quartiles and max of the numeric columns (or of `columns`), one row per statistic.
   * @example df.describe(['Body Mass (g)'])
   */
  describe(columns?: string[]): DataFrame {
    return DataFrame.fromColumns(describe(this, columns));
  }

  /** One row per column: its name, type, non-null and null counts, and its (estimated) bytes in memory. */
  info(): DataFrame {
    return DataFrame.fromColumns(info(this));
  }

  /**
   * How often each value of `column` occurs, most frequent first.
   * @example df.valueCounts('Species', { normalize: true })
   */
  valueCounts(column: string, options?: ValueCountsOptions): DataFrame {
    return DataFrame.fromColumns(valueCounts(this, column, options));
  }

  /** Pearson correlations between the numeric columns (or `columns`), as a square frame. */
  corr(columns?: string[]): DataFrame {
    return DataFrame.fromColumns(corr(this, columns));
  }

  /**
   * Groups by `by` and reduces columns, naming outputs `<column>_<reduction>`; integer keys with numeric values take
   * a typed-array fast path.
   * @example df.aggregate('Species', { 'Body Mass (g)': ['mean', 'std', 'count'] })
   */
  aggregate(by: string | string[], spec: AggregateSpec): DataFrame {
    return DataFrame.fromColumns(aggregate(this, by, spec));
  }

  /**
   * A random sample of rows; with `seed`, the same rows every time.
   * @example df.sample(10, { seed: 42 })
   */
  override sample(size: number | Parameters<ColumnTable['sample']>[0], options: SampleOptions = {}): this {
    const { seed, ...rest } = options;
    if (seed === undefined) return super.sample(size, rest);
    seedArquero(seed);
    try {
      return super.sample(size, rest);
    } finally {
      seedArquero(null as unknown as number); // back to Math.random
    }
  }

  /**
   * Joins with another table (arquero's `join`); the common inner join on one integer key with unique keys on the
   * right takes a typed-array fast path with the same result.
   * @example flights.join(airports, 'origin')
   */
  override join(...args: Parameters<ColumnTable['join']>): this {
    const fast = fastInnerJoin(this, ...args);
    if (fast)
      // null drops this table's filter, groups and order in arquero's create(), though its types say undefined.
      return this.create({
        data: fast.columns,
        names: fast.names,
        filter: null,
        groups: null,
        order: null,
      } as unknown as Parameters<ColumnTable['create']>[0]);
    return super.join(...args);
  }

  /**
   * Numeric columns as a TensorFlow.js tensor: one name gives [rows], a list (default: all columns) [rows, columns].
   * @example const xs = df.toTensor(['bill_length', 'bill_depth']); const ys = df.toTensor('label', { dtype: 'int32' })
   */
  toTensor(columns?: string | string[], options?: ToTensorOptions): TF.Tensor {
    return tableToTensor(this, columns, options);
  }

  /**
   * One row per time bin of `dateColumn` ('1H', '1D', '1W' weeks ending Sunday, '1M' calendar months, as pandas
   * labels them), every other column reduced by `agg` (sum, mean, min, max, first, last, count; default mean).
   * Empty bins are kept (missing, or 0 for sum and count), so gaps show.
   * @example daily.resample('date', '1M', { agg: { temp_max: 'mean', precipitation: 'sum' } })
   */
  resample(dateColumn: string, freq: string, options?: ResampleOptions): DataFrame {
    return DataFrame.fromColumns(resample(this, dateColumn, freq, options));
  }

  /**
   * Adds `column`'s statistic over the trailing `window` rows (mean, sum, min, max, std) as `<column>_<op>_<window>`;
   * the first `window − 1` rows are missing.
   * @example df.rolling('temp_max', 7, 'mean')
   */
  rolling(column: string, window: number, op: RollingOp = 'mean', options?: DerivedColumnOptions): DataFrame {
    return this.withColumn(rolling(this, column, window, op, options));
  }

  /**
   * Adds `column` shifted down by `k` rows (its value `k` rows earlier) as `<column>_lag_<k>`; negative `k` leads.
   * @example df.lag('temp_max', 1)
   */
  lag(column: string, k = 1, options?: DerivedColumnOptions): DataFrame {
    return this.withColumn(lag(this, column, k, options));
  }

  /**
   * The runs of missing periods of `freq` in `dateColumn` (from, to, missing count): none when the series is whole.
   * @example df.gaps('date', '1D')
   */
  gaps(dateColumn: string, freq: string, options?: GapsOptions): DataFrame {
    return DataFrame.fromColumns(gaps(this, dateColumn, freq, options));
  }

  private withColumn(column: NewColumn): DataFrame {
    const base = this.isFiltered() || this.isOrdered() ? this.reify() : this;
    return DataFrame.from(base.assign({ [column.name]: column.values as unknown[] }));
  }

  /** The frame as a notebook shows it: an HTML table and its text form. */
  [displaySymbol](): MimeBundle {
    return { 'text/html': frameToHtml(this), 'text/plain': frameToText(this) };
  }

  /** The frame as aligned text (head and tail, types, size). */
  override toString(): string {
    return frameToText(this);
  }

  /** The frame's text form for Node's `util.inspect` and `console.log`: the same as `toString()`. */
  [inspect.custom](): string {
    return frameToText(this);
  }
}

/** Verbs whose string arguments are column names: checked first, so a typo lists the available columns. */
const namedVerbs = [
  'select',
  'groupby',
  'orderby',
  'relocate',
  'fold',
  'pivot',
  'spread',
  'unroll',
  'dedupe',
  'array',
  'get',
  'rename',
  'impute',
] as const;
/** Verbs whose expressions arquero checks: an unknown column in its error is rewritten to list the available ones. */
const expressionVerbs = [
  'derive',
  'filter',
  'rollup',
  'join',
  'lookup',
  'semijoin',
  'antijoin',
  'cross',
  'count',
  'sample',
  'reify',
] as const;

function namesIn(arg: unknown, verb: string): string[] {
  if (typeof arg === 'string') return [arg];
  if (Array.isArray(arg)) return arg.flatMap((a) => namesIn(a, verb));
  if (verb === 'rename' && arg && typeof arg === 'object') return Object.keys(arg);
  return [];
}

const columnReference = /(?:Invalid column reference|Unrecognized column):\s*"?(?:[a-z]\.)?(?:[a-z]\[")?([^"\]]+)/;

/** Rewrites arquero's column errors into `ColumnNotFoundError`s that list the available columns. */
function explainColumnError(error: unknown, table: ColumnTable, verb: string): unknown {
  if (!(error instanceof Error) || error instanceof DataError) return error;
  const match = columnReference.exec(error.message);
  if (!match) return error;
  const available = table.columnNames();
  const name = match[1]!;
  if (!available.includes(name) && !name.includes('=>')) return new ColumnNotFoundError(name, available, verb);
  return new DataError(
    'LEPTON_UNKNOWN_COLUMN',
    `${verb}: ${error.message}. Available columns: ${available.join(', ')}.`,
    { cause: error },
  );
}

function wrapVerb(name: string, checkNames: boolean): void {
  const proto = DataFrame.prototype as unknown as Record<string, unknown>;
  const original = proto[name] as (...args: unknown[]) => unknown;
  if (typeof original !== 'function') return;
  Object.defineProperty(proto, name, {
    configurable: true,
    writable: true,
    value: {
      [name](this: DataFrame, ...args: unknown[]) {
        if (checkNames) {
          const available = this.columnNames();
          const wanted = (name === 'array' || name === 'get' ? args.slice(0, 1) : args).flatMap((a) =>
            namesIn(a, name),
          );
          assertColumns(wanted, available, name);
        }
        try {
          return original.apply(this, args);
        } catch (error) {
          throw explainColumnError(error, this, name);
        }
      },
    }[name],
  });
}

for (const verb of namedVerbs) wrapVerb(verb, true);
for (const verb of expressionVerbs) wrapVerb(verb, false);
