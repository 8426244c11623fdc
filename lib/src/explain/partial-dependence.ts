/**
 * Partial dependence of a tabular model on one or two features (Friedman 2001): set the feature(s) to each value of
 * a grid in every row, predict, and average. It shows how the prediction moves with the feature, the others kept
 * as they are in the data. One feature gives a line chart, two a heat map.
 */
import * as tf from '@tensorflow/tfjs';
import type { ColumnTable } from 'arquero';
import type { TopLevelSpec } from 'vega-lite';
import { ColumnNotFoundError, badArgument } from '../data/errors.js';
import { DataFrame } from '../data/frame.js';
import { columnValues } from '../data/stats.js';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { Chart } from '../plot/chart.js';
import { heatmap, line } from '../plot/charts.js';
import { modelOutputs, type TabularModel } from './permutation.js';

/** A fitted preprocessing step (a `lepton.preprocess` transform or pipeline), or any frame → frame function. */
export type FrameTransform =
  | {
      /** Turns raw rows into the model's feature columns. */
      transform(frame: ColumnTable): ColumnTable;
    }
  | ((frame: DataFrame) => ColumnTable);

/** Options of `partialDependence`. */
export interface PartialDependenceOptions {
  /** With a DataFrame: the columns the model takes, in order (after `transform`, when given). */
  x?: string[];
  /** With a DataFrame: what turns raw rows into the model's features (a fitted scaler, one-hot encoder, pipeline…). */
  transform?: FrameTransform;
  /** With tensors or arrays: the feature names (default `x0`, `x1`, …). */
  featureNames?: string[];
  /** Grid points per numeric feature (default 20 for one feature, 10 each for two). */
  gridSize?: number;
  /** The range of a numeric feature's grid, as percentiles of its values (default [0.05, 0.95]). */
  percentiles?: [number, number];
  /** The output the chart shows (an index or a class name); by default every output. */
  target?: number | string;
  /** Names of the model's outputs, for a classifier its classes (default `0`, `1`, …; `prediction` for one output). */
  classNames?: string[];
  /** Rows the predictions are averaged over: a seeded sample of the data when it has more (default 1000). */
  sample?: number;
  /** Seed of that sample (default 0). */
  seed?: number;
  /** Samples per prediction batch (default 1024). */
  batchSize?: number;
}

/** A grid value: a number, or a category of a categorical feature. */
export type GridValue = number | string | boolean;

const valueColumn = 'average prediction';
const outputColumn = 'output';

/** The result of `partialDependence`: the grid(s), the average prediction at each point, and a chart. */
export class PartialDependence {
  constructor(
    /** The feature(s), one or two. */
    readonly features: string[],
    /** Each feature's grid: quantiles of a numeric feature, or the categories of a categorical one. */
    readonly grids: GridValue[][],
    /** Whether each feature was treated as numeric or categorical. */
    readonly kinds: ('numeric' | 'categorical')[],
    /** The model's outputs (classes of a classifier). */
    readonly outputs: string[],
    /**
     * The average prediction per grid point (rows) and output (columns). With two features, the point of
     * `grids[0][i]` and `grids[1][j]` is row `i * grids[1].length + j`.
     */
    readonly values: number[][],
    /** Rows averaged over. */
    readonly rows: number,
    /** The output the chart shows (null: all). */
    readonly target: number | null,
  ) {}

  /** The average prediction of output `output` (index or name) at grid point `(i)` or `(i, j)`. */
  at(i: number, j = 0, output: number | string = 0): number {
    const o = typeof output === 'number' ? output : this.outputs.indexOf(output);
    const row = this.features.length === 1 ? i : i * this.grids[1]!.length + j;
    const value = this.values[row]?.[o];
    if (value === undefined)
      throw badArgument(`partialDependence: no grid point (${i}, ${j}) with output ${JSON.stringify(output)}.`);
    return value;
  }

  /** The numbers as a long DataFrame: the feature column(s), `output` and `average prediction` (of every output, or of `only`). */
  toFrame(only?: number): DataFrame {
    const rows: Record<string, GridValue>[] = [];
    const [first, second] = this.grids as [GridValue[], GridValue[] | undefined];
    const points = second ? first.flatMap((a) => second.map((b) => [a, b])) : first.map((a) => [a]);
    points.forEach((point, r) => {
      this.outputs.forEach((output, o) => {
        if (only !== undefined && o !== only) return;
        const row: Record<string, GridValue> = {};
        this.features.forEach((f, k) => (row[f] = point[k]!));
        row[outputColumn] = output;
        row[valueColumn] = this.values[r]![o]!;
        rows.push(row);
      });
    });
    return DataFrame.from(rows);
  }

