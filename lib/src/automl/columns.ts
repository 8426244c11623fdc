/**
 * The column plan of a search: `lepton.check` runs first, and its findings decide which columns are features —
 * leaky and constant columns are excluded, as are row IDs (every value distinct) — and each feature gets a type
 * (numeric, categorical or date) that chooses its preprocessing. Rows without a target are dropped.
 */
import type { ColumnTable } from 'arquero';
import { check, type DataQualityReport } from '../check/index.js';
import { columnKind, isMissing, isNumericKind } from '../data/columns.js';
import { DataFrame } from '../data/frame.js';
import { columnValues } from '../data/stats.js';
import { AutomlError } from './errors.js';

/** A column left out of the features, and why. */
export interface ExcludedColumn {
  /** The column. */
  column: string;
  /** `leaky`, `constant`, `id` (every value distinct) or `empty` (no value). */
  reason: 'leaky' | 'constant' | 'id' | 'empty';
  /** One sentence for the user. */
  message: string;
}

/** Which columns feed the models, by type, and what was left out. */
export interface ColumnPlan {
  /** Numeric features (imputed with the median; scaled for networks and linear models). */
  numeric: string[];
  /** Categorical features (imputed with the most frequent value; one-hot with rare categories grouped). */
  categorical: string[];
  /** Date features (calendar parts, as sine and cosine). */
  dates: string[];
  /** Columns excluded, with the reason. */
  excluded: ExcludedColumn[];
  /** Rows dropped because their target is missing. */
  droppedRows: number;
  /** The data-quality report the plan was made from. */
  report: DataQualityReport;
}

/** Text columns with more distinct values than this share of their rows are IDs or free text (names, comments), not categories. */
const idShare = 0.5;

/**
 * Runs `lepton.check` and plans the features. Throws `LEPTON_AUTOML_NO_FEATURES` when nothing usable is left.
 * @returns the plan, and the frame without rows whose target is missing
 */
export function planColumns(
  df: ColumnTable,
  target: string,
  time: string | null,
): { plan: ColumnPlan; frame: DataFrame } {
  const targetValues = columnValues(df, target);
  const keep = targetValues.flatMap((v, i) => (isMissing(v) ? [] : [i]));
  const frame = keep.length === df.numRows() ? DataFrame.from(df) : new RowSource(df).take(keep);
  const report = check(frame, { target });
  const excluded: ExcludedColumn[] = [];
  const exclude = (column: string, reason: ExcludedColumn['reason'], message: string) => {
    if (!excluded.some((e) => e.column === column)) excluded.push({ column, reason, message });
  };
  for (const finding of report.findings) {
    if (finding.kind === 'leakage') exclude(finding.columns[0]!, 'leaky', finding.message);
    if (finding.kind === 'constant') exclude(finding.columns[0]!, 'constant', finding.message);
  }
  const plan: ColumnPlan = {
    numeric: [],
    categorical: [],
    dates: [],
    excluded,
    droppedRows: df.numRows() - keep.length,
    report,
  };
  const rows = frame.numRows();
  for (const column of report.toJSON().columnReports) {
    const name = column.name;
    if (name === target || excluded.some((e) => e.column === name)) continue;
    const kind = column.type;
    if (kind === 'null') {
      exclude(name, 'empty', `${name} has no value in any row.`);
    } else if (kind === 'date') {
      plan.dates.push(name);
    } else if (isNumericKind(kind)) {
      // A whole-number column counting the rows (0, 1, 2, … or 1, 2, 3, …) is a row ID, not a measurement.
      if (kind === 'integer' && column.distinct === rows && rows > 20 && isRowCounter(columnValues(frame, name)))
        exclude(name, 'id', `${name} numbers the rows (every value distinct, in steps of 1): an ID, not a feature.`);
      else plan.numeric.push(name);
    } else if (column.distinct > idShare * (rows - column.missing) && rows > 20) {
      exclude(
        name,
        'id',
        `${name} has ${column.distinct.toLocaleString('en-US')} distinct values in ${rows.toLocaleString('en-US')} rows: an ID or free text, not a category.`,
      );
    } else {
      plan.categorical.push(name);
    }
  }
  const features = plan.numeric.length + plan.categorical.length + plan.dates.length;
  if (features === 0) {
    const why = excluded.length ? ` (excluded: ${excluded.map((e) => `${e.column}, ${e.reason}`).join('; ')})` : '';
    throw new AutomlError(
      'LEPTON_AUTOML_NO_FEATURES',
      `automl: no usable feature is left to predict ${JSON.stringify(target)}${why}; add columns known at prediction time.`,
    );
  }
  if (time !== null && !plan.dates.includes(time) && !excluded.some((e) => e.column === time)) plan.dates.push(time);
  return { plan, frame };
}

/** Whether whole numbers step by exactly 1 in row order (a row counter), in either direction. */
function isRowCounter(values: ArrayLike<unknown>): boolean {
  if (values.length < 2) return false;
  const step = (values[1] as number) - (values[0] as number);
  if (Math.abs(step) !== 1) return false;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) - (values[i - 1] as number) !== step) return false;
  return true;
}

/** A frame's columns read once, to cut row subsets (the folds) without reading the frame again. */
export class RowSource {
  private readonly names: string[];
  private readonly columns: ArrayLike<unknown>[];
  /** @param frame the frame to cut rows from */
  constructor(frame: ColumnTable) {
    this.names = frame.columnNames();
    this.columns = this.names.map((name) => {
      const values = columnValues(frame, name);
      // Numbers go to a Float64Array (missing as NaN, which imputers fill): compact, and fast to gather.
      if (!isNumericKind(columnKind(values)) || !values.every((v) => typeof v === 'number' || isMissing(v)))
        return values;
      return Float64Array.from(values, (v) => (isMissing(v) ? NaN : (v as number)));
    });
  }
  /** Rows in the frame. */
  get rowCount(): number {
    return this.columns[0]?.length ?? 0;
  }
  /** The rows at `indices`, in that order, as a new frame. */
  take(indices: ArrayLike<number>): DataFrame {
    const columns: Record<string, ArrayLike<unknown>> = {};
    this.names.forEach((name, j) => {
      const values = this.columns[j]!;
      if (values instanceof Float64Array) {
        const out = new Float64Array(indices.length);
        for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]!]!;
        columns[name] = out;
      } else columns[name] = Array.from(indices, (i) => values[i]);
    });
    return DataFrame.fromColumns({ names: this.names, columns });
  }
}
