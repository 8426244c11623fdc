/**
 * Permutation importance of a tabular TensorFlow.js model: how much its score drops when one feature's column is
 * shuffled (seeded), breaking its link to the label while keeping its distribution.
 */
import * as tf from '@tensorflow/tfjs';
import type { TopLevelSpec } from 'vega-lite';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { badArgument } from '../data/errors.js';
import { permutation, seededRandom } from '../core/random.js';
import { Chart } from '../plot/chart.js';
import { resolveData, type FitData } from '../train/data.js';

/** A model that predicts from a [samples, features] tensor (a tf.LayersModel, or anything with `predict`). */
export interface TabularModel {
  /** Predictions for a [samples, features] batch: [samples] or [samples, outputs] (the first tensor of a list). */
  predict(x: tf.Tensor, config?: { batchSize?: number }): tf.Tensor | tf.Tensor[];
  /** The model's inputs, when known: used to check that x has the feature count the model expects. */
  inputs?: {
    /** The input's shape, `null` for free dimensions, e.g. `[null, 4]`. */
    shape: (number | null)[];
  }[];
  /** Class probabilities [samples, classes], for classifiers whose `predict` gives labels (gradient boosting). */
  predictProba?(x: tf.Tensor): tf.Tensor;
  /** A classifier's classes (empty or absent for a regression): when present, `predictProba` is read. */
  readonly classes?: readonly unknown[];
}

/**
 * What the explainers compare: a classifier's probabilities (`predictProba`, when the model has classes, as
 * scikit-learn's classifiers do), else `predict`'s output.
 */
export function modelOutputs(model: TabularModel, x: tf.Tensor, batchSize: number): tf.Tensor {
  if (typeof model.predictProba === 'function' && Array.isArray(model.classes) && model.classes.length > 0)
    return model.predictProba(x);
  const out = model.predict(x, { batchSize });
  return Array.isArray(out) ? out[0]! : out;
}

/** Options of `permutationImportance`. */
export interface PermutationOptions {
  /** `accuracy` (classification; the default when the model outputs classes or probabilities of 0/1 labels) or `mse`. */
  metric?: 'accuracy' | 'mse';
  /** Shuffles per feature (default 5). */
  repeats?: number;
  /** Seed of the shuffles (default 0). */
  seed?: number;
  /** Feature names (default: the DataFrame's `x` columns, else `x0`, `x1`, …). */
  featureNames?: string[];
  /** With a DataFrame: the feature columns. */
  x?: string[];
  /** With a DataFrame: the label column. */
  y?: string;
  /** Samples per prediction batch (default 1024). */
  batchSize?: number;
}

/** One feature's importance: the drop in score when it is shuffled (for mse: the rise in error). */
export interface FeatureImportance {
  /** The feature's name. */
  feature: string;
  /** Mean drop over the repeats. */
  mean: number;
  /** Standard deviation of the drop over the repeats. */
  std: number;
  /** The drop of each repeat. */
  drops: number[];
}

/** The result of `permutationImportance`: features sorted by importance, shown as a bar chart and a table. */
export class PermutationImportance {
  constructor(
    /** The metric used. */
    readonly metric: 'accuracy' | 'mse',
    /** The model's score on the unshuffled data. */
    readonly baseline: number,
    /** Features, most important first. */
    readonly importances: FeatureImportance[],
    /** Shuffles per feature. */
    readonly repeats: number,
  ) {}

  /** A horizontal bar chart of the mean drop per feature with ±1 std error bars, most important on top. */
  chart(): Chart {
    const values = this.importances.map((f) => ({
      feature: f.feature,
      drop: f.mean,
      low: f.mean - f.std,
      high: f.mean + f.std,
      std: f.std,
    }));
    const sort = this.importances.map((f) => f.feature);
    const title = this.metric === 'accuracy' ? 'drop in accuracy' : 'rise in MSE';
    const spec = {
      title: `Permutation importance (${this.repeats} repeats)`,
      width: 400,
      height: Math.max(60, 20 * values.length),
      data: { values },
      layer: [
        {
          mark: { type: 'bar', tooltip: true },
          encoding: {
            y: { field: 'feature', type: 'nominal', sort, title: null },
            x: { field: 'drop', type: 'quantitative', title },
          },
        },
        {
          mark: { type: 'rule' },
          encoding: {
            y: { field: 'feature', type: 'nominal', sort },
            x: { field: 'low', type: 'quantitative' },
            x2: { field: 'high' },
          },
        },
      ],
    };
    return new Chart(spec as unknown as TopLevelSpec);
  }

