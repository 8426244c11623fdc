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
import { EvaluationReport, type ClassificationMetrics, type RegressionMetrics } from './report.js';

/** Options of `lepton.evaluate`. */
export interface EvaluateOptions extends ColumnChoice {
  /** What the model does (default: classification when its last layer ends in softmax or sigmoid, else regression). */
  task?: 'classification' | 'regression';
  /** Names of the classes, in label order (default "0", "1", …). */
  classNames?: string[];
  /** Samples per prediction batch (default 256). */
  batchSize?: number;
}

function lastActivation(model: tf.LayersModel): string | undefined {
  const config = model.layers.at(-1)?.getConfig() as { activation?: unknown } | undefined;
  return typeof config?.activation === 'string' ? config.activation : undefined;
}

/** Predictions and true values of the whole test data, as arrays. */
async function predictAll(model: tf.LayersModel, data: FitData, options: EvaluateOptions): Promise<{ predicted: number[][]; truth: number[][] }> {
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

function classification(predicted: number[][], truth: number[][], classNames?: string[]): { metrics: ClassificationMetrics; charts: Record<string, unknown>[] } {
  // Binary with one sigmoid output: two columns [1 − p, p].
  const probs = predicted[0]!.length === 1 ? predicted.map((r) => [1 - r[0]!, r[0]!]) : predicted;
  const k = probs[0]!.length;
  const yTrue = truth[0]!.length > 1 ? argMaxRows(truth) : truth.map((r) => Math.round(r[0]!));
  const yPred = argMaxRows(probs);
  const labels = Array.from({ length: k }, (_, i) => i);
  const names = classNames ?? labels.map(String);
  if (names.length !== k) throw new Error(`classNames has ${names.length} names but the model predicts ${k} classes.`);
  const prf = metrics.precisionRecallF1(yTrue, yPred, labels);
  const present = labels.filter((l) => yTrue.includes(l));
  const curves = labels.map((label, j) => {
    const positives = yTrue.filter((v) => v === label).length;
    if (positives === 0 || positives === yTrue.length) return null;
    const curve = metrics.rocCurve(yTrue.map((v) => (v === label ? 1 : 0)), probs.map((r) => r[j]!));
    return { name: names[j]!, curve, auc: metrics.auc(curve.fpr, curve.tpr) };
  });
  const binary = k === 2;
  const auc = binary ? curves[1]?.auc ?? null : present.length === k && curves.every((c) => c !== null) ? curves.reduce((s, c) => s + c!.auc, 0) / k : null;
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

function regression(predicted: number[][], truth: number[][]): { metrics: RegressionMetrics; charts: Record<string, unknown>[] } {
  const p = predicted.map((r) => r[0]!);
  const t = truth.map((r) => r[0]!);
  const mse = metrics.meanSquaredError(t, p);
  return {
    metrics: { task: 'regression', samples: t.length, mse, rmse: Math.sqrt(mse), mae: metrics.meanAbsoluteError(t, p), r2: metrics.r2Score(t, p) },
    charts: [residualChart(t, p)],
  };
}

/**
 * Evaluates a trained model on test data and reports it as a table plus plots. Classification: accuracy,
 * precision/recall/F1 per class with macro and weighted averages, ROC curves and AUC (binary, or one-vs-rest),
 * a confusion-matrix heatmap and log loss. Regression: MSE, RMSE, MAE, R² and a residual plot.
 * @param model a trained tfjs model
 * @param testData `{ x, y }` tensors (y one-hot or class indices), a DataFrame with `x`/`y` columns named, or a dataset of `{ xs, ys }` batches
 * @param options task, class names, batch size
 * @example const report = await lepton.evaluate(model, { x: xTest, y: yTest }, { classNames: ['cat', 'dog'] })
 */
export async function evaluate(model: tf.LayersModel, testData: FitData, options: EvaluateOptions = {}): Promise<EvaluationReport> {
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
  if (predicted.length === 0) throw new Error('The test data is empty: evaluation needs at least one sample.');
  const activation = lastActivation(model);
  const task = options.task ?? (activation === 'softmax' || activation === 'sigmoid' ? 'classification' : 'regression');
  const classNames = options.classNames ?? images?.classNames ?? trainedOn(model)?.classNames;
  const { metrics: result, charts } = task === 'classification' ? classification(predicted, truth, classNames) : regression(predicted, truth);
  const chart = concat(charts);
  const mistakes = images && task === 'classification' && predicted[0]!.length > 1 ? await worstMistakes(images, predicted, truth.map((r) => Math.round(r[0]!))) : undefined;
  return new EvaluationReport(result, chart, await toSvg(chart), mistakes);
}
