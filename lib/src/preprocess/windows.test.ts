import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { DataFrame } from '../data/frame.js';
import { windowDataset, windows } from './windows.js';

/** Windows numpy's sliding_window_view cut from the same array (../validate/fixtures/make_timeseries_fixtures.py). */
interface WindowCase {
  options: { inputWidth: number; labelWidth: number; shift: number; stride: number; target: number };
  x: number[][][];
  y: number[][];
}

/** Checks the section these tests read, so that a regenerated file with another layout fails here, by name. */
function isWindowFixture(value: unknown): value is { windows: { series: number[][]; cases: WindowCase[] } } {
  const section = (value as { windows?: Partial<Record<string, unknown>> } | null)?.windows;
  return Array.isArray(section?.series) && Array.isArray(section.cases);
}

const parsed: unknown = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../src/validate/fixtures/timeseries.json', import.meta.url)), 'utf8'),
);
assert.ok(
  isWindowFixture(parsed),
  'timeseries.json lacks windows; rerun ../validate/fixtures/make_timeseries_fixtures.py',
);
const fx = parsed;
const series = fx.windows.series;
const frame = DataFrame.from({ a: series.map((r) => r[0]!), b: series.map((r) => r[1]!), c: series.map((r) => r[2]!) });
const names = ['a', 'b', 'c'];

const close = (actual: tf.Tensor, expected: number[][] | number[][][], label: string) => {
  const want = expected.flat(2);
  const got = actual.dataSync();
  assert.equal(got.length, want.length, `${label}: ${got.length} values, numpy ${want.length}`);
  want.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-6, `${label}[${i}]: ${got[i]} vs numpy ${v}`));
};

describe('windows cut a series as numpy sliding_window_view does', () => {
  for (const c of fx.windows.cases) {
    const { target, ...geometry } = c.options;
    test(`inputWidth ${geometry.inputWidth}, labelWidth ${geometry.labelWidth}, shift ${geometry.shift}, stride ${geometry.stride}`, async () => {
      const w = windows(frame, { features: names, target: names[target]!, ...geometry });
      assert.deepEqual(w.x.shape, [c.x.length, geometry.inputWidth, 3]);
      assert.deepEqual(w.y.shape, [c.y.length, geometry.labelWidth]);
      close(w.x, c.x, 'x');
      close(w.y, c.y, 'y');
      assert.equal(w.spec.targetIndex, target);
      // The streamed dataset yields the same windows, in order, in batches.
      const batches = await windowDataset(frame, {
        features: names,
        target: names[target]!,
        ...geometry,
        batchSize: 4,
      }).toArray();
      close(tf.concat(batches.map((b) => b.xs)), c.x, 'dataset x');
      close(tf.concat(batches.map((b) => b.ys)), c.y, 'dataset y');
    });
  }
});

describe('back-to-back windows of one feature', () => {
  test('are the same as cut one by one (stride = inputWidth copies the column in one run)', () => {
    // The same column twice takes the general path; once, the contiguous one.
    const twice = DataFrame.from({ a: series.map((r) => r[0]!), b: series.map((r) => r[0]!) });
    const one = windows(twice, { features: ['a'], target: 'a', inputWidth: 4, stride: 4, labelWidth: 2, shift: 2 });
    const both = windows(twice, {
      features: ['a', 'b'],
      target: 'b',
      inputWidth: 4,
      stride: 4,
      labelWidth: 2,
      shift: 2,
    });
    assert.deepEqual(Array.from(one.x.dataSync()), Array.from(both.x.slice([0, 0, 0], [-1, -1, 1]).dataSync()));
    assert.deepEqual(Array.from(one.y.dataSync()), Array.from(both.y.dataSync()));
    assert.equal(one.x.shape[0], 7);
  });
});

describe('windows refuse what they cannot cut', () => {
  test('a hole in a column, naming the row and the fix', () => {
    const holey = DataFrame.from({ v: [1, 2, null, 4, 5, 6] });
    assert.throws(() => windows(holey, { features: ['v'], target: 'v', inputWidth: 2 }), {
      code: 'LEPTON_BAD_ARGUMENT',
      message: /missing a value at row 2; fill it first/,
    });
    // Back-to-back windows find holes while copying: in the inputs, and in a label past the last window's inputs.
    assert.throws(() => windows(holey, { features: ['v'], target: 'v', inputWidth: 2, stride: 2 }), {
      code: 'LEPTON_BAD_ARGUMENT',
      message: /"v" is missing a value at row 2/,
    });
    const lastLabel = DataFrame.from({ v: [1, 2, 3, 4, null] });
    assert.throws(() => windows(lastLabel, { features: ['v'], target: 'v', inputWidth: 2, stride: 2 }), {
      code: 'LEPTON_BAD_ARGUMENT',
      message: /"v" is missing a value at row 4/,
    });
  });
  test('a window longer than the frame', () => {
    assert.throws(() => windows(frame, { features: ['a'], target: 'a', inputWidth: 40 }), {
      message: /a window spans 41 rows .* the frame has 30/,
    });
  });
  test('an unknown column lists the available ones', () => {
    assert.throws(() => windows(frame, { features: ['z'], target: 'a', inputWidth: 3 }), {
      code: 'LEPTON_UNKNOWN_COLUMN',
    });
  });
  test("returns the time of each window's label", () => {
    const dated = DataFrame.from({
      date: [1, 2, 3, 4, 5].map((d) => new Date(Date.UTC(2020, 0, d))),
      v: [1, 2, 3, 4, 5],
    });
    const w = windows(dated, { features: ['v'], target: 'v', inputWidth: 2, dateColumn: 'date' });
    assert.deepEqual(
      w.times!.map((d) => d.toISOString().slice(0, 10)),
      ['2020-01-03', '2020-01-04', '2020-01-05'],
    );
  });
});
