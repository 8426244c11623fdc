import * as tf from '@tensorflow/tfjs';
import { ensureBackend } from '../backend/select.js';
import * as metrics from '../metrics/index.js';
import { argMaxRows, toMatrix } from '../metrics/values.js';
import { resolveData, type ColumnChoice, type FitData } from '../train/data.js';
import { checkShapes } from '../train/validate.js';
import { ImageDataset, isFitSource } from '../images/dataset.js';
import { worstMistakes } from '../images/mistakes.js';
import { trainedOn } from '../images/trained.js';
import { concat, confusionChart, residualChart, rocChart, toSvg } from './charts.js';
import { naive } from '../baselines/forecast.js';
import { isTensor } from '../core/tfjs.js';
import type { WindowSpec } from '../preprocess/windows.js';
import type { Estimator } from '../validate/estimator.js';
import {
  EvaluationReport,
  type BaselineMetrics,
  type ClassificationMetrics,
  type RegressionMetrics,
} from './report.js';
import { EvaluateError } from './errors.js';

/** Options of `lepton.evaluate`. */
export interface EvaluateOptions extends ColumnChoice {
  /** What the model does (default: classification when its last layer ends in softmax or sigmoid, else regression). */
  task?: 'classification' | 'regression';
  /** Names of the classes, in label order (default "0", "1", …). */
  classNames?: string[];
  /** Samples per prediction batch (default 256). */
  batchSize?: number;
  /**
   * A baseline scored on the same test data and shown beside the model (any `predict(x)`: `lepton.baselines.*`, an
   * estimator). Default: on windows (`lepton.preprocess.windows`, or a part of `lepton.timeSplit(w)`) whose target
   * is among the features, the naive forecast `lepton.baselines.naive(w.spec)`; `false` shows none.
   */
  baseline?: Pick<Estimator, 'name' | 'predict'> | false;
}

/** The window geometry carried by test data made by `lepton.preprocess.windows`, if any. */
function windowSpecOf(data: unknown): WindowSpec | undefined {
  const raw: unknown = (data as { spec?: unknown } | null)?.spec;
  if (typeof raw !== 'object' || raw === null) return undefined;
  const spec = raw as Partial<WindowSpec>;
  return typeof spec.inputWidth === 'number' &&
    typeof spec.labelWidth === 'number' &&
    typeof spec.shift === 'number' &&
    typeof spec.targetIndex === 'number'
    ? (spec as WindowSpec)
    : undefined;
}

/** The baseline to score: the one given, else the naive forecast on windows that hold their target. */
function chooseBaseline(
  data: unknown,
  option: EvaluateOptions['baseline'],
): Pick<Estimator, 'name' | 'predict'> | undefined {
  if (option === false) return undefined;
  if (option !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (typeof option?.predict !== 'function')
      throw new EvaluateError(
        'LEPTON_EVALUATE_BAD_BASELINE',
        'evaluate: baseline must have predict(x) (e.g. lepton.baselines.naive(w.spec)), or be false.',
      );
    return option;
  }
  const spec = windowSpecOf(data);
  return spec && spec.targetIndex >= 0 ? naive(spec) : undefined;
}

/** The baseline's errors on the test inputs, beside the model's MAE (a ratio below 1: the model beats it). */
async function scoreBaseline(
  baseline: Pick<Estimator, 'name' | 'predict'>,
  data: FitData,
  truth: number[][],
  modelMae: number,
): Promise<BaselineMetrics> {
  const x = (data as { x?: unknown }).x;
  if (!isTensor(x))
    throw new EvaluateError(
      'LEPTON_EVALUATE_BAD_BASELINE',
      'evaluate: a baseline is scored on { x, y } tensors (or windows); this test data has no x tensor. Pass baseline: false.',
    );
  const out = await baseline.predict(x);
  const predicted = toMatrix(out);
  out.dispose();
  if (predicted.length !== truth.length)
    throw new EvaluateError(
      'LEPTON_EVALUATE_BAD_BASELINE',
      `evaluate: the baseline predicted ${predicted.length} rows for ${truth.length} test samples.`,
    );
  const { mse, mae, r2 } = errors(predicted, truth);
  return {
    name: baseline.name ?? 'baseline',
    mse,
    rmse: Math.sqrt(mse),
    mae,
    r2,
    relativeMae: mae === 0 ? Number.POSITIVE_INFINITY : modelMae / mae,
  };
}