  /** A line chart (one feature; a line per output) or a heat map (two features; one panel per output). */
  chart(): Chart {
    const frame = this.toFrame(this.target ?? undefined);
    const shown = this.target === null ? this.outputs : [this.outputs[this.target]!];
    const many = shown.length > 1;
    const title = `Partial dependence on ${this.features.join(' × ')}${many ? '' : ` (${shown[0]})`}`;
    const channel = (k: number) =>
      ({ field: this.features[k]!, type: this.kinds[k] === 'numeric' ? 'quantitative' : 'nominal' }) as const;
    if (this.features.length === 1) {
      return line(frame, {
        x: channel(0),
        y: valueColumn,
        ...(many ? { color: outputColumn } : {}),
        points: this.kinds[0] === 'categorical' || this.grids[0]!.length < 8,
        title,
      });
    }
    const width = many ? 180 : 320;
    const chart = heatmap(frame, {
      x: this.features[0]!,
      y: { field: this.features[1]!, sort: 'descending' },
      color: valueColumn,
      width,
      height: width,
      title,
    });
    if (!many) return chart;
    // One panel per output, sharing the colour scale so the panels compare.
    const { mark, encoding, width: w, height: h, data, ...top } = chart.spec as unknown as Record<string, unknown>;
    return new Chart({
      ...top,
      data,
      facet: { column: { field: outputColumn, type: 'nominal', title: null } },
      spec: { width: w, height: h, mark, encoding },
    } as unknown as TopLevelSpec);
  }

  /** The numbers, as plain data. */
  toJSON(): {
    /** The feature(s), one or two. */
    features: string[];
    /** Each feature's grid: quantiles of a numeric feature, or the categories of a categorical one. */
    grids: GridValue[][];
    /** Per feature, `numeric` or `categorical`. */
    kinds: string[];
    /** The model's outputs (classes of a classifier). */
    outputs: string[];
    /** The average prediction per grid point (rows) and output (columns). */
    values: number[][];
    /** Rows averaged over. */
    rows: number;
  } {
    return {
      features: this.features,
      grids: this.grids,
      kinds: this.kinds,
      outputs: this.outputs,
      values: this.values,
      rows: this.rows,
    };
  }

  /** A text table of the average prediction per grid point. */
  toString(): string {
    const head = `Partial dependence on ${this.features.join(' × ')} (average over ${this.rows} rows)`;
    const [first, second] = this.grids as [GridValue[], GridValue[] | undefined];
    const points = second ? first.flatMap((a) => second.map((b) => `${String(a)}, ${String(b)}`)) : first.map(String);
    const width = Math.max(...points.map((p) => p.length), this.features.join(', ').length);
    const lines = points.map(
      (p, r) =>
        `${p.padEnd(width)}  ${this.values[r]!.map((v) => v.toFixed(4).padStart(Math.max(9, ...this.outputs.map((o) => o.length)))).join(' ')}`,
    );
    const header = `${this.features.join(', ').padEnd(width)}  ${this.outputs.map((o) => o.padStart(Math.max(9, ...this.outputs.map((n) => n.length)))).join(' ')}`;
    return [head, header, ...lines].join('\n');
  }

  /** The chart (Vega-Lite, SVG fallback), and the table as text. */
  [displaySymbol](): MimeBundle {
    return { ...this.chart()[displaySymbol](), 'text/plain': this.toString() };
  }
}

/** The data as rows of numbers ready for the model, with one or two feature columns set to given values. */
interface FeatureSource {
  names: string[];
  rows: number;
  /** Each feature's raw values, to build its grid. */
  valuesOf(feature: string): unknown[];
  /** The model's input [rows, features] with `feature[k]` set to `point[k]` in every row. */
  inputAt(features: string[], point: GridValue[]): tf.Tensor2D;
}

const q = (s: string) => JSON.stringify(s);

function isFrame(data: unknown): data is ColumnTable {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as ColumnTable).columnNames === 'function' &&
    typeof (data as ColumnTable).numRows === 'function'
  );
}

function frameSource(data: ColumnTable, options: PartialDependenceOptions): FeatureSource {
  let frame = DataFrame.from(data);
  const names = frame.columnNames();
  if (!options.x)
    throw badArgument(
      `partialDependence: with a DataFrame, pass the model's feature columns as { x: [...] }${options.transform ? ' (the columns after the transform)' : ''}. Columns: ${names.map(q).join(', ')}.`,
    );
  const limit = options.sample ?? 1000;
  if (frame.numRows() > limit) frame = DataFrame.from(frame.sample(limit, { seed: options.seed ?? 0 }).reify());
  const transform = options.transform;
  const apply = (f: DataFrame): ColumnTable =>
    transform === undefined ? f : typeof transform === 'function' ? transform(f) : transform.transform(f);
  const x = options.x;
  const columns = Object.fromEntries(names.map((n) => [n, columnValues(frame, n)]));
  return {
    names,
    rows: frame.numRows(),
    valuesOf: (feature) => columns[feature]!,
    inputAt(features, point) {
      const rows = frame.numRows();
      const changed = { ...columns };
      features.forEach((f, k) => (changed[f] = new Array<GridValue>(rows).fill(point[k]!)));
      const ready = apply(DataFrame.from(changed));
      const missing = x.filter((c) => !ready.columnNames().includes(c));
      if (missing.length > 0)
        throw new ColumnNotFoundError(
          missing[0]!,
          ready.columnNames(),
          `partialDependence (the x columns${transform ? ' after the transform' : ''})`,
        );
      return DataFrame.from(ready).toTensor(x) as tf.Tensor2D;
    },
  };
}