  /** The importances as rows `{ feature, mean, std }`. */
  toJSON(): {
    /** The metric used: `accuracy` or `mse`. */
    metric: string;
    /** The model's score on the unshuffled data. */
    baseline: number;
    /** Shuffles per feature. */
    repeats: number;
    /** Features, most important first. */
    importances: FeatureImportance[];
  } {
    return { metric: this.metric, baseline: this.baseline, repeats: this.repeats, importances: this.importances };
  }

  /** A text table. */
  toString(): string {
    const width = Math.max(7, ...this.importances.map((f) => f.feature.length));
    const lines = this.importances.map(
      (f) => `${f.feature.padEnd(width)}  ${f.mean.toFixed(4).padStart(8)} ± ${f.std.toFixed(4)}`,
    );
    return [
      `Permutation importance (${this.metric}, baseline ${this.baseline.toFixed(4)}, ${this.repeats} repeats)`,
      `${'feature'.padEnd(width)}  ${'drop'.padStart(8)}   std`,
      ...lines,
    ].join('\n');
  }

  /** The bar chart (Vega-Lite, SVG fallback), HTML with the chart and a table, and the table as text. */
  [displaySymbol](): MimeBundle {
    const chart = this.chart()[displaySymbol]();
    const esc = (s: string) =>
      s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
    const rows = this.importances
      .map(
        (f) =>
          `<tr><td style="padding:2px 8px">${esc(f.feature)}</td><td style="padding:2px 8px;text-align:right">${f.mean.toFixed(4)}</td><td style="padding:2px 8px;text-align:right">${f.std.toFixed(4)}</td></tr>`,
      )
      .join('');
    const html =
      `<div>${chart['image/svg+xml'] as string}<table style="border-collapse:collapse;font-size:12px"><thead><tr><th style="text-align:left;padding:2px 8px">feature</th><th style="padding:2px 8px">mean drop</th><th style="padding:2px 8px">std</th></tr></thead><tbody>${rows}</tbody></table>` +
      `<div style="font-size:12px;color:#666">${this.metric}, baseline ${this.baseline.toFixed(4)}, ${this.repeats} seeded shuffles per feature</div></div>`;
    return { ...chart, 'text/html': html, 'text/plain': this.toString() };
  }
}

/** Scores predictions [n, k] against labels: accuracy (argmax, or 0.5 threshold for one output) or MSE. */
function score(
  pred: Float32Array | Int32Array | Uint8Array,
  k: number,
  y: ArrayLike<number>,
  yWidth: number,
  metric: 'accuracy' | 'mse',
): number {
  const n = pred.length / k;
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (metric === 'mse') {
      for (let c = 0; c < k; c++) total += (pred[i * k + c]! - y[i * yWidth + Math.min(c, yWidth - 1)]!) ** 2;
      continue;
    }
    let predicted: number;
    if (k === 1) predicted = pred[i]! >= 0.5 ? 1 : 0;
    else {
      predicted = 0;
      for (let c = 1; c < k; c++) if (pred[i * k + c]! > pred[i * k + predicted]!) predicted = c;
    }
    let truth: number;
    if (yWidth === 1) truth = Math.round(y[i]!);
    else {
      truth = 0;
      for (let c = 1; c < yWidth; c++) if (y[i * yWidth + c]! > y[i * yWidth + truth]!) truth = c;
    }
    if (predicted === truth) total++;
  }
  return metric === 'mse' ? total / (n * k) : total / n;
}

/**
 * Permutation importance of each feature of a tabular model: its score on the data, then for each feature and
 * repeat, the score with that feature's column shuffled (seeded); importance is the mean drop (for `mse`, the rise
 * in error) and its std over repeats.
 * @param data `{ x: [samples, features], y }` as tensors or arrays, or a DataFrame with `{ x: [...], y: '...' }` in the options
 * @example lepton.explain.permutationImportance(model, { x: xTest, y: yTest }, { repeats: 5, featureNames: ['a', 'b'] })
 */
