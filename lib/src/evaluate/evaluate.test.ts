import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { toMimeBundle } from '../display/mime.js';
import { evaluate } from './evaluate.js';
import { seasonalNaive } from '../baselines/forecast.js';
import { DataFrame } from '../data/frame.js';
import { windows } from '../preprocess/windows.js';
import { timeSplit } from '../validate/time-split.js';

/** A model whose predictions are set by hand: a dense layer with fixed weights on one-hot inputs. */
function lookupModel(outputs: number[][], activation: 'softmax' | 'linear'): tf.Sequential {
  const n = outputs.length;
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [n], units: outputs[0]!.length, activation, useBias: false })],
  });
  model.setWeights([tf.tensor2d(outputs)]);
  return model;
}

test('a classifier report has accuracy, per-class scores, AUC, log loss and a confusion matrix, shown as table and plots', async () => {
  // Logits chosen so that samples 0-2 are predicted as classes 0, 1, 1 against truth 0, 1, 2.
  const logits = [
    [3, 0, 0],
    [0, 3, 0],
    [0, 2, 1],
    [0, 0, 3],
  ];
  const model = lookupModel(logits, 'softmax');
  const x = tf.eye(4);
  const y = tf.tensor1d([0, 1, 2, 2], 'int32');
  const report = await evaluate(model, { x, y }, { classNames: ['a', 'b', 'c'] });
  const m = report.metrics;
  assert.equal(m.task, 'classification');
  assert.equal(m.accuracy, 0.75);
  assert.deepEqual(m.confusion.matrix, [
    [1, 0, 0],
    [0, 1, 0],
    [0, 1, 1],
  ]);
  assert.equal(m.perClass[1]!.precision, 0.5);
  assert.equal(m.perClass[2]!.recall, 0.5);
  assert.ok(m.auc !== null && m.auc > 0.8 && m.auc <= 1);
  assert.ok(m.logLoss > 0);
  const bundle = toMimeBundle(report) as {
    'text/html': string;
    'text/plain': string;
    'application/vnd.vegalite.v5+json': { hconcat: unknown[] };
  };
  assert.match(bundle['text/html'], /<svg/);
  assert.match(bundle['text/html'], /macro avg/);
  assert.equal(bundle['application/vnd.vegalite.v5+json'].hconcat.length, 2);
  assert.match(bundle['text/plain'], /accuracy 0\.7500/);
});

test('a regression report has MSE, MAE, R² and a residual plot', async () => {
  const model = lookupModel([[1], [2], [3], [5]], 'linear');
  const report = await evaluate(model, { x: tf.eye(4), y: tf.tensor2d([[1], [2], [3], [4]]) });
  const m = report.metrics;
  assert.equal(m.task, 'regression');
  assert.ok(Math.abs(m.mse - 0.25) < 1e-6);
  assert.ok(Math.abs(m.mae - 0.25) < 1e-6);
  assert.ok(Math.abs(m.r2 - (1 - 1 / 5)) < 1e-6);
  assert.equal((report.chart.hconcat as { title: string }[])[0]!.title, 'Residuals');
});

test('evaluate on forecasting windows shows the naive baseline beside the model, scored on the same windows', async () => {
  const series = [0, 1, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10];
  const w = windows(DataFrame.from({ v: series }), { features: ['v'], target: 'v', inputWidth: 3 });
  const { test: held } = timeSplit(w, { testSize: 4 });
  // The model forecasts the last input + 1.5: its errors and the naive forecast's are computed here by hand.
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [3, 1] }), tf.layers.dense({ units: 1 })] });
  model.setWeights([tf.tensor2d([[0], [0], [1]]), tf.tensor1d([1.5])]);
  const truth = series.slice(-4);
  const last = series.slice(-5, -1);
  const mae = (p: number[]) => p.reduce((s, v, i) => s + Math.abs(truth[i]! - v), 0) / truth.length;
  const report = await evaluate(model, held);
  const m = report.metrics;
  assert.equal(m.task, 'regression');
  assert.ok(m.baseline, 'the report has a baseline');
  assert.equal(m.baseline.name, 'naive');
  assert.ok(Math.abs(m.mae - mae(last.map((v) => v + 1.5))) < 1e-6);
  assert.ok(Math.abs(m.baseline.mae - mae(last)) < 1e-6);
  assert.ok(Math.abs(m.baseline.relativeMae - m.mae / m.baseline.mae) < 1e-9);
  const bundle = toMimeBundle(report) as Record<string, string>;
  assert.match(bundle['text/html']!, /naive baseline/);
  assert.match(
    bundle['text/plain']!,
    m.baseline.relativeMae < 1 ? /beats the naive baseline/ : /does NOT beat the naive baseline/,
  );
  // A baseline can be chosen (a seasonal one here), or turned off; plain tensors carry no geometry, so none is guessed.
  const seasonal = await evaluate(model, held, { baseline: seasonalNaive({ season: 2, ...w.spec }) });
  assert.equal(seasonal.metrics.task === 'regression' && seasonal.metrics.baseline?.name, 'seasonal naive (2)');
  assert.ok(
    Math.abs((seasonal.metrics as { baseline: { mae: number } }).baseline.mae - mae(series.slice(-6, -2))) < 1e-6,
  );
  const baselineOf = (r: Awaited<ReturnType<typeof evaluate>>) =>
    r.metrics.task === 'regression' ? r.metrics.baseline : 'not a regression';
  assert.equal(baselineOf(await evaluate(model, held, { baseline: false })), undefined);
  assert.equal(baselineOf(await evaluate(model, { x: held.x, y: held.y })), undefined);
});
