/**
 * `dateFeatures`: calendar features of a date column (day of week, day of year, month, hour), plain or as sine and
 * cosine, added as new columns. It is a fitted, JSON-serializable transform like the scalers, computed by the
 * same function the model server applies to raw records (`@lepton/server/preprocess`), so it ships with a
 * deployment.
 */
import type { ColumnTable } from 'arquero';
import { DATE_FEATURES, dateFeatureFunction, dateFeatureNames, type DateFeature } from '@lepton/server/preprocess';
import { assertColumns, badArgument } from '../data/errors.js';
import type { FrameColumns } from '../data/stats.js';
import { timesOf } from '../data/time-values.js';
import { zoneOffsets } from '../data/time-bins.js';
import { allColumns, registerTransform, Transform } from './transform.js';

export type { DateFeature };

/** Options of `dateFeatures`. */
export interface DateFeaturesOptions {
  /** The date column (Dates, ISO text or epoch milliseconds). */
  column: string;
  /** The parts to extract (default all: dayOfWeek, dayOfYear, month, hour). */
  features?: DateFeature[];
  /** Each part as its sine and cosine (default true), so the end of a cycle sits next to its start. */
  cyclical?: boolean;
  /** The IANA time zone whose calendar the parts follow (default UTC). */
  timeZone?: string;
}

/** What a fitted `DateFeatures` holds (its JSON `state`). */
export type DateFeaturesState = {
  /** The date column, alone. */
  columns: [string];
  /** The parts, in output order. */
  features: DateFeature[];
  /** Sine and cosine, or plain values. */
  cyclical: boolean;
  /** The time zone (absent: UTC). */
  timeZone?: string;
};

/** Adds calendar features of a date column: `<column>_<feature>` (plain) or `<column>_<feature>_sin`/`_cos`. */
export class DateFeatures extends Transform<DateFeaturesState> {
  readonly kind = 'dateFeatures';
  constructor(private readonly options: DateFeaturesOptions) {
    super();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (!options || typeof options.column !== 'string')
      throw badArgument("dateFeatures: name the date column, e.g. dateFeatures({ column: 'date' }).");
    const unknown = (options.features ?? []).filter((f) => !DATE_FEATURES.includes(f));
    if (unknown.length > 0)
      throw badArgument(
        `dateFeatures: unknown feature ${JSON.stringify(unknown[0])}; use ${DATE_FEATURES.join(', ')}.`,
      );
    if (options.features && options.features.length === 0)
      throw badArgument(`dateFeatures: features is empty; list some of ${DATE_FEATURES.join(', ')}.`);
    zoneOffsets(options.timeZone, 'dateFeatures');
  }
  protected config(): Record<string, unknown> {
    return { ...this.options };
  }
  protected learn(frame: ColumnTable): DateFeaturesState {
    assertColumns([this.options.column], frame.columnNames(), 'dateFeatures.fit');
    timesOf(frame, this.options.column, 'dateFeatures.fit');
    const zone = this.options.timeZone === undefined ? {} : { timeZone: this.options.timeZone };
    return {
      columns: [this.options.column],
      features: [...(this.options.features ?? DATE_FEATURES)],
      cyclical: this.options.cyclical ?? true,
      ...zone,
    };
  }
  protected apply(frame: ColumnTable, state: DateFeaturesState): FrameColumns {
    const column = state.columns[0];
    const times = timesOf(frame, column, 'dateFeatures.transform');
    const spec = { ...state, column };
    const names = dateFeatureNames(spec);
    const compute = dateFeatureFunction(spec);
    const outputs = names.map(() => new Float64Array(times.length));
    const row = new Float64Array(names.length);
    times.forEach((t, r) => {
      if (Number.isNaN(t)) row.fill(NaN);
      else compute(t, row, 0);
      outputs.forEach((o, j) => (o[r] = row[j]!));
    });
    const out = allColumns(frame);
    names.forEach((name, j) => {
      if (!out.names.includes(name)) out.names.push(name);
      out.columns[name] = outputs[j]!;
    });
    return out;
  }
}

/**
 * Calendar features of a date column, as sine and cosine by default.
 * @example const dates = lepton.preprocess.dateFeatures({ column: 'date', features: ['dayOfYear', 'month'], cyclical: true }).fit(train)
 */
export function dateFeatures(options: DateFeaturesOptions): DateFeatures {
  return new DateFeatures(options);
}

registerTransform('dateFeatures', (config) => new DateFeatures(config as unknown as DateFeaturesOptions));