export function permutationImportance(
  model: TabularModel,
  data: FitData,
  options: PermutationOptions = {},
): PermutationImportance {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!model || typeof model.predict !== 'function')
    throw badArgument('permutationImportance: expected a tfjs model with predict() (a tf.LayersModel).');
  const repeats = options.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1)
    throw badArgument(`permutationImportance: repeats must be a positive whole number, got ${repeats}.`);
  const resolved = resolveData(data, { x: options.x, y: options.y }, 'data');
  if (resolved.kind !== 'tensors')
    throw badArgument('permutationImportance: pass { x, y } tensors or a DataFrame, not a tf.data dataset.');
  try {
    const { x, y } = resolved;
    if (x.rank !== 2)
      throw badArgument(
        `permutationImportance: x must be 2-D [samples, features] (tabular data), got shape [${x.shape.join(', ')}].`,
      );
    const [n, d] = x.shape as [number, number];
    if (y.shape[0] !== n) throw badArgument(`permutationImportance: x has ${n} samples but y has ${y.shape[0]}.`);
    if (y.rank > 2)
      throw badArgument(
        `permutationImportance: y must be [samples] or [samples, outputs], got shape [${y.shape.join(', ')}].`,
      );
    const inputShape = model.inputs?.[0]?.shape;
    if (inputShape) {
      if (inputShape.length !== 2)
        throw badArgument(
          `permutationImportance: the model takes input of shape [${inputShape.map((s) => s ?? 'null').join(', ')}], not 2-D tabular [samples, features].`,
        );
      if (inputShape[1] !== null && inputShape[1] !== d)
        throw badArgument(`permutationImportance: the model expects ${inputShape[1]} features but x has ${d}.`);
    }
    const fromFrame = typeof (data as { toTensor?: unknown }).toTensor === 'function';
    const names =
      options.featureNames ?? (fromFrame ? options.x : undefined) ?? Array.from({ length: d }, (_, j) => `x${j}`);
    if (names.length !== d)
      throw badArgument(`permutationImportance: ${names.length} feature names for ${d} features in x.`);
    const xs = Float32Array.from(x.dataSync());
    const ys = Float32Array.from(y.dataSync());
    const yWidth = y.rank === 2 ? y.shape[1]! : 1;
    const batchSize = options.batchSize ?? 1024;
    const predict = (values: Float32Array): [Float32Array | Int32Array | Uint8Array, number] => {
      return tf.tidy(() => {
        const t = modelOutputs(model, tf.tensor2d(values, [n, d]), batchSize);
        const k = t.rank === 1 ? 1 : t.shape[1]!;
        return [t.dataSync() as Float32Array, k];
      });
    };
    const [basePred, k] = predict(xs);
    const metric = options.metric ?? (k > 1 || Array.from(ys).every((v) => v === 0 || v === 1) ? 'accuracy' : 'mse');
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (metric !== 'accuracy' && metric !== 'mse')
      throw badArgument(`permutationImportance: metric must be 'accuracy' or 'mse', got ${JSON.stringify(metric)}.`);
    const baseline = score(basePred, k, ys, yWidth, metric);
    const random = seededRandom(options.seed ?? 0);
    const shuffled = new Float32Array(xs.length);
    const importances: FeatureImportance[] = names.map((feature, j) => {
      const drops: number[] = [];
      for (let r = 0; r < repeats; r++) {
        shuffled.set(xs);
        const order = permutation(n, random);
        for (let i = 0; i < n; i++) shuffled[i * d + j] = xs[order[i]! * d + j]!;
        const [pred] = predict(shuffled);
        const s = score(pred, k, ys, yWidth, metric);
        drops.push(metric === 'mse' ? s - baseline : baseline - s);
      }
      const mean = drops.reduce((a, b) => a + b, 0) / repeats;
      const std = Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / repeats);
      return { feature, mean, std, drops };
    });
    importances.sort((a, b) => b.mean - a.mean);
    return new PermutationImportance(metric, baseline, importances, repeats);
  } finally {
    for (const t of resolved.owned) t.dispose();
  }
}
