/**
 * One trial: a family with one parameter set, scored by cross-validation on raw rows — for each fold the
 * preprocessing is fitted on the fold's training rows only, then the model, then both are scored on its test rows.
 */
import * as tf from '@tensorflow/tfjs';
import type { ColumnTable } from 'arquero';
import type { DataFrame } from '../data/frame.js';
import { columnValues } from '../data/stats.js';
import type { Fold } from '../validate/folds.js';
import type { ParamValues } from '../tune/space.js';
import type { ColumnPlan, RowSource } from './columns.js';
import type { Family, FamilyModel } from './families/index.js';
import { fitPrep, inputTensor, type FittedPrep } from './prep.js';
import type { AutomlMetric, ResolvedOptions } from './options.js';

/** A fitted preprocessing and model, ready to predict on raw rows. */
export interface FittedPair {
  /** The preprocessing, fitted on the same rows as the model. */
  prep: FittedPrep;
  /** The trained model. */
  model: FamilyModel;
}

/** What a trial gives back. */
export interface TrialOutcome {
  /** The score of each finished fold. */
  folds: number[];
  /** The last fold's fitted pair (the best trial's becomes the best-so-far pipeline if the search is interrupted). */
  last: FittedPair | null;
}

/** The labels of `frame`'s target as a tensor: class ids (int32) or values (float32). */
export function labelTensor(frame: ColumnTable, options: ResolvedOptions): tf.Tensor1D {
  const values = columnValues(frame, options.target);
  if (options.task === 'regression') return tf.tensor1d(Float32Array.from(values as ArrayLike<number>), 'float32');
  const index = new Map(options.classes.map((c, i) => [c, i]));
  return tf.tensor1d(
    Int32Array.from(values, (v) => index.get(v as string) ?? 0),
    'int32',
  );
}

/** A fold's score by `metric`. */
export function score(metric: AutomlMetric, y: tf.Tensor1D, predicted: tf.Tensor1D): number {
  return tf.tidy(() => {
    if (metric === 'accuracy') return y.equal(predicted).toFloat().mean().dataSync()[0]!;
    const error = y.sub(predicted);
    if (metric === 'mae') return error.abs().mean().dataSync()[0]!;
    if (metric === 'rmse') return Math.sqrt(error.square().mean().dataSync()[0]!);
    const total = y.sub(y.mean()).square().sum().dataSync()[0]!;
    return 1 - error.square().sum().dataSync()[0]! / (total || 1);
  });
}

/** Fits preprocessing and a model of `family` on `frame`. */
export async function fitPair(
  family: Family,
  params: ParamValues,
  frame: DataFrame,
  plan: ColumnPlan,
  options: ResolvedOptions,
  seed: number,
  deadline = Infinity,
): Promise<FittedPair> {
  const prep = fitPrep(frame, plan, { scale: family.scale });
  const model = family.create(params, {
    task: options.task,
    classes: options.classes.length,
    inputs: prep.features.length,
    rows: frame.numRows(),
    seed,
    deadline,
  });
  const x = inputTensor(prep, frame);
  const y = labelTensor(frame, options);
  try {
    await model.fit(x, y);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose([x, y]);
  }
  return { prep, model };
}

/**
 * Runs one trial over `folds`; stops between folds when `stop()` says so (interrupt, or the budget spent), and
 * then returns the folds finished so far.
 */
export async function runTrial(
  family: Family,
  params: ParamValues,
  rows: RowSource,
  folds: Fold[],
  plan: ColumnPlan,
  options: ResolvedOptions,
  seed: number,
  stop: () => boolean,
  deadline = Infinity,
): Promise<TrialOutcome> {
  const scores: number[] = [];
  let last: FittedPair | null = null;
  for (let k = 0; k < folds.length; k++) {
    // Yield to the event loop, so an interrupt (the kernel's abort signal) lands between folds.
    await new Promise((resolve) => setImmediate(resolve));
    if (stop()) break;
    const fold = folds[k]!;
    const train = rows.take(fold.train);
    const test = rows.take(fold.test);
    const pair = await fitPair(family, params, train, plan, options, seed + k, deadline);
    if (stop()) {
      // Training may have been cut at the deadline: an unfinished fold is not scored.
      pair.model.dispose();
      break;
    }
    const x = inputTensor(pair.prep, test);
    const y = labelTensor(test, options);
    const predicted = pair.model.predict(x);
    scores.push(score(options.metric, y, predicted));
    tf.dispose([x, y, predicted]);
    last?.model.dispose();
    last = pair;
  }
  return { folds: scores, last };
}
