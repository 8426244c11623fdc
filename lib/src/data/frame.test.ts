import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as aq from 'arquero';
import { DataFrame } from './frame.js';
import { ColumnNotFoundError, TypeMismatchError } from './errors.js';
import { fastInnerJoin } from './join.js';
import { seededRandom } from '../core/random.js';

const df = () =>
  DataFrame.from({ k: [1, 2, 1, 3, 2, 1], v: [1.5, 2, null, 4, 5, 6], s: ['a', 'b', 'a', 'c', 'b', 'a'] });

test('every arquero verb returns a DataFrame', () => {
  const t = df();
  const results = [
    t.filter((d: Record<string, number>) => d.k! > 1),
    t.derive({ w: (d: Record<string, number>) => d.v! * 2 }),
    t.groupby('k').rollup({ n: aq.op.count() }),
    t.orderby(aq.desc('v')),
    t.join(DataFrame.from({ s: ['a', 'b'], label: ['A', 'B'] }), 's'),
    t.fold(['v']),
    t.select('k', 's').pivot('s', 'k'),
  ];
  for (const result of results) assert.ok(result instanceof DataFrame, result.constructor.name);
});

test('an unknown column name in a verb lists the available columns and suggests the closest', () => {
  const t = df();
  assert.throws(
    () => t.select('vv'),
    (e: unknown) =>
      e instanceof ColumnNotFoundError &&
      /unknown column "vv" \(did you mean "v"\?\)\. Available columns: "k", "v", "s"/.test(e.message),
  );
  assert.throws(() => t.groupby('nope'), ColumnNotFoundError);
  assert.throws(() => t.orderby('nope'), ColumnNotFoundError);
  assert.throws(
    () => t.derive({ z: (d: Record<string, number>) => d.nope! + 1 }),
    (e: unknown) => e instanceof ColumnNotFoundError && e.column === 'nope',
  );
  assert.throws(
    () => t.filter('d => d.missing > 1'),
    (e: unknown) => e instanceof ColumnNotFoundError && e.column === 'missing',
  );
});

test('DataFrame.from accepts row objects and rejects columns of unequal length', () => {
  const rows = DataFrame.from([{ a: 1, b: 'x' }, { a: 2 }]);
  assert.deepEqual(rows.objects(), [
    { a: 1, b: 'x' },
    { a: 2, b: null },
  ]);
  assert.throws(() => DataFrame.from({ a: [1, 2], b: [1] }), /same length, got a: 2, b: 1/);
});

test('head and tail take rows from each end', () => {
  assert.deepEqual(df().head(2).array('k'), [1, 2]);
  assert.deepEqual(df().tail(2).array('k'), [2, 1]);
});

test('sample with a seed returns the same rows every time, and different rows for another seed', () => {
  const big = DataFrame.from({ i: Array.from({ length: 1000 }, (_, i) => i) });
  const a = big.sample(20, { seed: 7 }).array('i');
  const b = big.sample(20, { seed: 7 }).array('i');
  const c = big.sample(20, { seed: 8 }).array('i');
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(new Set(a).size, 20);
});

test('describe gives count, nulls, mean, sample std, min, quartiles and max per numeric column', () => {
  const d = df().describe();
  assert.deepEqual(d.columnNames(), ['stat', 'k', 'v']);
  const v = Object.fromEntries((d.objects() as { stat: string; v: number }[]).map((row) => [row.stat, row.v]));
  assert.equal(v.count, 5);
  assert.equal(v.nulls, 1);
  assert.equal(v.mean, 3.7);
  assert.ok(Math.abs(v.std! - 1.9235384061671346) < 1e-12);
  assert.deepEqual([v.min, v['25%'], v['50%'], v['75%'], v.max], [1.5, 2, 4, 5, 6]);
  assert.throws(() => df().describe(['s']), TypeMismatchError);
});

