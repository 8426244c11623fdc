/**
 * The options of `lepton.automl` and their checks: everything that can be wrong with the call is found here,
 * before any model trains (a target that is not a column, one class, a budget that pays for no trial).
 */
import type { ColumnTable } from 'arquero';
import { columnKind, isMissing, isNumericKind } from '../data/columns.js';
import { columnValues } from '../data/stats.js';
import { AutomlError } from './errors.js';

/** What the search predicts. */
export type AutomlTask = 'classification' | 'regression';

/** The metrics the search can rank by. */
export type AutomlMetric = 'accuracy' | 'rmse' | 'mae' | 'r2';

/** How long the search may run: seconds of wall time, or a number of trials (or both: whichever ends first). */
export interface AutomlBudget {
  /** Seconds for the search, the final refit on all rows included as far as it can be foreseen. */
  seconds?: number;
  /** Trials (one family, one parameter set, scored over every fold). */
  trials?: number;
}

/** Options of `lepton.automl`. */
export interface AutomlOptions {
  /** The column to predict. */
  target: string;
  /** `classification` or `regression` (default: classification for text, boolean or ≤ 20 whole-number values). */
  task?: AutomlTask;
  /** The metric trials are ranked by (default: `accuracy`, or `rmse` for regression). */
  metric?: AutomlMetric;
  /** The budget: `{ seconds: 60 }`, `{ trials: 20 }` or both. */
  budget: AutomlBudget;
  /**
   * Folds of the cross-validation (default 5), or 1 for one holdout split (the last or a stratified 20 % of the rows
   * validate; the default above 50,000 rows, where one fit already says much and k of them would eat the budget).
   */
  cv?: number;
  /**
   * The date column that orders the rows: folds then train on the past and test on the future
   * (`lepton.timeSeriesSplit`). Default: the first column, when it holds dates in ascending order (the frame's
   * time index); `false` turns time-aware folds off.
   */
  time?: string | false;
  /** The families to try (default all that fit the task: baseline, linear, gbm, mlp). */
  families?: string[];
  /** Seed of the folds, of every trial's parameters and of every model (default 0). */
  seed?: number;
  /** Show the live leaderboard (default true). */
  live?: boolean;
}

/** The options after checking, with defaults filled in. */
export interface ResolvedOptions {
  target: string;
  task: AutomlTask;
  metric: AutomlMetric;
  seconds: number;
  trials: number;
  folds: number;
  time: string | null;
  families: string[] | null;
  seed: number;
  live: boolean;
  /** The sorted classes of a classification target (class id = position). */
  classes: (string | number | boolean)[];
}

const metrics: Record<AutomlMetric, AutomlTask> = {
  accuracy: 'classification',
  rmse: 'regression',
  mae: 'regression',
  r2: 'regression',
};

/** Whether higher values of `metric` are better. */
export const higherBetter = (metric: AutomlMetric) => metric === 'accuracy' || metric === 'r2';

/**
 * The least time one trial can take on a frame of `rows` rows and `columns` columns: a baseline over every fold
 * plus the preprocessing fitted per fold. A budget below it cannot finish one trial, so the call fails at once.
 */
export function minimumSeconds(rows: number, columns: number, folds: number): number {
  return Math.max(1, (rows * columns * folds) / 2e6);
}

const bad = (message: string) => new AutomlError('LEPTON_AUTOML_OPTIONS', message);

