/**
 * `crossValidate`: trains a fresh model per fold (from a build function, as `lepton.tune`'s) and scores it on the
 * fold's test rows, live in the cell: the table of finished folds with mean ± std and a chart. Folds come from
 * `kFold` (default), `timeSeriesSplit` or any list of folds. Interrupting the cell stops at the end of the current
 * batch and keeps the finished folds (the result is also `lepton.crossValidate.last()`).
 */
import * as tf from '@tensorflow/tfjs';
import { display } from '../display/display.js';
import { getHost } from '../display/host.js';
import { fit, type FitOptions } from '../train/fit.js';
import { ValidateError } from './errors.js';
import { isEstimator, type Estimator } from './estimator.js';
import type { Fold, Splitter } from './folds.js';
import { kFold } from './kfold.js';
import { resolveMetrics, type MetricFunction, type MetricName } from './metrics.js';
import { CrossValidation } from './report.js';

/** What a build function is told about the fold it builds for. */
export interface FoldContext {
  /** The fold's number, from 0. */
  fold: number;
  /** A seed for the fold's model (the run's seed plus the fold number). */
  seed: number;
}

/** A fresh, untrained model for one fold: a tfjs model (`lepton.fit` trains it) or any `{ fit, predict }`. */
export type FoldBuild = (context: FoldContext) => tf.LayersModel | Estimator | Promise<tf.LayersModel | Estimator>;

/** Data to cross-validate on: features and labels sharing their first axis (windows from `lepton.preprocess.windows` work). */
export interface CrossValidateData {
  /** Features, [samples, ...]. */
  x: tf.Tensor;
  /** Labels, [samples] or [samples, ...]. */
  y: tf.Tensor;
}

/** Options of `crossValidate`. */
export interface CrossValidateOptions {
  /** k of an unshuffled k-fold split (default 5), when no `splitter` is given. */
  folds?: number;
  /** The folds: a list (`lepton.timeSeriesSplit(n, …)`, `lepton.kFold(n, …)`) or a function of the row count. */
  splitter?: Fold[] | Splitter;
  /** `lepton.fit` options for tfjs models (epochs, batchSize, loss, …); each fold trains without its live chart. */
  fit?: Omit<FitOptions, 'live'>;
  /** Metrics by name (`mae`, `rmse`, `mse`, `mape`, `mase`, `r2`, `accuracy`) or as functions (default: `['mae', 'rmse']`, or `['accuracy']` for int32 labels). */
  metrics?: (MetricName | MetricFunction)[] | Record<string, MetricFunction>;
  /** The model's name in the table (default: the model's `name`). */
  name?: string;
  /** Seed of each fold's model and training (fold k gets seed + k; default 0). */
  seed?: number;
  /** Show the live table (default true). */
  live?: boolean;
}

let lastRun: CrossValidation | undefined;

/** The most recent cross-validation (also after an interrupted cell, whose `crossValidate` never returned). */
export function last(): CrossValidation | undefined {
  return lastRun;
}

let runs = 0;

/**
 * Cross-validates a model: for each fold, `build` makes a fresh model, it trains on the fold's training rows and
 * is scored on its test rows.
 * @param build a fresh model per fold: `({ seed }) => lepton.models.linear({ inputs: [14, 3], seed })` or a baseline
 * @param data `{ x, y }` tensors (e.g. windows)
 * @param options folds or splitter, fit options, metrics, name, seed
 * @returns the scores per fold with mean ± std (`.summary('mae')`), shown as a table and chart
 * @example const cv = await lepton.crossValidate(() => lepton.baselines.naive(w.spec), w, { splitter: lepton.timeSeriesSplit(n, { folds: 5 }), metrics: ['mae'] })
 */