/** Errors over every label of every sample (a window's several labels all count, as in Keras's losses). */
function errors(
  predicted: number[][],
  truth: number[][],
): { p: number[]; t: number[]; mse: number; mae: number; r2: number } {
  const p = predicted.flat();
  const t = truth.flat();
  if (p.length !== t.length)
    throw new EvaluateError(
      'LEPTON_EVALUATE_SHAPE_MISMATCH',
      `evaluate: the predictions have ${predicted[0]!.length} value(s) per sample but the labels ${truth[0]!.length}.`,
    );
  return { p, t, mse: metrics.meanSquaredError(t, p), mae: metrics.meanAbsoluteError(t, p), r2: metrics.r2Score(t, p) };
}

function lastActivation(model: tf.LayersModel): string | undefined {
  const config = model.layers.at(-1)?.getConfig() as { activation?: unknown } | undefined;
  return typeof config?.activation === 'string' ? config.activation : undefined;
}

/** Predictions and true values of the whole test data, as arrays. */
async function predictAll(
  model: tf.LayersModel,
  data: FitData,
  options: EvaluateOptions,
): Promise<{ predicted: number[][]; truth: number[][] }> {
  const resolved = resolveData(data, options, 'test data');
  const batchSize = options.batchSize ?? 256;
  if (resolved.kind === 'tensors') {
    try {
      checkShapes(model, resolved.x, resolved.y, 'test data', true);
      const out = model.predict(resolved.x, { batchSize }) as tf.Tensor;
      const predicted = toMatrix(out);
      out.dispose();
      return { predicted, truth: toMatrix(resolved.y) };
    } finally {
      tf.dispose(resolved.owned);
    }
  }
  const predicted: number[][] = [];
  const truth: number[][] = [];
  await resolved.dataset.forEachAsync(({ xs, ys }) => {
    const out = model.predict(xs) as tf.Tensor;
    predicted.push(...toMatrix(out));
    truth.push(...toMatrix(ys));
    tf.dispose([out, xs, ys]);
  });
  return { predicted, truth };
}

function classification(
  predicted: number[][],
  truth: number[][],
  classNames?: string[],
): { metrics: ClassificationMetrics; charts: Record<string, unknown>[] } {
  // Binary with one sigmoid output: two columns [1 − p, p].
  const probs = predicted[0]!.length === 1 ? predicted.map((r) => [1 - r[0]!, r[0]!]) : predicted;
  const k = probs[0]!.length;
  const yTrue = truth[0]!.length > 1 ? argMaxRows(truth) : truth.map((r) => Math.round(r[0]!));
  const yPred = argMaxRows(probs);
  const labels = Array.from({ length: k }, (_, i) => i);
  const names = classNames ?? labels.map(String);
  if (names.length !== k)
    throw new EvaluateError(
      'LEPTON_EVALUATE_BAD_OPTION',
      `classNames has ${names.length} names but the model predicts ${k} classes.`,
    );
  const prf = metrics.precisionRecallF1(yTrue, yPred, labels);
  const present = labels.filter((l) => yTrue.includes(l));
  const curves = labels.map((label, j) => {
    const positives = yTrue.filter((v) => v === label).length;
    if (positives === 0 || positives === yTrue.length) return null;
    const curve = metrics.rocCurve(
      yTrue.map((v) => (v === label ? 1 : 0)),
      probs.map((r) => r[j]!),
    );
    return { name: names[j]!, curve, auc: metrics.auc(curve.fpr, curve.tpr) };
  });
  const binary = k === 2;
  const auc = binary
    ? (curves[1]?.auc ?? null)
    : present.length === k && curves.every((c) => c !== null)
      ? curves.reduce((s, c) => s + c.auc, 0) / k
      : null;
  const confusion = metrics.confusionMatrix(yTrue, yPred, labels);
  const result: ClassificationMetrics = {
    task: 'classification',
    samples: yTrue.length,
    classNames: names,
    accuracy: metrics.accuracy(yTrue, yPred),
    perClass: prf.perClass.map((c, j) => ({ ...c, name: names[j]!, auc: curves[j]?.auc ?? null })),
    macro: prf.macro,
    weighted: prf.weighted,
    auc,
    logLoss: metrics.logLoss(yTrue, probs, labels),
    confusion,
  };
  const rocCurves = binary ? (curves[1] ? [curves[1]] : []) : curves.filter((c) => c !== null);
  const charts = [confusionChart(confusion, names), ...(rocCurves.length ? [rocChart(rocCurves)] : [])];
  return { metrics: result, charts };
}

