import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DataFrame } from '../../data/frame.js';
import { penguins } from '../../datasets/datasets.js';
import { seededRandom } from '../../core/random.js';
import { displaySymbol } from '../../display/mime.js';
import { partialDependence } from '../../explain/partial-dependence.js';
import { permutationImportance } from '../../explain/permutation.js';
import { labelEncoder } from '../../preprocess/encoders.js';
import { trainTestSplit } from '../../preprocess/split.js';
import { crossValidate } from '../../validate/index.js';
import { gradientBoosting } from './index.js';

// y = 3·[a > 0.5] + b², with noise-free labels: trees fit it well, a constant cannot.
function regressionData(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const random = seededRandom(seed);
  const xs = new Float32Array(n * 3);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b, c] = [random(), random() * 2 - 1, random()];
    xs.set([a, b, c], i * 3);
    ys[i] = (a > 0.5 ? 3 : 0) + b * b;
  }
  return { x: tf.tensor2d(xs, [n, 3]), y: tf.tensor1d(ys) };
}

describe('gradientBoosting on tensors', () => {
  test('fits a regression far better than the mean and ranks the unused feature last', () => {
    const { x, y } = regressionData(600, 1);
    const gbm = gradientBoosting({ trees: 50, seed: 1 }).fit(x, y);
    const pred = gbm.predict(x);
    assert.deepEqual(pred.shape, [600]);
    const mse = tf.losses.meanSquaredError(y, pred).dataSync()[0]!;
    const variance = tf.moments(y).variance.dataSync()[0]!;
    assert.ok(mse < variance / 20, `mse ${mse} vs variance ${variance}`);
    const importances = gbm.featureImportances();
    assert.equal(importances[0]!.feature, 'x0');
    assert.equal(importances[2]!.feature, 'x2');
  });
  test('classifies int32 class ids, returning ids, and probabilities that sum to one', () => {
    const { x } = regressionData(300, 2);
    const a = x.slice([0, 0], [-1, 1]).dataSync();
    const b = x.slice([0, 1], [-1, 1]).dataSync();
    const y = tf.tensor1d(
      Array.from(a, (v, i) => (v > 0.5 ? 2 : b[i]! > 0 ? 1 : 0)),
      'int32',
    );
    const gbm = gradientBoosting({ trees: 30, seed: 0 }).fit(x, y);
    const ids = gbm.predict(x);
    assert.equal(ids.dtype, 'int32');
    const accuracy = tf.mean(tf.equal(ids, y)).dataSync()[0]!;
    assert.ok(accuracy > 0.97, `accuracy ${accuracy}`);
    const proba = gbm.predictProba(x);
    assert.deepEqual(proba.shape, [300, 3]);
    const sums = proba.sum(1).dataSync();
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5);
  });
  test('depth limits every tree; leaves limits the leaves', () => {
    const { x, y } = regressionData(400, 3);
    const shallow = gradientBoosting({ trees: 5, depth: 2 }).fit(x, y).summary();
    assert.ok(shallow.depth <= 2 && shallow.leaves <= 4);
    const fewLeaves = gradientBoosting({ trees: 5, leaves: 3 }).fit(x, y).summary();
    assert.ok(fewLeaves.leaves <= 3);
  });
  test('is an Estimator that crossValidate scores', async () => {
    const { x, y } = regressionData(300, 4);
    const cv = await crossValidate(
      () => gradientBoosting({ trees: 20 }),
      { x, y },
      { folds: 3, metrics: ['r2'], live: false },
    );
    assert.ok(cv.mean('r2') > 0.9, `r2 ${cv.mean('r2')}`);
  });
  test('the same seed gives the same model with subsampling and early stopping', () => {
    const { x, y } = regressionData(400, 5);
    const options = { trees: 200, subsample: 0.7, earlyStopping: { rounds: 5 }, seed: 9 };
    const a = gradientBoosting(options).fit(x, y);
    const b = gradientBoosting(options).fit(x, y);
    assert.deepEqual(Array.from(a.predict(x).dataSync()), Array.from(b.predict(x).dataSync()));
    assert.ok(a.summary().trees < 200, 'early stopping stopped before 200 trees');
  });
});

