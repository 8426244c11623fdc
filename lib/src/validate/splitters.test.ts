import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { DataFrame } from '../data/frame.js';
import { windows } from '../preprocess/windows.js';
import { kFold } from './kfold.js';
import { timeSeriesSplit } from './time-series-split.js';
import { timeSplit } from './time-split.js';
import type { Fold } from './folds.js';

/** Folds scikit-learn made on the same inputs (fixtures/make_timeseries_fixtures.py, committed). */
type Expected = { train: number[]; test: number[] }[];

/** The layout fixtures/make_timeseries_fixtures.py writes. */
interface SplitFixture {
  kfold: { n: number; folds: number; expected: Expected }[];
  stratified: { labels: unknown[]; folds: number; expected: Expected }[];
  timeSeriesSplit: { n: number; options: Record<string, number>; expected: Expected }[];
}

/** Checks the case lists the tests read, so that a regenerated file with another layout fails here, by name. */
function isSplitFixture(value: unknown): value is SplitFixture {
  if (typeof value !== 'object' || value === null) return false;
  const lists = value as Record<string, unknown>;
  return ['kfold', 'stratified', 'timeSeriesSplit'].every((k) => Array.isArray(lists[k]));
}

const parsed: unknown = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../src/validate/fixtures/timeseries.json', import.meta.url)), 'utf8'),
);
assert.ok(
  isSplitFixture(parsed),
  'fixtures/timeseries.json lacks a case list; rerun fixtures/make_timeseries_fixtures.py',
);
const fx = parsed;
const plain = (folds: Fold[]) => folds.map((f) => ({ train: Array.from(f.train), test: Array.from(f.test) }));

describe('splitters give the folds scikit-learn gives', () => {
  for (const c of fx.kfold) {
    test(`kFold(${c.n}, { folds: ${c.folds} }) equals KFold(${c.folds})`, () =>
      assert.deepEqual(plain(kFold(c.n, { folds: c.folds })), c.expected));
  }
  for (const c of fx.stratified) {
    test(`kFold stratified by ${c.labels.length} labels in ${c.folds} folds equals StratifiedKFold(${c.folds})`, () => {
      assert.deepEqual(plain(kFold(c.labels.length, { folds: c.folds, stratify: c.labels })), c.expected);
    });
  }
  for (const c of fx.timeSeriesSplit) {
    test(`timeSeriesSplit(${c.n}, ${JSON.stringify(c.options)}) equals TimeSeriesSplit`, () =>
      assert.deepEqual(plain(timeSeriesSplit(c.n, c.options)), c.expected));
  }
});

describe('kFold shuffled with a seed', () => {
  test('is the same for the same seed, covers every row once, and differs for another seed', () => {
    const a = plain(kFold(50, { folds: 5, seed: 3 }));
    assert.deepEqual(a, plain(kFold(50, { folds: 5, seed: 3 })));
    assert.deepEqual(
      a.flatMap((f) => f.test).sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.notDeepEqual(a, plain(kFold(50, { folds: 5, seed: 4 })));
  });
  test('stratified and shuffled keeps each class share per fold', () => {
    const labels = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 'rare' : 'common'));
    for (const f of kFold(40, { folds: 5, stratify: labels, seed: 1 }))
      assert.equal(Array.from(f.test).filter((i) => labels[i] === 'rare').length, 2);
  });
});

describe('splitters refuse what cannot be split, naming the fix', () => {
  test('more folds than rows', () =>
    assert.throws(() => kFold(3, { folds: 5 }), { code: 'LEPTON_BAD_SPLIT', message: /ask for fewer folds/ }));
  test('a gap that leaves nothing to train on', () =>
    assert.throws(() => timeSeriesSplit(10, { folds: 4, gap: 3 }), {
      code: 'LEPTON_BAD_SPLIT',
      message: /leave no rows to train/,
    }));
  test('labels that do not match the rows', () =>
    assert.throws(() => kFold(4, { folds: 2, stratify: [1, 2] }), {
      code: 'LEPTON_BAD_SPLIT',
      message: /2 labels for 4 rows/,
    }));
});

describe('timeSplit', () => {
  const frame = DataFrame.from({
    date: Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(2020, 0, 1 + i))),
    v: Array.from({ length: 10 }, (_, i) => i),
  });
  test('keeps the last rows for testing, in order', () => {
    const { train, test: held } = timeSplit(frame, { testSize: 0.3 });
    assert.deepEqual(train.array('v'), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(held.array('v'), [7, 8, 9]);
  });
  test('splits at a date', () => {
    const { train, test: held } = timeSplit(frame, { at: '2020-01-04' });
    assert.equal(train.numRows(), 3);
    assert.equal((held.get('date', 0) as Date).toISOString(), '2020-01-04T00:00:00.000Z');
  });
  test('refuses a frame out of time order, telling how to sort it', () => {
    assert.throws(() => timeSplit(frame.orderby(((d: { v: number }) => -d.v) as never), { at: '2020-01-04' }), {
      code: 'LEPTON_BAD_SPLIT',
      message: /orderby\('date'\)/,
    });
  });
  test('splits windows by count or by the time of their last label, keeping their geometry and times', () => {
    const w = windows(frame, { features: ['v'], target: 'v', inputWidth: 2, dateColumn: 'date' });
    const byCount = timeSplit(w, { testSize: 3 });
    assert.deepEqual(Array.from(byCount.test.y.dataSync()), [7, 8, 9]);
    assert.deepEqual(byCount.train.x.shape, [5, 2, 1]);
    assert.equal(byCount.test.spec, w.spec);
    const byDate = timeSplit(w, { at: '2020-01-09' });
    assert.deepEqual(Array.from(byDate.test.y.dataSync()), [8, 9]);
    assert.equal(byDate.test.times![0]!.toISOString(), '2020-01-09T00:00:00.000Z');
    const plain = windows(frame, { features: ['v'], target: 'v', inputWidth: 2 });
    assert.throws(() => timeSplit(plain, { at: '2020-01-09' }), { code: 'LEPTON_BAD_SPLIT', message: /dateColumn/ });
  });
  test('splits tensors by their first axis', () => {
    const x = tf.range(0, 10).reshape([10, 1]);
    const {
      train: [a],
      test: [b],
    } = timeSplit([x], { testSize: 2 });
    assert.deepEqual(a.shape, [8, 1]);
    assert.deepEqual(Array.from(b.dataSync()), [8, 9]);
  });
});
