import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DataFrame } from '../data/frame.js';
import { splitIndices, trainTestSplit } from './split.js';

const frame = DataFrame.from({
  i: Array.from({ length: 100 }, (_, i) => i),
  label: Array.from({ length: 100 }, (_, i) => (i < 80 ? 'common' : 'rare')),
});

test('trainTestSplit splits a frame into disjoint parts covering every row, the same for the same seed', () => {
  const { train, test: held } = trainTestSplit(frame, { testSize: 0.2, seed: 3 });
  assert.ok(train instanceof DataFrame);
  assert.deepEqual([train.numRows(), held.numRows()], [80, 20]);
  const all = [...(train.array('i') as number[]), ...(held.array('i') as number[])].sort((a, b) => a - b);
  assert.deepEqual(
    all,
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.deepEqual(trainTestSplit(frame, { testSize: 0.2, seed: 3 }).test.array('i'), held.array('i'));
  assert.notDeepEqual(trainTestSplit(frame, { testSize: 0.2, seed: 4 }).test.array('i'), held.array('i'));
});

test('stratify keeps class proportions in both parts', () => {
  const { train, test: held } = trainTestSplit(frame, { testSize: 0.25, stratify: 'label', seed: 1 });
  assert.equal(held.filter((d: Record<string, unknown>) => d.label === 'rare').numRows(), 5);
  assert.equal(train.filter((d: Record<string, unknown>) => d.label === 'rare').numRows(), 15);
  assert.equal(held.numRows(), 25);
});

test('tensors that share their first axis are split the same way, stratified by one-hot labels', () => {
  const xs = tf.tensor2d(Array.from({ length: 40 }, (_, i) => [i, i]));
  const ys = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 1 : 0)),
      'int32',
    ),
    2,
  );
  const {
    train: [xTrain, yTrain],
    test: [xTest, yTest],
  } = trainTestSplit([xs, ys], { testSize: 0.25, stratify: ys, seed: 2 });
  assert.deepEqual(
    [xTrain.shape, xTest.shape, yTest.shape],
    [
      [30, 2],
      [10, 2],
      [10, 2],
    ],
  );
  const testIds = Array.from(xTest.slice([0, 0], [-1, 1]).dataSync());
  const testLabels = Array.from(yTest.argMax(1).dataSync());
  testIds.forEach((id, k) => assert.equal(testLabels[k], id % 4 === 0 ? 1 : 0, 'rows stay aligned with their labels'));
  assert.equal(
    testLabels.filter((l) => l === 1).length,
    3,
    'a quarter of the 10 rare rows, rounded by largest remainder',
  );
  for (const t of [xs, ys, xTrain, yTrain, xTest, yTest]) t.dispose();
});

test('bad sizes, empty data and mismatched tensors are clear errors', () => {
  assert.throws(() => splitIndices(10, { testSize: 1.5 }), /testSize must be a fraction in \(0, 1\) or a whole number/);
  assert.throws(() => splitIndices(10, { testSize: 10 }), /leaves no rows to train on/);
  assert.throws(() => trainTestSplit(frame.filter(() => false)), /the frame has no rows/);
  assert.throws(() => trainTestSplit(frame, { stratify: 'lable' }), /did you mean "label"/);
  const a = tf.zeros([4, 2]);
  const b = tf.zeros([5]);
  assert.throws(() => trainTestSplit([a, b]), /tensor 0 has 4 rows, tensor 1 has 5/);
  a.dispose();
  b.dispose();
});
