import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataFrame } from '../data/frame.js';
import { ColumnNotFoundError, EmptyDataError, TypeMismatchError } from '../data/errors.js';
import {
  type TransformJSON,
  fromJSON,
  imputer,
  labelEncoder,
  minMaxScaler,
  oneHot,
  pipeline,
  standardScaler,
  type Transform,
} from './index.js';

const train = () => DataFrame.from({ x: [1, 2, 3, null], y: [10, 10, 10, 10], c: ['b', 'a', 'b', null] });

/** Fits, transforms, saves to JSON text and restores: the restored transform must give the same frame. */
function roundTrip(transform: Transform, frame = train()) {
  const out = transform.fitTransform(frame);
  const restored = fromJSON(JSON.stringify(transform));
  assert.deepEqual(restored.toJSON(), transform.toJSON());
  assert.deepEqual(restored.transform(frame).objects(), out.objects());
  return out;
}

test('standardScaler centers and scales numeric columns, leaves missing values missing, and round-trips JSON', () => {
  const out = roundTrip(standardScaler());
  const x = out.array('x') as (number | null)[];
  assert.deepEqual(
    x.map((v) => (v === null ? null : Number(v.toFixed(6)))),
    [-1.224745, 0, 1.224745, null],
  );
  assert.deepEqual(out.array('y'), [0, 0, 0, 0], 'a constant column is only centered');
  assert.deepEqual(out.array('c'), ['b', 'a', 'b', null]);
});

test('minMaxScaler maps the fitted range onto the target range', () => {
  const out = roundTrip(minMaxScaler({ columns: ['x'], range: [-1, 1] }));
  assert.deepEqual(out.array('x'), [-1, 0, 1, null]);
  assert.deepEqual(
    minMaxScaler({ columns: ['x'] })
      .fit(train())
      .transform(DataFrame.from({ x: [5] }))
      .array('x'),
    [2],
  );
});

test('oneHot replaces a column by 0/1 columns per sorted category, in place', () => {
  const out = roundTrip(oneHot());
  assert.deepEqual(out.columnNames(), ['x', 'y', 'c_a', 'c_b']);
  assert.deepEqual(Array.from(out.array('c_a')), [0, 1, 0, 0]);
  assert.deepEqual(Array.from(out.array('c_b')), [1, 0, 1, 0]);
  const strict = oneHot({ unknown: 'error' }).fit(train());
  assert.throws(
    () => strict.transform(DataFrame.from({ x: [1], y: [1], c: ['z'] })),
    (e: unknown) =>
      e instanceof TypeMismatchError && /column "c" has the value "z" at row 0, not seen in fitting/.test(e.message),
  );
  assert.deepEqual(
    Array.from(
      oneHot()
        .fit(train())
        .transform(DataFrame.from({ x: [1], y: [1], c: ['z'] }))
        .array('c_a'),
    ),
    [0],
  );
});

test('labelEncoder codes sorted categories and inverts them', () => {
  const encoder = labelEncoder({ columns: ['c'] });
  const out = roundTrip(encoder);
  assert.deepEqual(out.array('c'), [1, 0, 1, null]);
  assert.deepEqual(encoder.classes(), ['a', 'b']);
  assert.deepEqual(encoder.inverse(out).array('c'), ['b', 'a', 'b', null]);
});

test('imputer fills with mean, median, most frequent or a constant', () => {
  assert.deepEqual(roundTrip(imputer({ strategy: 'mean', columns: ['x'] })).array('x'), [1, 2, 3, 2]);
  assert.deepEqual(roundTrip(imputer({ strategy: 'median', columns: ['x'] })).array('x'), [1, 2, 3, 2]);
  assert.deepEqual(roundTrip(imputer({ strategy: 'most-frequent', columns: ['c'] })).array('c'), ['b', 'a', 'b', 'b']);
  assert.deepEqual(roundTrip(imputer({ strategy: 'constant', value: 'none', columns: ['c'] })).array('c'), [
    'b',
    'a',
    'b',
    'none',
  ]);
  assert.throws(
    () => imputer({ strategy: 'mean', columns: ['c'] }).fit(train()),
    (e: unknown) => e instanceof TypeMismatchError && /column "c" holds string values/.test(e.message),
  );
  assert.throws(() => imputer({ strategy: 'constant' }), /needs \{ value \}/);
});

test('a pipeline fits each step on the previous output and restores fitted from JSON', () => {
  const prep = pipeline([imputer({ columns: ['x'] }), standardScaler({ columns: ['x'] }), oneHot({ columns: ['c'] })]);
  const out = roundTrip(prep);
  assert.deepEqual(out.columnNames(), ['x', 'y', 'c_a', 'c_b']);
  assert.ok((out.array('x') as (number | null)[]).every((v) => v !== null));
  const json = JSON.parse(JSON.stringify(prep)) as TransformJSON & { config: { steps: { kind: string }[] } };
  assert.deepEqual(
    json.config.steps.map((s) => s.kind),
    ['imputer', 'standardScaler', 'oneHot'],
  );
  assert.ok(fromJSON(json).fitted);
});

test('fitting on an empty frame, transforming before fitting and unknown columns are clear errors', () => {
  const empty = train().filter(() => false);
  assert.throws(
    () => standardScaler().fit(empty),
    (e: unknown) => e instanceof EmptyDataError && /standardScaler\.fit: the frame is empty \(0 rows\)/.test(e.message),
  );
  assert.throws(() => pipeline([oneHot()]).fit(empty), EmptyDataError);
  assert.throws(() => standardScaler().transform(train()), /not fitted; call fit\(trainFrame\) first/);
  assert.throws(
    () => standardScaler({ columns: ['X'] }).fit(train()),
    (e: unknown) => e instanceof ColumnNotFoundError && /did you mean "x"/.test(e.message),
  );
  assert.throws(
    () => standardScaler({ columns: ['c'] }).fit(train()),
    /column "c" must be numeric, but row 0 holds "b"/,
  );
  assert.throws(() => fromJSON({ kind: 'nope', version: 1, config: {}, state: null }), /unknown transform kind "nope"/);
});
