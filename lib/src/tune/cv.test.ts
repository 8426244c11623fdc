import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { linear } from '../models/linear.js';
import { timeSeriesSplit } from '../validate/time-series-split.js';
import { tune } from './index.js';

describe('tune with cv', () => {
  test('scores each trial by the mean of its folds, building a fresh model per fold', async () => {
    const x = tf.randomUniform([120, 3], -1, 1, 'float32', 4);
    const y = tf.tidy(() => x.matMul(tf.tensor2d([[1], [-2], [0.5]])));
    let built = 0;
    const study = await tune(
      (p, trial) => {
        built++;
        return linear({ inputs: 3, learningRate: p.lr, seed: trial.seed });
      },
      { lr: tune.float(0.001, 0.3, { log: true }) },
      {
        data: { x, y },
        cv: { splitter: timeSeriesSplit(120, { folds: 3 }), metric: 'mae' },
        epochs: 4,
        trials: 3,
        strategy: 'random',
        seed: 2,
        live: false,
      },
    );
    assert.equal(study.objective, 'cv_mae');
    assert.equal(study.direction, 'min');
    assert.equal(built, 9, 'three trials of three folds');
    assert.equal(study.trials.filter((t) => t.status === 'complete').length, 3);
    const best = study.trials.reduce((a, b) => (a.value! < b.value! ? a : b));
    assert.equal(study.best.number, best.number);
    assert.ok(Number(best.params.lr) > 0.01, `the best learning rate ${best.params.lr} trains in 4 epochs`);
  });
});