/** Checks the frame and options; throws `AutomlError` naming the first problem. */
export function resolveOptions(df: ColumnTable, options: AutomlOptions): ResolvedOptions {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!df || typeof (df as Partial<ColumnTable>).columnNames !== 'function')
    throw bad('automl(df, options): df must be a DataFrame (e.g. lepton.datasets.penguins()).');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!options || typeof options !== 'object')
    throw bad("automl(df, options) needs options: { target: 'column', budget: { seconds: 60 } }.");
  const names = df.columnNames();
  if (typeof options.target !== 'string')
    throw new AutomlError(
      'LEPTON_AUTOML_TARGET',
      `automl: name the column to predict with { target }; the columns are ${names.join(', ')}.`,
    );
  if (!names.includes(options.target))
    throw new AutomlError(
      'LEPTON_AUTOML_TARGET',
      `automl: the target ${JSON.stringify(options.target)} is not a column; the columns are ${names.map((n) => JSON.stringify(n)).join(', ')}.`,
    );
  const budget = options.budget;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!budget || typeof budget !== 'object' || (budget.seconds === undefined && budget.trials === undefined)) {
    throw new AutomlError(
      'LEPTON_AUTOML_BUDGET',
      'automl: give a budget: { budget: { seconds: 60 } } or { budget: { trials: 20 } }.',
    );
  }
  if (
    budget.seconds !== undefined &&
    !(typeof budget.seconds === 'number' && budget.seconds > 0 && Number.isFinite(budget.seconds))
  )
    throw new AutomlError(
      'LEPTON_AUTOML_BUDGET',
      `automl: budget.seconds must be a positive number, got ${JSON.stringify(budget.seconds)}.`,
    );
  if (budget.trials !== undefined && !(Number.isInteger(budget.trials) && budget.trials >= 1))
    throw new AutomlError(
      'LEPTON_AUTOML_BUDGET',
      `automl: budget.trials must be a whole number ≥ 1 (one trial at least), got ${JSON.stringify(budget.trials)}.`,
    );
  const rows = df.numRows();
  const folds = options.cv ?? (rows > 50_000 ? 1 : 5);
  if (!(Number.isInteger(folds) && folds >= 1))
    throw bad(
      `automl: cv must be a whole number of folds ≥ 2, or 1 for one holdout split; got ${JSON.stringify(options.cv)}.`,
    );
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw bad(`automl: seed must be a whole number, got ${JSON.stringify(options.seed)}.`);

  const values = columnValues(df, options.target);
  const present = values.filter((v) => !isMissing(v));
  const kind = columnKind(present);
  const distinct = new Set(present);
  const wholeFew = isNumericKind(kind) && distinct.size <= 20 && present.every((v) => Number.isInteger(v));
  const task = options.task ?? (!isNumericKind(kind) || wholeFew ? 'classification' : 'regression');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (task !== 'classification' && task !== 'regression')
    throw bad(`automl: task must be 'classification' or 'regression', got ${JSON.stringify(options.task)}.`);
  if (task === 'regression' && !isNumericKind(kind))
    throw bad(
      `automl: a regression target must hold numbers, but ${JSON.stringify(options.target)} holds ${kind} values; use task: 'classification'.`,
    );
  const metric = options.metric ?? (task === 'classification' ? 'accuracy' : 'rmse');
  if (metrics[metric] !== task)
    throw bad(
      `automl: the metric ${JSON.stringify(metric)} does not score ${task}; use ${Object.entries(metrics)
        .filter(([, t]) => t === task)
        .map(([m]) => `'${m}'`)
        .join(' or ')}.`,
    );
  if (distinct.size < 2) {
    const what =
      present.length === 0
        ? 'has no value in any row'
        : `has one ${task === 'classification' ? 'class' : 'value'} (${JSON.stringify(present[0])}) in every row`;
    throw new AutomlError(
      'LEPTON_AUTOML_ONE_CLASS',
      `automl: the target ${JSON.stringify(options.target)} ${what}, so there is nothing to learn; pick another target or add rows with other ${task === 'classification' ? 'classes' : 'values'}.`,
    );
  }
  if (rows < Math.max(folds, 5) * 2)
    throw new AutomlError(
      'LEPTON_AUTOML_BUDGET',
      `automl: ${rows} rows cannot make ${folds} folds with at least 2 rows each; pass a smaller cv or more rows.`,
    );
  const classes =
    task === 'classification'
      ? ([...distinct].sort((a, b) => (a! < b! ? -1 : a! > b! ? 1 : 0)) as (string | number | boolean)[])
      : [];
  const minimum = minimumSeconds(rows, names.length, folds);
  if (budget.seconds !== undefined && budget.seconds < minimum) {
    throw new AutomlError(
      'LEPTON_AUTOML_BUDGET',
      `automl: a budget of ${budget.seconds} s is too small for one trial on ${rows.toLocaleString('en-US')} rows × ${names.length} columns with ${folds} folds (at least ${minimum.toFixed(1)} s); give { seconds: ${Math.ceil(minimum * 10)} } or more, or a budget in trials.`,
    );
  }
  if (options.time !== undefined && options.time !== false && !names.includes(options.time))
    throw bad(`automl: time ${JSON.stringify(options.time)} is not a column; the columns are ${names.join(', ')}.`);
  if (options.time === options.target)
    throw bad('automl: time names the target; name the date column that orders the rows.');
  if (
    options.families !== undefined &&
    !(
      Array.isArray(options.families) &&
      options.families.length > 0 &&
      options.families.every((f) => typeof f === 'string')
    )
  )
    throw bad("automl: families must be a non-empty list of names, e.g. ['gbm', 'linear'].");
  return {
    target: options.target,
    task,
    metric,
    seconds: budget.seconds ?? Infinity,
    trials: budget.trials ?? Infinity,
    folds,
    time: timeColumn(df, options),
    families: options.families ?? null,
    seed,
    live: options.live !== false,
    classes,
  };
}

/** The column that orders rows in time: the one named, or a first column of ascending dates; null for none. */
function timeColumn(df: ColumnTable, options: AutomlOptions): string | null {
  if (options.time === false) return null;
  const name = options.time ?? df.columnNames()[0]!;
  if (name === options.target) return null;
  const values = columnValues(df, name);
  const dates = values.every((v) => v instanceof Date);
  if (!dates) {
    if (options.time !== undefined)
      throw bad(
        `automl: time ${JSON.stringify(name)} must hold dates (parse it with { types: { ${JSON.stringify(name)}: 'date' } } when reading).`,
      );
    return null;
  }
  for (let i = 1; i < values.length; i++) {
    if ((values[i] as Date).getTime() < (values[i - 1] as Date).getTime()) {
      if (options.time !== undefined)
        throw bad(
          `automl: time ${JSON.stringify(name)} is not in ascending order (row ${i} is earlier than row ${i - 1}); sort the frame first: df.orderby(${JSON.stringify(name)}).`,
        );
      return null;
    }
  }
  return name;
}