export async function crossValidate(
  build: FoldBuild,
  data: CrossValidateData,
  options: CrossValidateOptions = {},
): Promise<CrossValidation> {
  if (typeof build !== 'function')
    throw new ValidateError(
      'LEPTON_BAD_CV',
      'crossValidate(build, data, options) needs build: a function returning a fresh model for each fold, e.g. ({ seed }) => lepton.models.linear({ inputs: 4, seed }).',
    );
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!data || !(data.x instanceof tf.Tensor) || !(data.y instanceof tf.Tensor))
    throw new ValidateError(
      'LEPTON_BAD_CV',
      'crossValidate: data must be { x, y } tensors sharing their first axis (windows from lepton.preprocess.windows work).',
    );
  const n = data.x.shape[0];
  if (data.y.shape[0] !== n)
    throw new ValidateError(
      'LEPTON_BAD_CV',
      `crossValidate: x has ${n} rows but y has ${data.y.shape[0]}; they must match.`,
    );
  const folds = foldsOf(n, options);
  const metrics = resolveMetrics(options.metrics ?? (data.y.dtype === 'int32' ? ['accuracy'] : ['mae', 'rmse']));
  const seed = options.seed ?? 0;
  const signal = getHost().signal();
  let result: CrossValidation | null = null;
  const id = `lepton-cv-${process.pid}-${++runs}`;
  const live = options.live !== false;
  const show = () => {
    if (live && result) display.update(id, result);
  };
  const onAbort = () => {
    if (!result) return;
    result.status = 'interrupted';
    show();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (let k = 0; k < folds.length && !signal.aborted; k++) {
      const started = Date.now();
      const fold = folds[k]!;
      const model = await build({ fold: k, seed: seed + k });
      if (!(model instanceof tf.LayersModel) && !isEstimator(model)) {
        throw new ValidateError(
          'LEPTON_BAD_CV',
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
          `crossValidate: build returned ${model === null ? 'null' : typeof model}; return a tfjs model (lepton.fit trains it) or an object with fit(x, y) and predict(x), such as lepton.baselines.naive().`,
        );
      }
      if (!result) {
        result = new CrossValidation(
          options.name ?? model.name ?? 'model',
          metrics.map(([name]) => name),
          folds.length,
        );
        lastRun = result;
        if (live) display(result, { id });
      }
      const [xTrain, yTrain, xTest, yTest] = tf.tidy(() => {
        const train = tf.tensor1d(fold.train, 'int32');
        const test = tf.tensor1d(fold.test, 'int32');
        return [tf.gather(data.x, train), tf.gather(data.y, train), tf.gather(data.x, test), tf.gather(data.y, test)];
      });
      let predictions: tf.Tensor | null = null;
      try {
        if (model instanceof tf.LayersModel) {
          await fit(
            model,
            { x: xTrain, y: yTrain },
            { ...options.fit, seed: options.fit?.seed ?? seed + k, live: false },
          );
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the flag changes while awaiting (abort signal), which narrowing cannot see
          if (signal.aborted) break;
          predictions = model.predict(xTest) as tf.Tensor;
        } else {
          await model.fit(xTrain, yTrain);
          predictions = await model.predict(xTest);
        }
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the flag changes while awaiting (abort signal), which narrowing cannot see
        if (signal.aborted) break;
        const pred = predictions.shape.length === yTest.shape.length ? predictions : predictions.reshape(yTest.shape);
        const scores = Object.fromEntries(metrics.map(([name, metric]) => [name, metric(yTest, pred, { yTrain })]));
        if (pred !== predictions) pred.dispose();
        result.folds.push({
          fold: k,
          trainRows: fold.train.length,
          testRows: fold.test.length,
          scores,
          seconds: (Date.now() - started) / 1000,
        });
        show();
      } finally {
        predictions?.dispose();
        tf.dispose([xTrain, yTrain, xTest, yTest]);
        if (model instanceof tf.LayersModel) model.dispose();
      }
    }
    if (!result) throw new ValidateError('LEPTON_BAD_CV', 'crossValidate: interrupted before the first fold started.');
    if (signal.aborted) result.status = 'interrupted';
    else result.status = 'finished';
    show();
    return result;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function foldsOf(n: number, options: CrossValidateOptions): Fold[] {
  if (options.splitter !== undefined && options.folds !== undefined)
    throw new ValidateError('LEPTON_BAD_CV', 'crossValidate: give folds or splitter, not both.');
  const folds =
    typeof options.splitter === 'function'
      ? options.splitter(n)
      : (options.splitter ?? kFold(n, { folds: options.folds ?? 5 }));
  if (!Array.isArray(folds) || folds.length === 0)
    throw new ValidateError(
      'LEPTON_BAD_CV',
      'crossValidate: the splitter gave no folds; use lepton.kFold(n, { folds }) or lepton.timeSeriesSplit(n, { folds }).',
    );
  folds.forEach((f, k) => {
    const bad = [...f.train, ...f.test].find((i) => !(Number.isInteger(i) && i >= 0 && i < n));
    if (bad !== undefined)
      throw new ValidateError(
        'LEPTON_BAD_CV',
        `crossValidate: fold ${k} names row ${bad}, but the data has ${n} rows; make the folds for this data (e.g. lepton.timeSeriesSplit(${n}, …)).`,
      );
    if (f.train.length === 0 || f.test.length === 0)
      throw new ValidateError(
        'LEPTON_BAD_CV',
        `crossValidate: fold ${k} has ${f.train.length === 0 ? 'no training rows' : 'no test rows'}.`,
      );
  });
  return folds;
}