test('info lists each column with its type, non-null and null counts and bytes', () => {
  const rows = df().info().objects() as {
    column: string;
    type: string;
    non_null: number;
    nulls: number;
    bytes: number;
  }[];
  assert.deepEqual(
    rows.map((r) => [r.column, r.type, r.non_null, r.nulls]),
    [
      ['k', 'integer', 6, 0],
      ['v', 'number', 5, 1],
      ['s', 'string', 6, 0],
    ],
  );
  assert.ok(rows.every((r) => r.bytes > 0));
});

test('valueCounts counts values, most frequent first, and can normalize', () => {
  assert.deepEqual(df().valueCounts('s').objects(), [
    { s: 'a', count: 3 },
    { s: 'b', count: 2 },
    { s: 'c', count: 1 },
  ]);
  assert.deepEqual(df().valueCounts('s', { normalize: true }).array('fraction'), [0.5, 2 / 6, 1 / 6]);
  assert.throws(() => df().valueCounts('S'), /did you mean "s"/);
});

test('corr is symmetric with ones on the diagonal and uses pairwise complete rows', () => {
  const t = DataFrame.from({ a: [1, 2, 3, 4], b: [2, 4, 6, 8], c: [4, 3, 2, null] });
  const rows = t.corr().objects() as Record<string, number | string>[];
  assert.deepEqual(
    rows.map((r) => r.column),
    ['a', 'b', 'c'],
  );
  const [a, , c] = rows as [Record<string, number>, unknown, Record<string, number>];
  assert.ok(Math.abs(a.b! - 1) < 1e-12);
  assert.ok(Math.abs(a.c! + 1) < 1e-12);
  assert.equal(c.a, a.c);
});

test('aggregate on an integer key takes the fast path and matches arquero groupby/rollup exactly', () => {
  const rand = seededRandom(3);
  const n = 5000;
  const k = Int32Array.from({ length: n }, () => Math.floor(rand() * 50));
  const v = Array.from({ length: n }, () => (rand() < 0.05 ? null : rand() * 100));
  const t = DataFrame.from({ k, v });
  const ours = t.aggregate('k', { v: ['sum', 'mean', 'count', 'min', 'max', 'std', 'var'] });
  const theirs = aq
    .table({ k, v })
    .groupby('k')
    .rollup({
      v_sum: aq.op.sum('v'),
      v_mean: aq.op.mean('v'),
      v_count: aq.op.valid('v'),
      v_min: aq.op.min('v'),
      v_max: aq.op.max('v'),
      v_std: aq.op.stdev('v'),
      v_var: aq.op.variance('v'),
    });
  assert.deepEqual(ours.columnNames(), theirs.columnNames());
  assert.deepEqual(Array.from(ours.array('k')), theirs.array('k'));
  for (const name of ['v_sum', 'v_mean', 'v_count', 'v_min', 'v_max', 'v_std', 'v_var']) {
    const a = Array.from(ours.array(name) as Float64Array);
    const b = theirs.array(name) as number[];
    a.forEach((x, i) =>
      assert.ok(Math.abs(x - b[i]!) <= 1e-9 * Math.max(1, Math.abs(b[i]!)), `${name}[${i}]: ${x} vs ${b[i]}`),
    );
  }
});

test('aggregate on sparse integer or float keys (the hash table of the join) matches arquero groupby/rollup', () => {
  const rand = seededRandom(4);
  const n = 5000;
  for (const [name, key] of [
    ['sparse integers', Array.from({ length: n }, () => Math.floor(rand() * 70) * 10_000_019 - 3)],
    ['floats', Float64Array.from({ length: n }, () => Math.floor(rand() * 40) / 8)],
  ] as const) {
    const v = Float64Array.from({ length: n }, () => rand() * 10);
    const ours = DataFrame.from({ k: key, v }).aggregate('k', { v: ['sum', 'count', 'max'] });
    const theirs = aq
      .table({ k: key, v })
      .groupby('k')
      .rollup({ v_sum: aq.op.sum('v'), v_count: aq.op.valid('v'), v_max: aq.op.max('v') });
    assert.deepEqual(
      Array.from(ours.array('k') as ArrayLike<number>),
      Array.from(theirs.array('k') as ArrayLike<number>),
      name,
    );
    for (const column of ['v_sum', 'v_count', 'v_max'])
      assert.deepEqual(
        Array.from(ours.array(column) as ArrayLike<number>),
        Array.from(theirs.array(column) as ArrayLike<number>),
        `${name} ${column}`,
      );
  }
});

