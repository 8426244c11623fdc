import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DataFrame } from '../data/frame.js';
import { seededRandom } from '../core/random.js';
import { displaySymbol } from '../display/mime.js';
import { vegaLiteMime } from '../plot/chart.js';
import { permutationImportance } from './permutation.js';

/** 400 samples of 3 features; the label is 1 exactly when feature 0 is positive. */
function task(n = 400) {
  const random = seededRandom(7);
  const x = Array.from({ length: n }, () => [random() * 2 - 1, random() * 2 - 1, random() * 2 - 1]);
  const y = x.map((row) => (row[0]! > 0 ? 1 : 0));
  return { x, y };
}

/** A logistic model that uses feature 0 (and a small weight on feature 1, which carries no signal). */
function model(): tf.Sequential {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3], activation: 'sigmoid' })] });
  m.setWeights([tf.tensor2d([[12], [0.05], [0]]), tf.tensor1d([0])]);
  return m;
}

test('permutation importance: the informative feature drops a lot, noise ~0', () => {
  const { x, y } = task();
  const result = permutationImportance(
    model(),
    { x, y },
    { repeats: 5, seed: 1, featureNames: ['signal', 'noise', 'unused'] },
  );
  assert.equal(result.metric, 'accuracy');
  assert.ok(result.baseline > 0.95, `baseline ${result.baseline}`);
  assert.equal(result.importances[0]!.feature, 'signal');
  assert.ok(result.importances[0]!.mean > 0.3, `signal drop ${result.importances[0]!.mean}`);
  const noise = result.importances.find((f) => f.feature === 'noise')!;
  assert.ok(Math.abs(noise.mean) < 0.05, `noise drop ${noise.mean}`);
  assert.equal(result.importances.find((f) => f.feature === 'unused')!.mean, 0);
  // Seeded: the same result again.
  assert.deepEqual(
    permutationImportance(model(), { x, y }, { repeats: 5, seed: 1 }).importances.map((f) => f.mean),
    result.importances.map((f) => f.mean),
  );
  const bundle = result[displaySymbol]();
  assert.ok(bundle[vegaLiteMime]);
  assert.match(bundle['image/svg+xml'] as string, /^<svg/);
  assert.match(bundle['text/html'] as string, /signal/);
});

test('permutation importance takes a DataFrame with x/y columns and names features after them', () => {
  const { x, y } = task(200);
  const df = DataFrame.from({ a: x.map((r) => r[0]!), b: x.map((r) => r[1]!), c: x.map((r) => r[2]!), label: y });
  const result = permutationImportance(model(), df, { x: ['a', 'b', 'c'], y: 'label', repeats: 2 });
  assert.equal(result.importances[0]!.feature, 'a');
});

test('mse is used for regression, as the rise in error', () => {
  const { x } = task(200);
  const y = x.map((r) => r[0]! * 3);
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });
  m.setWeights([tf.tensor2d([[3], [0], [0]]), tf.tensor1d([0])]);
  const result = permutationImportance(m, { x, y }, { repeats: 3 });
  assert.equal(result.metric, 'mse');
  assert.ok(result.baseline < 1e-6);
  assert.equal(result.importances[0]!.feature, 'x0');
  assert.ok(result.importances[0]!.mean > 1);
});

test('clear errors for data that does not fit the model', () => {
  const { x, y } = task(20);
  assert.throws(
    () => permutationImportance(model(), { x: x.map((r) => r.slice(0, 2)), y }),
    /model expects 3 features but x has 2/,
  );
  assert.throws(
    () => permutationImportance(model(), { x: tf.zeros([20, 3, 1]), y }),
    /x must be 2-D \[samples, features\].*\[20, 3, 1\]/,
  );
  assert.throws(
    () => permutationImportance(model(), { x, y }, { featureNames: ['a'] }),
    /1 feature names for 3 features/,
  );
  assert.throws(() => permutationImportance({} as never, { x, y }), /expected a tfjs model/);
});

test('permutation importance of a trained model: feature 0 matters, pure noise does not', async () => {
  const { x, y } = task();
  const seeded = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [3], activation: 'relu', ...seeded(1) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', ...seeded(2) }),
    ],
  });
  m.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- tfjs does not export its ModelLoggingVerbosity enum, whose SILENT is 0
  await m.fit(tf.tensor2d(x), tf.tensor1d(y), { epochs: 40, batchSize: 64, shuffle: false, verbose: 0 });
  const result = permutationImportance(m, { x, y }, { repeats: 5, seed: 3 });
  assert.equal(result.importances[0]!.feature, 'x0');
  assert.ok(result.importances[0]!.mean > 0.3, `x0 drop ${result.importances[0]!.mean}`);
  for (const f of result.importances.slice(1)) assert.ok(Math.abs(f.mean) < 0.05, `${f.feature} drop ${f.mean}`);
});
