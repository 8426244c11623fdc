/**
 * The preprocessing of one fit, chosen from the column plan and fitted on the training rows only (inside each
 * fold, so no test row leaks into a mean, a mode or a category list): numbers imputed with the median,
 * categories imputed with the most frequent value and one-hot encoded with rare categories grouped, dates as
 * calendar parts, and — for the families that need it (networks, linear models) — standard scaling. The fitted
 * steps are a `lepton.preprocess` pipeline, so they save to JSON and deploy as the server's raw-record transforms.
 */
import type { ColumnTable } from 'arquero';
import type * as TF from '@tensorflow/tfjs';
import { isMissing } from '../data/columns.js';
import { DataFrame } from '../data/frame.js';
import { columnValues } from '../data/stats.js';
import { dateFeatures } from '../preprocess/date-features.js';
import { oneHot } from '../preprocess/encoders.js';
import { imputer } from '../preprocess/imputer.js';
import { Pipeline } from '../preprocess/pipeline.js';
import { standardScaler } from '../preprocess/scalers.js';
import type { Transform } from '../preprocess/transform.js';
import type { ColumnPlan } from './columns.js';
import { AutomlError } from './errors.js';

/** How the preprocessing is fitted. */
export interface PrepOptions {
  /** Standard-scale the numeric features (networks and linear models train badly on raw scales). */
  scale: boolean;
  /** Most one-hot columns per categorical column: the rest are grouped (all zeros), as unseen categories are. */
  maxCategories?: number;
  /** A category seen in fewer training rows than this is grouped with the rare ones (default: 0.5 % of rows, at least 5). */
  minCount?: number;
}

/** Fitted preprocessing: the pipeline, and the model input's columns in order. */
export interface FittedPrep {
  /** The fitted steps, as one `lepton.preprocess` pipeline. */
  pipeline: Pipeline;
  /** The columns of `pipeline.transform(df)` that make the model input, in order. */
  features: string[];
}

/**
 * Fits the preprocessing of `plan` on `frame` (training rows only).
 * @param frame the training rows (raw columns)
 * @param plan which columns are numeric, categorical, dates
 * @param options scaling and rare-category grouping
 */
export function fitPrep(frame: ColumnTable, plan: ColumnPlan, options: PrepOptions): FittedPrep {
  const rows = frame.numRows();
  const steps: Transform[] = [];
  let current: DataFrame = DataFrame.from(frame);
  const add = (step: Transform, fitOn: ColumnTable = current) => {
    step.fit(fitOn);
    current = step.transform(current);
    steps.push(step);
  };
  const present = (name: string) => columnValues(current, name).some((v) => !isMissing(v));
  // A column with no value in these rows cannot give a median or a mode: it is filled with a constant instead.
  const numeric = plan.numeric.filter(present);
  const emptyNumeric = plan.numeric.filter((c) => !numeric.includes(c));
  if (numeric.length) add(imputer({ strategy: 'median', columns: numeric }));
  if (emptyNumeric.length) add(imputer({ strategy: 'constant', value: 0, columns: emptyNumeric }));

  const categorical = plan.categorical.filter(present);
  const encoded: string[] = [];
  if (categorical.length) {
    add(imputer({ strategy: 'most-frequent', columns: categorical }));
    const minCount = minCountOf(rows, options);
    const frequent = categorical.map((c) => frequentCategories(current, c, minCount, options.maxCategories ?? 30));
    const kept = categorical.filter((_, j) => frequent[j]!.size > 0);
    if (kept.length) {
      // The encoder learns only the frequent categories: it is fitted on a copy where the rare ones are missing,
      // so at transform time (here and on the server) a rare category is an unknown one, all zeros.
      const fitOn = withOnly(
        current,
        kept,
        kept.map((c) => frequent[categorical.indexOf(c)]!),
      );
      const encoder = oneHot({ columns: kept, unknown: 'ignore' });
      add(encoder, fitOn);
      encoded.push(...encoder.outputNames());
    }
  }
  const dateOutputs: string[] = [];
  for (const column of plan.dates) {
    const before = new Set(current.columnNames());
    add(dateFeatures({ column, features: ['dayOfYear', 'dayOfWeek', 'month', 'hour'] }));
    dateOutputs.push(...current.columnNames().filter((n) => !before.has(n)));
  }
  const scaled = [...numeric, ...emptyNumeric];
  if (options.scale && scaled.length) add(standardScaler({ columns: scaled }));
  const features = [...plan.numeric, ...encoded, ...dateOutputs];
  if (features.length === 0) {
    throw new AutomlError(
      'LEPTON_AUTOML_NO_FEATURES',
      `automl: no feature is left after preprocessing (the categorical columns ${plan.categorical.join(', ')} have no category seen ${minCountOf(rows, options)} times or more); add numeric columns or more rows.`,
    );
  }
  // The steps were fitted one by one above (the encoder on its own copy), so the pipeline is marked fitted as is.
  return { pipeline: new Pipeline(steps).restore({ fitted: true }), features };
}

/** The model input of `frame`: its preprocessed features as a float32 [rows, features] tensor. */
export function inputTensor(prep: FittedPrep, frame: ColumnTable): TF.Tensor2D {
  return prep.pipeline.transform(frame).toTensor(prep.features) as TF.Tensor2D;
}

/** The fewest training rows a category needs for its own one-hot column. */
const minCountOf = (rows: number, options: PrepOptions) => options.minCount ?? Math.max(5, Math.ceil(rows * 0.005));

/** The categories of `column` seen at least `minCount` times, the `max` most frequent of them. */
function frequentCategories(frame: ColumnTable, column: string, minCount: number, max: number): Set<unknown> {
  const counts = new Map<unknown, number>();
  for (const v of columnValues(frame, column)) if (!isMissing(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  const ranked = [...counts].filter(([, n]) => n >= minCount).sort((a, b) => b[1] - a[1]);
  return new Set(ranked.slice(0, max).map(([v]) => v));
}

/** A copy of `frame` in which each of `columns` keeps only the values in its set (others become missing). */
function withOnly(frame: DataFrame, columns: string[], keep: Set<unknown>[]): DataFrame {
  const names = frame.columnNames();
  const out: Record<string, ArrayLike<unknown>> = {};
  for (const name of names) {
    const j = columns.indexOf(name);
    const values = columnValues(frame, name);
    out[name] = j < 0 ? values : values.map((v) => (keep[j]!.has(v) ? v : null));
  }
  return DataFrame.fromColumns({ names, columns: out });
}