test('aggregate on string keys or with median goes through arquero', () => {
  const out = df().aggregate('s', { v: ['median', 'count'] });
  assert.deepEqual(out.objects(), [
    { s: 'a', v_median: 3.75, v_count: 2 },
    { s: 'b', v_median: 3.5, v_count: 2 },
    { s: 'c', v_median: 4, v_count: 1 },
  ]);
  assert.throws(() => df().aggregate('s', { v: 'mode' as never }), /unknown reduction "mode"/);
});

test('the fast inner join returns exactly what arquero join returns', () => {
  const rand = seededRandom(5);
  const n = 3000;
  const left = {
    id: Int32Array.from({ length: n }, () => Math.floor(rand() * 120)),
    v: Float64Array.from({ length: n }, () => rand()),
  };
  const right = {
    id: Int32Array.from({ length: 100 }, (_, i) => i),
    w: Array.from({ length: 100 }, (_, i) => `w${i}`),
  };
  const ours = DataFrame.from(left).join(DataFrame.from(right), 'id');
  const theirs = aq.table(left).join(aq.table(right), 'id');
  assert.ok(ours instanceof DataFrame);
  assert.deepEqual(ours.columnNames(), theirs.columnNames());
  assert.equal(ours.numRows(), theirs.numRows());
  assert.deepEqual(ours.objects(), theirs.objects());
});

test('the typed-array hash join equals arquero on sparse integer, float, string and missing keys, matched or not', () => {
  const rand = seededRandom(11);
  const n = 5000;
  const sparse = Array.from({ length: 200 }, (_, i) => i * 1_000_003 - 7);
  const cases: { name: string; leftKeys: unknown[]; rightKeys: unknown[] }[] = [
    // every left row matches (the left columns are shared, not gathered)
    {
      name: 'sparse integers, all matched',
      leftKeys: Array.from({ length: n }, () => sparse[Math.floor(rand() * 200)]),
      rightKeys: sparse,
    },
    {
      name: 'sparse integers, some unmatched',
      leftKeys: Array.from({ length: n }, () => Math.floor(rand() * 250) * 1_000_003 - 7),
      rightKeys: sparse,
    },
    {
      name: 'floats and missing keys',
      leftKeys: Array.from({ length: n }, (_, i) =>
        i % 97 === 0 ? null : i % 89 === 0 ? -0 : Math.floor(rand() * 60) / 4,
      ),
      rightKeys: [...Array.from({ length: 50 }, (_, i) => i / 4), null],
    },
    {
      name: 'strings',
      leftKeys: Array.from({ length: n }, (_, i) => (i % 101 === 0 ? null : `k${Math.floor(rand() * 90)}`)),
      rightKeys: Array.from({ length: 80 }, (_, i) => `k${i}`),
    },
  ];
  for (const c of cases) {
    const left = { id: c.leftKeys, v: Float64Array.from({ length: n }, () => rand()) };
    const right = { id: c.rightKeys, w: c.rightKeys.map((_, i) => `w${i}`) };
    const ours = DataFrame.from(left).join(DataFrame.from(right), 'id');
    const theirs = aq.table(left).join(aq.table(right), 'id');
    assert.ok(
      fastInnerJoin(aq.table(left), aq.table(right), 'id', undefined, undefined) !== null,
      `${c.name}: the typed-array path took it`,
    );
    assert.deepEqual(ours.columnNames(), theirs.columnNames(), c.name);
    assert.ok(ours.numRows() > 0, c.name);
    assert.deepEqual(ours.objects(), theirs.objects(), c.name);
  }
});