function tensorSource(
  data: tf.Tensor | number[][] | { x: tf.Tensor | number[][] },
  options: PartialDependenceOptions,
): FeatureSource {
  const given = data instanceof tf.Tensor || Array.isArray(data) ? data : data.x;
  const x = given instanceof tf.Tensor ? given : tf.tensor(given);
  if (x.rank !== 2)
    throw badArgument(
      `partialDependence: x must be 2-D [samples, features] (tabular data), got shape [${x.shape.join(', ')}].`,
    );
  const [n, d] = x.shape as [number, number];
  let values = Float32Array.from(x.dataSync());
  if (x !== given) x.dispose();
  const names = options.featureNames ?? Array.from({ length: d }, (_, j) => `x${j}`);
  if (names.length !== d) throw badArgument(`partialDependence: ${names.length} feature names for ${d} features in x.`);
  // A seeded sample of rows, as for a DataFrame.
  const limit = options.sample ?? 1000;
  let rows = n;
  if (n > limit) {
    const frame = DataFrame.from({ row: Int32Array.from({ length: n }, (_, i) => i) }).sample(limit, {
      seed: options.seed ?? 0,
    });
    const picked = columnValues(frame, 'row') as number[];
    const sampled = new Float32Array(limit * d);
    picked.forEach((r, i) => sampled.set(values.subarray(r * d, (r + 1) * d), i * d));
    [values, rows] = [sampled, limit];
  }
  return {
    names,
    rows,
    valuesOf: (feature) => {
      const j = names.indexOf(feature);
      return Array.from({ length: rows }, (_, i) => values[i * d + j]!);
    },
    inputAt(features, point) {
      const changed = Float32Array.from(values);
      features.forEach((f, k) => {
        const j = names.indexOf(f);
        const v = point[k];
        if (typeof v !== 'number')
          throw badArgument(`partialDependence: ${q(f)} must be numeric in a tensor, got ${q(String(v))}.`);
        for (let i = 0; i < rows; i++) changed[i * d + j] = v;
      });
      return tf.tensor2d(changed, [rows, d]);
    },
  };
}

/** A numeric feature's grid: its distinct values when few, else quantiles (4 significant digits) over the percentile range. */
function numericGrid(values: number[], size: number, [lo, hi]: [number, number]): number[] {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const distinct = [...new Set(sorted)];
  if (distinct.length <= size) return distinct;
  const quantile = (p: number) => {
    const at = p * (sorted.length - 1);
    const below = Math.floor(at);
    return sorted[below]! + (sorted[Math.min(below + 1, sorted.length - 1)]! - sorted[below]!) * (at - below);
  };
  const grid = Array.from({ length: size }, (_, i) =>
    Number(quantile(lo + ((hi - lo) * i) / (size - 1)).toPrecision(4)),
  );
  return [...new Set(grid)];
}

/** How many categories a categorical feature may have. */
const maxCategories = 50;

/**
 * Partial dependence of a tabular model on one feature or a pair: for each point of a grid over the feature(s)
 * (quantiles of a numeric feature between the 5th and 95th percentiles, or each category of a categorical one),
 * the prediction averaged over the rows of the data with the feature(s) set to that point. Classifiers get one
 * curve per class (their averaged probabilities). With a DataFrame, the grid is in the raw column's units and
 * `transform` (e.g. the fitted scaler) turns rows into the model's features.
 * @param data a DataFrame (with `x`, and `transform` when the model takes preprocessed features), or x as a tensor or rows
 * @param feature a feature name, or two for a heat map
 * @example lepton.explain.partialDependence(model, test, 'Flipper Length (mm)', { x: features, transform: scaler, classNames: species.classes() })
 */
