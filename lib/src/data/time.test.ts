import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataFrame } from './frame.js';
import { permutation, seededRandom } from '../core/random.js';
import type { ResampleAgg } from './time.js';

/** What pandas computed on the same rows (../validate/fixtures/make_timeseries_fixtures.py, committed). */
interface ResampleCase {
  freq: string;
  agg: ResampleAgg;
  timeZone: string | null;
  dates: number[];
  columns: Record<string, (number | null)[]>;
}

/** The parts of the layout make_timeseries_fixtures.py writes that these tests read. */
interface SeriesFixture {
  resample: { rows: { dates: number[]; value: (number | null)[]; count: number[] }; cases: ResampleCase[] };
  rolling: {
    values: (number | null)[];
    cases: { window: number; op: 'mean'; expected: (number | null)[] }[];
    lags: { k: number; expected: (number | null)[] }[];
  };
}

/** Checks the sections the tests read, so that a regenerated file with another layout fails here, by name. */
function isSeriesFixture(value: unknown): value is SeriesFixture {
  if (typeof value !== 'object' || value === null) return false;
  const { resample, rolling } = value as Partial<Record<string, Partial<Record<string, unknown>>>>;
  return (
    Array.isArray(resample?.cases) &&
    typeof resample.rows === 'object' &&
    Array.isArray(rolling?.values) &&
    Array.isArray(rolling.cases) &&
    Array.isArray(rolling.lags)
  );
}

const parsed: unknown = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../src/validate/fixtures/timeseries.json', import.meta.url)), 'utf8'),
);
assert.ok(
  isSeriesFixture(parsed),
  'timeseries.json lacks a section; rerun ../validate/fixtures/make_timeseries_fixtures.py',
);
const fx = parsed;

const same = (actual: ArrayLike<unknown>, expected: (number | null)[], label: string) => {
  assert.equal(actual.length, expected.length, `${label}: ${actual.length} rows, pandas ${expected.length}`);
  expected.forEach((e, i) => {
    const a = actual[i] as number | null;
    if (e === null) assert.ok(a === null || Number.isNaN(a), `${label}[${i}]: ${a}, pandas NaN`);
    else assert.ok(typeof a === 'number' && Math.abs(a - e) < 1e-9, `${label}[${i}]: ${a}, pandas ${e}`);
  });
};

describe('resample gives the bins and values pandas gives', () => {
  const rows = fx.resample.rows;
  const frame = DataFrame.from({ date: rows.dates.map((t) => new Date(t)), value: rows.value, count: rows.count });
  for (const c of fx.resample.cases) {
    test(`${c.freq} ${c.agg}${c.timeZone ? ` in ${c.timeZone}` : ''} (the two-day gap kept as empty bins)`, () => {
      const out = frame.resample('date', c.freq, { agg: c.agg, ...(c.timeZone ? { timeZone: c.timeZone } : {}) });
      assert.deepEqual(
        (out.array('date') as Date[]).map((d) => d.toISOString()),
        c.dates.map((t) => new Date(t).toISOString()),
      );
      for (const column of ['value', 'count'])
        same(out.array(column) as ArrayLike<unknown>, c.columns[column]!, column);
    });
  }
  test('rows out of time order give the same bins as sorted rows (sorted series take the run-of-rows path)', () => {
    const order = permutation(frame.numRows(), seededRandom(7));
    const shuffled = DataFrame.from({
      date: Array.from(order, (i): unknown => frame.get('date', i)),
      value: Array.from(order, (i): unknown => frame.get('value', i)),
      count: Array.from(order, (i): unknown => frame.get('count', i)),
    });
    for (const freq of ['1H', '6H', '15min', '1D']) {
      for (const agg of ['sum', 'mean', 'min', 'max', 'first', 'last', 'count'] as ResampleAgg[]) {
        const [a, b] = [frame.resample('date', freq, { agg }), shuffled.resample('date', freq, { agg })];
        assert.deepEqual(b.array('date'), a.array('date'), `${freq} ${agg} dates`);
        // Sums in another row order may differ in the last bits; every other value is identical.
        for (const column of ['value', 'count']) {
          const expected = Array.from(a.array(column) as ArrayLike<number | null>, (v) =>
            v === null || Number.isNaN(v) ? null : v,
          );
          same(b.array(column) as ArrayLike<unknown>, expected, `${freq} ${agg} ${column}`);
        }
      }
    }
  });
  test('a string column is refused for mean, naming the fix', () => {
    const f = DataFrame.from({ date: [new Date(0)], weather: ['rain'] });
    assert.throws(() => f.resample('date', '1D'), {
      code: 'LEPTON_BAD_ARGUMENT',
      message: /'first', 'last' or 'count'/,
    });
  });
  test('an unknown frequency lists the known ones', () => {
    assert.throws(() => frame.resample('date', '1Q'), {
      code: 'LEPTON_BAD_ARGUMENT',
      message: /'1M' \(calendar months\)/,
    });
  });
});

describe('rolling and lag give what pandas gives', () => {
  const values = fx.rolling.values;
  const frame = DataFrame.from({ v: values });
  for (const c of fx.rolling.cases) {
    test(`rolling(${c.window}).${c.op}() (a missing value spoils its windows)`, () => {
      const out = frame.rolling('v', c.window, c.op);
      same(out.array(`v_${c.op}_${c.window}`) as ArrayLike<unknown>, c.expected, `rolling ${c.op}`);
    });
  }
  for (const c of fx.rolling.lags) {
    test(`lag(${c.k}) equals shift(${c.k})`, () =>
      same(frame.lag('v', c.k).array(`v_lag_${c.k}`) as ArrayLike<unknown>, c.expected, `lag ${c.k}`));
  }
});

describe('gaps', () => {
  test('lists each run of missing days with its length', () => {
    const days = [1, 2, 5, 6, 7, 10].map((d) => new Date(Date.UTC(2021, 0, d)));
    const g = DataFrame.from({ date: days }).gaps('date', '1D');
    assert.deepEqual(
      (g.array('from') as Date[]).map((d) => d.toISOString().slice(0, 10)),
      ['2021-01-03', '2021-01-08'],
    );
    assert.deepEqual(
      (g.array('to') as Date[]).map((d) => d.toISOString().slice(0, 10)),
      ['2021-01-04', '2021-01-09'],
    );
    assert.deepEqual(Array.from(g.array('missing') as number[]), [2, 2]);
  });
  test('is empty for a whole series', () => {
    const days = [1, 2, 3].map((d) => new Date(Date.UTC(2021, 0, d)));
    assert.equal(DataFrame.from({ date: days }).gaps('date', '1D').numRows(), 0);
  });
});