test('the typed-array join gathers columns of every element width bit for bit (NaN and bigints included)', () => {
  const n = 1000;
  const id = Int32Array.from({ length: n }, (_, i) => (i * 7) % 130); // keys 100..129 have no match
  const f64 = Float64Array.from({ length: n }, (_, i) => (i % 11 === 0 ? NaN : i / 3));
  const left = {
    id,
    f64,
    i16: Int16Array.from({ length: n }, (_, i) => i - 500),
    u8: Uint8Array.from({ length: n }, (_, i) => i % 256),
  };
  const right = {
    id: Int32Array.from({ length: 100 }, (_, i) => i),
    f32: Float32Array.from({ length: 100 }, (_, i) => i / 7),
    big: BigInt64Array.from({ length: 100 }, (_, i) => BigInt(i) * 10_000_000_000n - 3n),
  };
  const ours = DataFrame.from(left).join(DataFrame.from(right), 'id');
  const theirs = aq.table(left).join(aq.table(right), 'id');
  assert.ok(
    fastInnerJoin(aq.table(left), aq.table(right), 'id', undefined, undefined) !== null,
    'the typed-array path took it',
  );
  assert.ok(ours.numRows() > 0 && ours.numRows() < n);
  for (const name of ['id', 'f64', 'i16', 'u8', 'f32', 'big']) {
    const column = ours.column(name) as unknown as ArrayLike<unknown>;
    assert.equal(
      (Object.getPrototypeOf(column) as object).constructor.name,
      (name in left ? (left as Record<string, object>)[name]! : (right as Record<string, object>)[name]!).constructor
        .name,
      `${name} keeps its type`,
    );
    assert.deepEqual(Array.from(column), Array.from(theirs.array(name) as ArrayLike<unknown>), name);
  }
});

test('joins the fast path cannot take (duplicate right keys, shared names) still match arquero', () => {
  const left = { id: [1, 2, 2, 3], x: [1, 2, 3, 4] };
  const right = { id: [2, 2, 3], x: [9, 8, 7] };
  assert.deepEqual(
    DataFrame.from(left).join(DataFrame.from(right), 'id').objects(),
    aq.table(left).join(aq.table(right), 'id').objects(),
  );
});

test('toTensor and fromTensor round-trip numeric columns', () => {
  const t = DataFrame.from({ a: [1, 2, 3], b: [0.5, 1.5, 2.5], flag: [true, false, true] });
  const x = t.toTensor(['a', 'b', 'flag']);
  assert.deepEqual(x.shape, [3, 3]);
  assert.deepEqual(Array.from(x.dataSync()), [1, 0.5, 1, 2, 1.5, 0, 3, 2.5, 1]);
  const y = t.toTensor('a', { dtype: 'int32' });
  assert.deepEqual([y.shape, y.dtype], [[3], 'int32']);
  const back = DataFrame.fromTensor(x, ['a', 'b', 'flag']);
  assert.deepEqual(back.objects(), [
    { a: 1, b: 0.5, flag: 1 },
    { a: 2, b: 1.5, flag: 0 },
    { a: 3, b: 2.5, flag: 1 },
  ]);
  x.dispose();
  y.dispose();
});

test('toTensor names the column, row and value that is not numeric or is missing', () => {
  assert.throws(
    () => df().toTensor(['k', 's']),
    (e: unknown) => e instanceof TypeMismatchError && /column "s" must be numeric, but row 0 holds "a"/.test(e.message),
  );
  assert.throws(() => df().toTensor(['v']), /column "v" has a missing value \(null\) at row 2.*imputer/);
  assert.throws(() => df().toTensor(['x']), ColumnNotFoundError);
});