describe('gradientBoosting on DataFrames', () => {
  const df = penguins();
  const numeric = df.select('Species', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)');
  test('fits a target column and predicts its labels, with missing values as they are', () => {
    const { train, test } = trainTestSplit(numeric, { testSize: 0.25, seed: 1 });
    const gbm = gradientBoosting({ trees: 50, seed: 0 }).fit(train, 'Species');
    assert.deepEqual(gbm.classes, ['Adelie', 'Chinstrap', 'Gentoo']);
    const predicted = gbm.predict(test);
    const truth = test.array('Species') as string[];
    const accuracy = predicted.filter((p, i) => p === truth[i]).length / truth.length;
    assert.ok(accuracy > 0.93, `accuracy ${accuracy}`);
    assert.deepEqual(gbm.predictProba(test).shape, [test.numRows(), 3]);
  });
  test('takes string columns through an encoder', () => {
    const gbm = gradientBoosting({ trees: 10 });
    assert.throws(() => gbm.fit(df, 'Species'), {
      code: 'LEPTON_GBM_BAD_INPUT',
      message: /"Island" is not numeric.*labelEncoder/,
    });
  });
  test('names the columns when the target does not exist', () => {
    assert.throws(() => gradientBoosting().fit(numeric, 'species'), {
      code: 'LEPTON_UNKNOWN_COLUMN',
      message: /did you mean "Species".*Available columns/,
    });
  });
  test('names the first row where a class target is missing', () => {
    const gaps = DataFrame.from({ a: [1, 2, 3, 4, 5, 6, 7], y: ['x', 'y', 'x', 'y', null, 'x', null] });
    assert.throws(() => gradientBoosting().fit(gaps, 'y'), {
      code: 'LEPTON_GBM_BAD_INPUT',
      message: /"y" is missing at row 4/,
    });
  });
  test('numbers classes in sorted order, whatever order the rows bring them in', () => {
    const a = Array.from({ length: 60 }, (_, i) => i);
    const labels = a.map((v) => (v < 20 ? 'pear' : v < 40 ? 'apple' : 'fig'));
    const gbm = gradientBoosting({ trees: 20, minLeaf: 2 }).fit(DataFrame.from({ a, fruit: labels }), 'fruit');
    assert.deepEqual(gbm.classes, ['apple', 'fig', 'pear']);
    assert.deepEqual(gbm.predict(DataFrame.from({ a: [5, 30, 50] })), ['pear', 'apple', 'fig']);
  });
  test('refuses a target with a single class', () => {
    const one = DataFrame.from({ a: [1, 2, 3, 4], y: ['x', 'x', 'x', 'x'] });
    assert.throws(() => gradientBoosting().fit(one, 'y'), { code: 'LEPTON_GBM_BAD_INPUT', message: /single class/ });
  });
  test('refuses predict before fit and bad options', () => {
    assert.throws(() => gradientBoosting().predict(numeric), { code: 'LEPTON_GBM_NOT_FITTED' });
    assert.throws(() => gradientBoosting({ learningRate: -1 }), {
      code: 'LEPTON_GBM_BAD_INPUT',
      message: /learningRate/,
    });
    assert.throws(() => gradientBoosting({ bins: 300 }), { message: /at most 255/ });
  });
});

describe('gradientBoosting JSON', () => {
  test('round-trips a fitted classifier with its encoder: same probabilities, same display', () => {
    const df = penguins();
    const gbm = gradientBoosting({ trees: 20, encoder: labelEncoder({ columns: ['Island', 'Sex'] }) }).fit(
      df,
      'Species',
    );
    const text = JSON.stringify(gbm);
    const back = gradientBoosting.fromJSON(text);
    assert.deepEqual(back.predictProba(df).arraySync(), gbm.predictProba(df).arraySync());
    assert.deepEqual(back.predict(df), gbm.predict(df));
    assert.equal(String(back), String(gbm));
    assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(text));
  });
  test('refuses JSON that is not a saved model', () => {
    assert.throws(() => gradientBoosting.fromJSON('{"format":"other"}'), {
      code: 'LEPTON_GBM_BAD_JSON',
      message: /lepton.gradientBoosting/,
    });
    assert.throws(() => gradientBoosting.fromJSON('not json'), { code: 'LEPTON_GBM_BAD_JSON' });
  });
});

describe('gradientBoosting display', () => {
  test('shows trees, depth and a bar chart of the top feature importances', () => {
    const gbm = gradientBoosting({ trees: 10, depth: 3 }).fit(
      penguins().select('Species', 'Beak Length (mm)', 'Flipper Length (mm)'),
      'Species',
    );
    const bundle = gbm[displaySymbol]();
    assert.match(String(bundle['text/plain']), /30 trees \(10 iterations\), depth ≤ 3/);
    assert.match(String(bundle['text/html']), /<svg[\s\S]*Flipper Length/);
  });
});

describe('gradientBoosting in lepton.explain', () => {
  const numeric = penguins()
    .select('Species', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)')
    .filter((d: Record<string, unknown>) => d['Beak Length (mm)'] != null);
  const features = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)'];
  const gbm = gradientBoosting({ trees: 20, seed: 0 }).fit(numeric, 'Species');
  const x = numeric.toTensor(features);
  const y = tf.tensor1d(
    gbm.predict(numeric).map((s) => gbm.classes.indexOf(s)),
    'int32',
  );
  test('permutationImportance scores its probabilities by accuracy and finds the features it splits on', () => {
    const result = permutationImportance(gbm, { x, y }, { featureNames: features, repeats: 2 });
    assert.equal(result.metric, 'accuracy');
    assert.equal(result.baseline, 1);
    assert.ok(result.importances[0]!.mean > 0.1);
  });
  test('partialDependence gives one curve per class', () => {
    const pd = partialDependence(gbm, numeric, 'Flipper Length (mm)', {
      x: features,
      classNames: gbm.classes.map(String),
      gridSize: 5,
    });
    assert.deepEqual(pd.outputs, ['Adelie', 'Chinstrap', 'Gentoo']);
    assert.ok(pd.values.length === 5);
  });
});
