import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTransforms } from '@lepton/server/preprocess';
import { DataFrame } from '../data/frame.js';
import { dateFeatures } from './date-features.js';
import { fromJSON } from './transform.js';

const frame = DataFrame.from({
  date: ['2021-01-04T00:00:00Z', '2021-07-01T18:00:00Z', '2020-12-31T23:00:00Z'].map((s) => new Date(s)),
  v: [1, 2, 3],
});

describe('dateFeatures', () => {
  test("plain features are pandas' dayofweek (Monday 0), dayofyear, month and hour", () => {
    const out = dateFeatures({ column: 'date', cyclical: false }).fitTransform(frame);
    assert.deepEqual(Array.from(out.array('date_dayOfWeek') as ArrayLike<number>), [0, 3, 3]);
    assert.deepEqual(Array.from(out.array('date_dayOfYear') as ArrayLike<number>), [4, 182, 366]);
    assert.deepEqual(Array.from(out.array('date_month') as ArrayLike<number>), [1, 7, 12]);
    assert.deepEqual(Array.from(out.array('date_hour') as ArrayLike<number>), [0, 18, 23]);
  });
  test('cyclical features put the end of a cycle next to its start', () => {
    const out = dateFeatures({ column: 'date', features: ['hour'] }).fitTransform(frame);
    const [sin, cos] = [
      out.array('date_hour_sin') as ArrayLike<number>,
      out.array('date_hour_cos') as ArrayLike<number>,
    ];
    assert.ok(Math.abs(sin[0]!) < 1e-12 && Math.abs(cos[0]! - 1) < 1e-12, 'midnight is angle 0');
    assert.ok(Math.hypot(sin[2]! - sin[0]!, cos[2]! - cos[0]!) < 0.27, '23:00 sits next to midnight');
  });
  test("follows a time zone's calendar", () => {
    const out = dateFeatures({
      column: 'date',
      features: ['hour', 'dayOfWeek'],
      cyclical: false,
      timeZone: 'America/New_York',
    }).fitTransform(frame);
    assert.deepEqual(Array.from(out.array('date_hour') as ArrayLike<number>), [19, 14, 18]);
    assert.deepEqual(Array.from(out.array('date_dayOfWeek') as ArrayLike<number>), [6, 3, 3]);
  });
  test('round-trips through JSON and the server computes the same numbers from raw records', () => {
    const fitted = dateFeatures({ column: 'date', features: ['dayOfYear', 'month'] }).fit(frame);
    const restored = fromJSON(JSON.stringify(fitted.toJSON()));
    const features = ['v', 'date_dayOfYear_sin', 'date_dayOfYear_cos', 'date_month_sin', 'date_month_cos'];
    const local = restored.transform(frame).toTensor(features).dataSync();
    const server = compileTransforms([fitted.toJSON()], { features }).apply([
      { date: '2021-01-04T00:00:00Z', v: 1 },
      { date: Date.parse('2021-07-01T18:00:00Z'), v: 2 },
      { date: '2020-12-31T23:00:00Z', v: 3 },
    ]);
    Array.from(local).forEach((v, i) =>
      assert.ok(Math.abs(v - server[i]!) < 1e-6, `value ${i}: ${v} vs server ${server[i]}`),
    );
  });
  test('refuses an unknown feature and a non-date value with the fix', () => {
    assert.throws(() => dateFeatures({ column: 'date', features: ['week' as never] }), {
      code: 'LEPTON_BAD_ARGUMENT',
      message: /dayOfWeek, dayOfYear, month, hour/,
    });
    assert.throws(() => dateFeatures({ column: 'v' }).fit(DataFrame.from({ v: [true] })), {
      code: 'LEPTON_TYPE_MISMATCH',
    });
    const step = dateFeatures({ column: 'date' }).fit(frame).toJSON();
    assert.throws(() => compileTransforms([step], { features: ['date_month_sin'] }).apply([{ date: 'soon' }]), {
      code: 'LEPTON_BAD_RECORD',
    });
  });
});
