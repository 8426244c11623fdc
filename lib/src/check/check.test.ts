import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataFrame } from '../data/frame.js';
import { displaySymbol } from '../display/mime.js';
import { check } from './index.js';
import { countDuplicates } from './scan.js';

const frame = () =>
  DataFrame.from({
    a: [1, 2, null, 4, 5, 1, 2, 3, 4, 1000],
    b: [2, 4, 6, 8, 10, 2, 4, 6, 8, 10],
    c: [2.1, 3.9, 6.2, 7.8, 10.1, 2.1, 3.9, 6.2, 7.8, 10.1],
    k: ['x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
    s: ['p', null, 'q', 'p', 'q', 'p', null, 'q', 'p', 'q'],
  });

test('missing values and duplicated rows are counted exactly', () => {
  const json = check(frame()).toJSON();
  const col = (n: string) => json.columnReports.find((c) => c.name === n)!;
  assert.equal(col('a').missing, 1);
  assert.equal(col('s').missing, 2);
  assert.equal(col('s').missingShare, 0.2);
  assert.equal(col('b').missing, 0);
  assert.equal(col('b').distinct, 5);
  // Rows 5, 6 and 8 repeat rows 0, 1 (with its null) and 3; row 7 differs from row 2 only where row 2 is null.
  assert.equal(json.duplicateRows, 3);
  assert.equal(json.duplicateRows, frame().numRows() - frame().dedupe().numRows());
  const missing = json.findings.find((f) => f.kind === 'missing' && f.columns[0] === 'a')!;
  assert.match(missing.fix, /lepton\.preprocess\.imputer\(\{ columns: \["a"\], strategy: 'median' \}\)/);
  assert.ok(json.findings.some((f) => f.kind === 'duplicates' && f.fix === 'df = df.dedupe()'));
});

test('duplicate counting compares values, not only hashes', () => {
  assert.equal(
    countDuplicates(
      [
        [1, 1, 2, null, null, NaN],
        ['a', 'a', 'a', 'b', 'b', 'b'],
      ],
      6,
    ),
    3,
  );
  assert.equal(countDuplicates([Float64Array.of(0, -0, 1)], 3), 1);
});

test('an outlier, a constant column and a correlated pair are found', () => {
  const report = check(frame());
  const json = report.toJSON();
  const outlier = json.outliers.find((o) => o.column === 'a')!;
  assert.equal(outlier.count, 1);
  assert.deepEqual(outlier.examples, [1000]);
  assert.ok(
    json.findings.some((f) => f.kind === 'constant' && f.columns[0] === 'k' && f.fix === 'df = df.select(aq.not("k"))'),
  );
  assert.ok(json.correlated.some((c) => c.a === 'b' && c.b === 'c' && c.r > 0.99));
  const html = report[displaySymbol]()['text/html'] as string;
  for (const part of ['Findings', 'Columns', 'Outliers', 'correlated', 'aq.not(&quot;k&quot;)'])
    assert.ok(html.includes(part), part);
});

test('a leaking column is flagged with its fix, and class balance is reported', () => {
  const n = 300;
  const label = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 'rare' : i % 2 ? 'yes' : 'no'));
  const df = DataFrame.from({
    label,
    leak: label.map((l) => `code-${l}`),
    noise: Array.from({ length: n }, (_, i) => (i * 7919) % 13),
  });
  const json = check(df, { target: 'label' }).toJSON();
  const leak = json.findings.find((f) => f.kind === 'leakage')!;
  assert.deepEqual(leak.columns, ['leak']);
  assert.equal(leak.fix, 'df = df.select(aq.not("leak"))');
  assert.ok(!json.leakage.some((l) => l.column === 'noise'));
  assert.equal(
    json.classBalance!.reduce((a, c) => a + c.count, 0),
    n,
  );
  assert.equal(json.classBalance!.find((c) => c.value === 'rare')!.count, 30);
});

test('a numeric target flags a feature with |r| ≥ 0.98', () => {
  const y = Array.from({ length: 100 }, (_, i) => i * 1.5);
  const df = DataFrame.from({
    y,
    twin: y.map((v, i) => v * 2 + (i % 2) * 0.01),
    other: y.map((_, i) => (i * 37) % 11),
  });
  const json = check(df, { target: 'y' }).toJSON();
  assert.deepEqual(
    json.leakage.map((l) => l.column),
    ['twin'],
  );
});

test('big frames are sampled for outliers and correlations, and the report says so', () => {
  const n = 1000;
  const df = DataFrame.from({
    v: Float64Array.from({ length: n }, (_, i) => i % 100),
    w: Float64Array.from({ length: n }, (_, i) => (i % 100) * 2),
  });
  const json = check(df, { sampleAbove: 500, sampleSize: 200, seed: 1 }).toJSON();
  assert.equal(json.sampled, true);
  assert.equal(json.sampledRows, 200);
  assert.equal(json.duplicateRows, 900);
  assert.ok(json.correlated.length === 1);
  assert.match(check(df, { sampleAbove: 500, sampleSize: 200 }).toHTML(), /seeded sample of 200 rows/);
});
