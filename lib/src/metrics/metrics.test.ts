import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as metrics from './index.js';

interface Averages {
  precision: number;
  recall: number;
  f1: number;
}

/** The layout fixtures/make_sklearn_fixtures.py writes. */
interface SklearnFixture {
  sklearn_version: string;
  multiclass: {
    y_true: number[];
    y_pred: number[];
    proba: number[][];
    accuracy: number;
    confusion: number[][];
    precision: number[];
    recall: number[];
    f1: number[];
    support: number[];
    macro: Averages;
    weighted: Averages;
    auc_ovr_macro: number;
    auc_ovr_weighted: number;
    log_loss: number;
  };
  binary: {
    y_true: number[];
    y_pred: number[];
    scores: number[];
    clipped_scores: number[];
    fpr: number[];
    tpr: number[];
    /** The first is scikit-learn's `inf`, written as text; the test compares from the second on. */
    thresholds: (number | string)[];
    auc: number;
    log_loss: number;
    precision: number;
    recall: number;
    f1: number;
  };
  regression: { y_true: number[]; y_pred: number[]; mse: number; mae: number; r2: number };
}

/** Checks the sections the tests read, so that a regenerated file with another layout fails here, by name. */
function isSklearnFixture(value: unknown): value is SklearnFixture {
  if (typeof value !== 'object' || value === null) return false;
  const sections = value as Record<string, unknown>;
  return (
    typeof sections.sklearn_version === 'string' &&
    ['multiclass', 'binary', 'regression'].every((k) => typeof sections[k] === 'object' && sections[k] !== null)
  );
}

/** Values scikit-learn computed on the same arrays (fixtures/make_sklearn_fixtures.py, committed). */
const parsed: unknown = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../src/metrics/fixtures/sklearn.json', import.meta.url)), 'utf8'),
);
assert.ok(isSklearnFixture(parsed), 'fixtures/sklearn.json lacks a section; rerun fixtures/make_sklearn_fixtures.py');
const sk = parsed;

const close = (actual: number, expected: number, label: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${label}: ${actual} vs scikit-learn ${expected}`);
const allClose = (actual: number[], expected: number[], label: string) => {
  assert.equal(actual.length, expected.length, `${label}: lengths differ`);
  actual.forEach((v, i) => close(v, expected[i]!, `${label}[${i}]`));
};

describe(`metrics agree with scikit-learn ${sk.sklearn_version}`, () => {
  const mc = sk.multiclass;
  test('accuracy and the confusion matrix of a 3-class problem', () => {
    close(metrics.accuracy(mc.y_true, mc.y_pred), mc.accuracy, 'accuracy');
    assert.deepEqual(metrics.confusionMatrix(mc.y_true, mc.y_pred).matrix, mc.confusion);
  });

  test('precision, recall and F1 per class with macro and weighted averages', () => {
    const r = metrics.precisionRecallF1(mc.y_true, mc.y_pred);
    allClose(
      r.perClass.map((c) => c.precision),
      mc.precision,
      'precision',
    );
    allClose(
      r.perClass.map((c) => c.recall),
      mc.recall,
      'recall',
    );
    allClose(
      r.perClass.map((c) => c.f1),
      mc.f1,
      'f1',
    );
    assert.deepEqual(
      r.perClass.map((c) => c.support),
      mc.support,
    );
    for (const avg of ['macro', 'weighted'] as const)
      for (const k of ['precision', 'recall', 'f1'] as const) close(r[avg][k], mc[avg][k], `${avg} ${k}`);
  });

  test('one-vs-rest ROC AUC, macro and weighted, and log loss from class probabilities', () => {
    close(metrics.rocAuc(mc.y_true, mc.proba), mc.auc_ovr_macro, 'auc macro');
    close(metrics.rocAuc(mc.y_true, mc.proba, { average: 'weighted' }), mc.auc_ovr_weighted, 'auc weighted');
    close(metrics.logLoss(mc.y_true, mc.proba), mc.log_loss, 'log loss');
    assert.ok(
      Math.abs(metrics.logLoss(mc.y_true, tf.tensor2d(mc.proba)) - mc.log_loss) < 1e-6,
      'log loss from a float32 tensor',
    );
  });

  const b = sk.binary;
  test('the binary ROC curve (tied scores included), its AUC, and binary precision/recall/F1/log loss', () => {
    const curve = metrics.rocCurve(b.y_true, b.scores);
    allClose(curve.fpr, b.fpr, 'fpr');
    allClose(curve.tpr, b.tpr, 'tpr');
    assert.deepEqual(curve.thresholds.slice(1), b.thresholds.slice(1));
    close(metrics.rocAuc(b.y_true, b.scores), b.auc, 'auc');
    close(metrics.logLoss(b.y_true, b.clipped_scores), b.log_loss, 'binary log loss');
    close(metrics.precision(b.y_true, b.y_pred), b.precision, 'precision');
    close(metrics.recall(b.y_true, b.y_pred), b.recall, 'recall');
    close(metrics.f1(b.y_true, b.y_pred), b.f1, 'f1');
  });

  const r = sk.regression;
  test('MSE, MAE and R² of a regression', () => {
    close(metrics.meanSquaredError(r.y_true, r.y_pred), r.mse, 'mse');
    close(metrics.meanAbsoluteError(r.y_true, r.y_pred), r.mae, 'mae');
    close(metrics.r2Score(r.y_true, r.y_pred), r.r2, 'r2');
  });

  test('mismatched lengths are an error naming both', () => {
    assert.throws(() => metrics.accuracy([1, 2, 3], [1, 2]), {
      code: 'LEPTON_METRIC_SHAPE_MISMATCH',
      message: /yTrue has 3 values but yPred has 2/,
    });
  });
});
