import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DataFrame } from '../data/frame.js';
import { displaySymbol } from '../display/mime.js';
import { naive, mean } from '../baselines/index.js';
import { linear } from '../models/linear.js';
import { windows } from '../preprocess/windows.js';
import { crossValidate } from './index.js';
import { timeSeriesSplit } from './time-series-split.js';

// A noisy sine: the naive forecast is decent, the mean forecast poor.
const values = Array.from({ length: 300 }, (_, i) => Math.sin(i / 8) * 10 + ((i * 7919) % 13) / 13);
const w = windows(DataFrame.from({ v: values }), { features: ['v'], target: 'v', inputWidth: 8 });
const n = w.x.shape[0];

describe('crossValidate', () => {
  test('scores any { fit, predict } model per walk-forward fold with mean ± std', async () => {
    const cv = await crossValidate(() => naive(w.spec), w, {
      splitter: timeSeriesSplit(n, { folds: 4 }),
      metrics: ['mae', 'mase'],
      live: false,
    });
    assert.equal(cv.status, 'finished');
    assert.deepEqual(
      cv.folds.map((f) => [f.trainRows, f.testRows]),
      [
        [60, 58],
        [118, 58],
        [176, 58],
        [234, 58],
      ],
    );
    const s = cv.summary('mae');
    const maes = cv.folds.map((f) => f.scores.mae!);
    assert.ok(Math.abs(s.mean - maes.reduce((a, b) => a + b) / 4) < 1e-12);
    assert.ok(s.std > 0);
    const html = String(cv[displaySymbol]()['text/html']);
    assert.match(html, /mean ± std/);
    assert.match(html, /<svg/);
    const worse = await crossValidate(() => mean(), w, {
      splitter: timeSeriesSplit(n, { folds: 4 }),
      metrics: ['mae'],
      live: false,
    });
    assert.ok(worse.mean('mae') > cv.mean('mae'), 'the mean forecast beats the naive one on a smooth series');
  });
  test('trains a fresh, seeded tfjs model per fold with lepton.fit', async () => {
    const built: number[] = [];
    const run = () =>
      crossValidate(
        ({ seed }) => {
          built.push(seed);
          return linear({ inputs: [8, 1], seed, learningRate: 0.05 });
        },
        w,
        {
          folds: 3,
          seed: 10,
          fit: { epochs: 5, seed: 1 },
          metrics: { worst: (t, p) => tf.tidy(() => t.sub(p).abs().max().dataSync()[0]!) },
          live: false,
        },
      );
    const a = await run();
    const b = await run();
    assert.deepEqual(built, [10, 11, 12, 10, 11, 12]);
    assert.deepEqual(
      a.folds.map((f) => f.scores.worst),
      b.folds.map((f) => f.scores.worst),
      'seeded folds repeat exactly',
    );
    assert.equal(crossValidate.last(), b);
  });
  test('refuses folds made for other data, and a build that returns no model', async () => {
    await assert.rejects(
      crossValidate(() => naive(), w, { splitter: timeSeriesSplit(n + 50, { folds: 2 }), live: false }),
      { code: 'LEPTON_BAD_CV', message: /make the folds for this data/ },
    );
    await assert.rejects(
      crossValidate(() => null as never, w, { live: false }),
      { code: 'LEPTON_BAD_CV', message: /fit\(x, y\) and predict\(x\)/ },
    );
    await assert.rejects(
      crossValidate(() => naive(), w, { metrics: ['smape' as never], live: false }),
      { code: 'LEPTON_BAD_CV', message: /unknown metric "smape"/ },
    );
  });
});
