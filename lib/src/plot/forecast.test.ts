import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { displaySymbol } from '../display/mime.js';
import { forecast } from './forecast.js';

describe('plot.forecast', () => {
  const times = Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(2020, 0, 1 + i)));
  const actual = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  test('draws actual and forecasts over time, the boundary at the first forecast, and residuals', () => {
    const chart = forecast({ times, actual, predicted: { naive: [6, 7, 8] } });
    const spec = chart.spec as unknown as {
      vconcat: {
        layer: { data?: { values: Record<string, unknown>[] } }[];
        data?: { values: Record<string, unknown>[] };
      }[];
    };
    assert.equal(spec.vconcat[0]!.layer[0]!.data!.values.length, 13);
    assert.equal(spec.vconcat[0]!.layer[1]!.data!.values[0]!.time, '2020-01-08T00:00:00.000Z');
    assert.deepEqual(
      spec.vconcat[1]!.data!.values.map((r) => r.residual),
      [2, 2, 2],
    );
    assert.match(String(chart[displaySymbol]()['image/svg+xml']), /^<svg/);
  });
  test('refuses times that do not match the values', () => {
    assert.throws(() => forecast({ times: times.slice(0, 3), actual, predicted: {} }), {
      code: 'LEPTON_BAD_ARGUMENT',
      message: /3 times but 10 actual values/,
    });
  });
});
