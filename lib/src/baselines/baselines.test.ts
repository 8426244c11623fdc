import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DataFrame } from '../data/frame.js';
import { windows } from '../preprocess/windows.js';
import { majority, mean, naive, seasonalNaive } from './index.js';

// A series 0, 1, 2, …: every baseline's forecast can be worked out by hand.
const frame = DataFrame.from({
  other: Array.from({ length: 20 }, (_, i) => -i),
  v: Array.from({ length: 20 }, (_, i) => i),
});

describe('forecasting baselines', () => {
  test('naive repeats the last observed target for every label', () => {
    const w = windows(frame, { features: ['other', 'v'], target: 'v', inputWidth: 4, labelWidth: 2, shift: 3 });
    const p = naive(w.spec).fit(w.x, w.y).predict(w.x);
    assert.deepEqual(p.shape, [w.x.shape[0], 2]);
    assert.deepEqual(Array.from(p.dataSync().slice(0, 4)), [3, 3, 4, 4]);
  });
  test('seasonalNaive takes the target one season before each label', () => {
    const w = windows(frame, { features: ['v'], target: 'v', inputWidth: 7, labelWidth: 2, shift: 2 });
    // Window 0: inputs 0..6, labels at rows 7 and 8; a season of 7 reads rows 0 and 1.
    assert.deepEqual(
      Array.from(
        seasonalNaive({ season: 7, ...w.spec })
          .fit(w.x, w.y)
          .predict(w.x)
          .dataSync()
          .slice(0, 2),
      ),
      [0, 1],
    );
  });
  test('seasonalNaive says how wide the windows must be for its season', () => {
    const w = windows(frame, { features: ['v'], target: 'v', inputWidth: 3 });
    assert.throws(() => seasonalNaive({ season: 7, ...w.spec }).predict(w.x), {
      code: 'LEPTON_BASELINE',
      message: /inputWidth ≥ 7/,
    });
  });
  test("mean forecasts the training labels' mean, and needs fit first", () => {
    const x = tf.zeros([3, 2, 1]);
    assert.throws(() => mean().predict(x), { code: 'LEPTON_BASELINE', message: /call fit/ });
    assert.deepEqual(
      Array.from(
        mean()
          .fit(x, tf.tensor2d([[1], [2], [6]]))
          .predict(x)
          .dataSync(),
      ),
      [3, 3, 3],
    );
  });
  test('naive refuses windows without the target among the features', () => {
    const w = windows(frame, { features: ['other'], target: 'v', inputWidth: 3 });
    assert.throws(() => naive(w.spec).predict(w.x), { message: /include the target column in features/ });
  });
});

describe('majority', () => {
  test('predicts the most frequent training class, from ids or one-hot rows', () => {
    const x = tf.zeros([5, 1]);
    assert.deepEqual(
      Array.from(
        majority()
          .fit(x, tf.tensor1d([2, 1, 2, 0, 2], 'int32'))
          .predict(tf.zeros([2, 1]))
          .dataSync(),
      ),
      [2, 2],
    );
    assert.equal(majority().fit(x, tf.oneHot(tf.tensor1d([1, 1, 0, 2, 1], 'int32'), 3)).classLabel, 1);
  });
});