export function partialDependence(
  model: TabularModel,
  data: ColumnTable | tf.Tensor | number[][] | { x: tf.Tensor | number[][] },
  feature: string | number | [string | number, string | number],
  options: PartialDependenceOptions = {},
): PartialDependence {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!model || typeof model.predict !== 'function')
    throw badArgument('partialDependence: expected a tfjs model with predict() (a tf.LayersModel).');
  const inputShape = model.inputs?.[0]?.shape;
  if (inputShape && inputShape.length !== 2) {
    throw badArgument(
      `partialDependence: the model takes input of shape [${inputShape.map((s) => s ?? 'null').join(', ')}], not tabular [samples, features].${inputShape.length >= 3 ? ' For image models use lepton.explain.saliency.' : ''}`,
    );
  }
  const asked = Array.isArray(feature) ? feature : [feature];
  if (asked.length < 1 || asked.length > 2)
    throw badArgument(`partialDependence: give one feature or two (for a heat map), got ${asked.length}.`);
  const source = isFrame(data) ? frameSource(data, options) : tensorSource(data, options);
  if (source.rows === 0) throw badArgument('partialDependence: the data has no rows.');
  const features = asked.map((f) => {
    const name = typeof f === 'number' ? source.names[f] : f;
    if (name === undefined)
      throw badArgument(
        `partialDependence: feature index ${f} is out of range; there are ${source.names.length} features (0 to ${source.names.length - 1}).`,
      );
    if (!source.names.includes(name)) throw new ColumnNotFoundError(name, source.names, 'partialDependence');
    return name;
  });
  if (features.length === 2 && features[0] === features[1])
    throw badArgument(`partialDependence: the two features are the same (${q(features[0]!)}).`);
  const size = options.gridSize ?? (features.length === 1 ? 20 : 10);
  if (!Number.isInteger(size) || size < 2)
    throw badArgument(`partialDependence: gridSize must be a whole number ≥ 2, got ${size}.`);
  const range = options.percentiles ?? [0.05, 0.95];
  if (!(range[0] >= 0 && range[0] < range[1] && range[1] <= 1))
    throw badArgument(
      `partialDependence: percentiles must be [low, high] with 0 ≤ low < high ≤ 1, got [${range.join(', ')}].`,
    );

  const kinds: ('numeric' | 'categorical')[] = [];
  const grids = features.map((f): GridValue[] => {
    const present = source
      .valuesOf(f)
      .filter((v) => v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v)));
    if (present.length === 0) throw badArgument(`partialDependence: ${q(f)} has no values (all missing).`);
    if (present.every((v) => typeof v === 'number' || typeof v === 'bigint')) {
      kinds.push('numeric');
      return numericGrid(present.map(Number), size, range);
    }
    if (!isFrame(data) || !options.transform) {
      throw badArgument(
        `partialDependence: ${q(f)} is categorical (e.g. ${q(String(present.find((v) => typeof v !== 'number')))}), and the model takes numbers: pass the fitted encoder as { transform } (e.g. lepton.preprocess.oneHot), so each category is encoded as in training.`,
      );
    }
    const categories = [...new Set(present.map((v) => (typeof v === 'boolean' ? v : String(v))))].sort((a, b) =>
      String(a).localeCompare(String(b)),
    );
    if (categories.length > maxCategories)
      throw badArgument(
        `partialDependence: ${q(f)} has ${categories.length} categories, more than the ${maxCategories} a partial dependence plot shows.`,
      );
    kinds.push('categorical');
    return categories;
  });

  const points =
    grids.length === 1 ? grids[0]!.map((a) => [a]) : grids[0]!.flatMap((a) => grids[1]!.map((b) => [a, b]));
  const batchSize = options.batchSize ?? 1024;
  let outputs: string[] = [];
  const values = points.map((point) => {
    const input = source.inputAt(features, point);
    try {
      if (inputShape && inputShape[1] !== null && inputShape[1] !== input.shape[1]) {
        throw badArgument(
          `partialDependence: the model expects ${inputShape[1]} features but the data gives ${input.shape[1]}${isFrame(data) ? ` (x: ${options.x!.map(q).join(', ')})` : ''}.`,
        );
      }
      return tf.tidy(() => {
        const y = modelOutputs(model, input, batchSize);
        const k = y.rank === 1 ? 1 : y.size / y.shape[0];
        if (outputs.length === 0)
          outputs =
            k === 1
              ? [options.classNames?.length === 1 ? options.classNames[0]! : 'prediction']
              : Array.from({ length: k }, (_, c) => options.classNames?.[c] ?? String(c));
        return Array.from(y.reshape([y.shape[0], k]).mean(0).dataSync());
      });
    } finally {
      input.dispose();
    }
  });
  let target: number | null = null;
  if (options.target !== undefined) {
    target = typeof options.target === 'number' ? options.target : outputs.indexOf(options.target);
    if (!Number.isInteger(target) || target < 0 || target >= outputs.length)
      throw badArgument(
        `partialDependence: target ${q(String(options.target))} is not one of the model's outputs: ${outputs.map(q).join(', ')}.`,
      );
  } else if (outputs.length === 1) target = 0;
  return new PartialDependence(features, grids, kinds, outputs, values, source.rows, target);
}