function regression(
  predicted: number[][],
  truth: number[][],
): { metrics: RegressionMetrics; charts: Record<string, unknown>[] } {
  const { p, t, mse, mae, r2 } = errors(predicted, truth);
  return {
    metrics: { task: 'regression', samples: truth.length, mse, rmse: Math.sqrt(mse), mae, r2 },
    charts: [residualChart(t, p)],
  };
}

/**
 * Evaluates a trained model on test data and reports it as a table plus plots. Classification: accuracy,
 * precision/recall/F1 per class with macro and weighted averages, ROC curves and AUC (binary, or one-vs-rest),
 * a confusion-matrix heatmap and log loss. Regression: MSE, RMSE, MAE, R² and a residual plot; on forecasting windows
 * the naive forecast's errors beside the model's (a model that does not beat "tomorrow = today" learned nothing).
 * @param model a trained tfjs model
 * @param testData `{ x, y }` tensors (y one-hot or class indices), a DataFrame with `x`/`y` columns named, or a dataset of `{ xs, ys }` batches
 * @param options task, class names, batch size
 * @example const report = await lepton.evaluate(model, { x: xTest, y: yTest }, { classNames: ['cat', 'dog'] })
 * @example const { train, test } = lepton.timeSplit(w, { testSize: 365 }); const report = await lepton.evaluate(lstm, test)
 */
export async function evaluate(
  model: tf.LayersModel,
  testData: FitData,
  options: EvaluateOptions = {},
): Promise<EvaluationReport> {
  await ensureBackend();
  const images = testData instanceof ImageDataset ? testData : undefined;
  let data = testData;
  // An image dataset gives its tensors (in its order, so mistakes can be traced to files), or a stream of batches.
  const owned: tf.Tensor[] = [];
  if (isFitSource(data)) {
    data = await data.fitData(options.batchSize ?? 256, false);
    if ('x' in data) owned.push(data.x as tf.Tensor, data.y as tf.Tensor);
  }
  let predicted: number[][];
  let truth: number[][];
  try {
    ({ predicted, truth } = await predictAll(model, data, options));
  } finally {
    tf.dispose(owned);
  }
  if (predicted.length === 0)
    throw new EvaluateError('LEPTON_EVALUATE_EMPTY', 'The test data is empty: evaluation needs at least one sample.');
  const activation = lastActivation(model);
  const task = options.task ?? (activation === 'softmax' || activation === 'sigmoid' ? 'classification' : 'regression');
  const classNames = options.classNames ?? images?.classNames ?? trainedOn(model)?.classNames;
  const { metrics: result, charts } =
    task === 'classification' ? classification(predicted, truth, classNames) : regression(predicted, truth);
  const baseline = result.task === 'regression' ? chooseBaseline(testData, options.baseline) : undefined;
  if (baseline && result.task === 'regression')
    result.baseline = await scoreBaseline(baseline, testData, truth, result.mae);
  const chart = concat(charts);
  const mistakes =
    images && task === 'classification' && predicted[0]!.length > 1
      ? await worstMistakes(
          images,
          predicted,
          truth.map((r) => Math.round(r[0]!)),
        )
      : undefined;
  return new EvaluationReport(result, chart, await toSvg(chart), mistakes);
}
