import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DataFrame } from '../data/frame.js';
import { seededRandom } from '../core/random.js';
import { displaySymbol } from '../display/mime.js';
import { vegaLiteMime } from '../plot/chart.js';
import { oneHot } from '../preprocess/encoders.js';
import { standardScaler } from '../preprocess/scalers.js';
import { partialDependence } from './partial-dependence.js';
import type { TabularModel } from './permutation.js';

/** 300 rows of 3 uniform features in [-1, 1]. */
function rows(n = 300): number[][] {
  const random = seededRandom(4);
  return Array.from({ length: n }, () => [random() * 2 - 1, random() * 2 - 1, random() * 2 - 1]);
}

/** A linear regression y = 2·x0 + 1 (x1 and x2 unused). */
function linear(): tf.Sequential {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });
  m.setWeights([tf.tensor2d([[2], [0], [0]]), tf.tensor1d([1])]);
  return m;
}

const close = (a: number, b: number, tolerance = 1e-5) => Math.abs(a - b) <= tolerance;

test('one feature: the curve of y = 2·x0 + 1 is exactly 2·g + 1 on a quantile grid, and flat for an unused feature', () => {
  const x = rows();
  const result = partialDependence(linear(), x, 'x0');
  assert.deepEqual(result.features, ['x0']);
  assert.equal(result.grids[0]!.length, 20);
  const grid = result.grids[0] as number[];
  assert.ok(
    grid.every((g, i) => i === 0 || g > grid[i - 1]!),
    'the grid increases',
  );
  const sorted = x.map((r) => r[0]!).sort((a, b) => a - b);
  assert.ok(grid[0]! >= sorted[10]! && grid[19]! <= sorted[289]!, 'the grid spans the 5th to 95th percentiles');
  grid.forEach((g, i) => assert.ok(close(result.at(i), 2 * g + 1), `at ${g}: ${result.at(i)}`));
  assert.deepEqual(result.outputs, ['prediction']);
  const flat = partialDependence(linear(), x, 1);
  const mean = x.reduce((s, r) => s + 2 * r[0]! + 1, 0) / x.length;
  assert.ok(
    flat.values.every(([v]) => close(v!, mean)),
    'x1 is unused: its curve is flat at the mean prediction',
  );
});

test('a classifier gets one curve per class: P(1) rises with the feature that decides it, P(0) falls', () => {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
  m.setWeights([
    tf.tensor2d([
      [-4, 4],
      [0, 0],
      [0, 0],
    ]),
    tf.tensor1d([0, 0]),
  ]);
  const result = partialDependence(m, { x: tf.tensor2d(rows()) }, 'signal', {
    featureNames: ['signal', 'noise', 'unused'],
    classNames: ['no', 'yes'],
  });
  assert.deepEqual(result.outputs, ['no', 'yes']);
  const yes = result.values.map((v) => v[1]!);
  assert.ok(
    yes.every((v, i) => i === 0 || v > yes[i - 1]!),
    'P(yes) increases',
  );
  assert.ok(yes[0]! < 0.05 && yes[yes.length - 1]! > 0.95, `P(yes) from ${yes[0]} to ${yes[yes.length - 1]}`);
  result.values.forEach((v) => assert.ok(close(v[0]! + v[1]!, 1)));
  const bundle = result[displaySymbol]();
  const spec = bundle[vegaLiteMime] as {
    mark: { type: string };
    encoding: { color: { field: string } };
    data: { values: unknown[] };
  };
  assert.equal(spec.mark.type, 'line');
  assert.equal(spec.encoding.color.field, 'output');
  assert.equal(spec.data.values.length, 40);
  assert.match(bundle['image/svg+xml'] as string, /^<svg/);
  assert.match(bundle['text/plain'] as string, /^Partial dependence on signal \(average over 300 rows\)/);
  const yesOnly = partialDependence(m, rows(), 0, { classNames: ['no', 'yes'], target: 'yes' }).chart().spec as {
    data: { values: Record<string, number>[] };
  };
  assert.deepEqual(
    yesOnly.data.values.map((r) => r['average prediction']),
    yes,
    'with a target, the chart shows that class only',
  );
});

test('two features: the heat map of a model y = x0·x1 holds the product of the grid values', () => {
  // A model with no weights: the product of the first two columns (an interaction no single curve shows).
  const product: TabularModel = {
    inputs: [{ shape: [null, 3] }],
    predict: (x) => tf.mul(x.slice([0, 0], [-1, 1]), x.slice([0, 1], [-1, 1])),
  };
  const result = partialDependence(product, rows(), ['x0', 'x1'], { gridSize: 5 });
  assert.equal(result.values.length, 25);
  const [a, b] = result.grids as [number[], number[]];
  a.forEach((u, i) =>
    b.forEach((v, j) => assert.ok(close(result.at(i, j), u * v), `(${u}, ${v}) → ${result.at(i, j)}`)),
  );
  const spec = result[displaySymbol]()[vegaLiteMime] as { mark: { type: string }; encoding: { y: { sort: string } } };
  assert.equal(spec.mark.type, 'rect');
  assert.equal(spec.encoding.y.sort, 'descending');
});

test('a DataFrame with a fitted scaler: the grid is in raw units and the model sees scaled features', () => {
  const raw = rows().map(([a, b, c]) => ({ mass: 4000 + 500 * a!, beak: 40 + 5 * b!, depth: 17 + c! }));
  const df = DataFrame.from(raw);
  const scaler = standardScaler({ columns: ['mass', 'beak', 'depth'] }).fit(df);
  const result = partialDependence(linear(), df, 'mass', {
    x: ['mass', 'beak', 'depth'],
    transform: scaler,
    gridSize: 6,
  });
  const scaled = scaler.transform(df).toTensor(['mass']).dataSync();
  const massValues = raw.map((r) => r.mass);
  // The scaler's mean and std, recovered from two rows, map a raw grid value to what the model saw.
  const std = (massValues[0]! - massValues[1]!) / (scaled[0]! - scaled[1]!);
  const mean = massValues[0]! - std * scaled[0]!;
  (result.grids[0] as number[]).forEach((g, i) => {
    assert.ok(g > 3400 && g < 4600, `grid value ${g} is in grams`);
    assert.ok(close(result.at(i), 2 * ((g - mean) / std) + 1, 1e-4), `at ${g}`);
  });
});

test('a categorical feature gets one point per category through its encoder, and is refused without one', () => {
  const colors = ['red', 'green', 'blue'];
  const df = DataFrame.from(rows(90).map(([a, b], i) => ({ color: colors[i % 3]!, a: a!, b: b! })));
  const encoder = oneHot({ columns: ['color'] }).fit(df);
  const x = encoder.transform(df).columnNames();
  assert.deepEqual([...x].sort(), ['a', 'b', 'color_blue', 'color_green', 'color_red']);
  // y = 3·[blue] − [red] + a: at each colour the average is that colour's term plus mean(a).
  const weight: Record<string, number> = { color_red: -1, color_green: 0, color_blue: 3, a: 1, b: 0 };
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [5] })] });
  m.setWeights([tf.tensor2d(x.map((c) => [weight[c]!])), tf.tensor1d([0])]);
  const result = partialDependence(m, df, 'color', { x, transform: encoder });
  assert.deepEqual(result.kinds, ['categorical']);
  assert.deepEqual(result.grids[0], ['blue', 'green', 'red']);
  const meanA = df.toTensor(['a']).mean().dataSync()[0]!;
  assert.deepEqual(
    result.values.map(([v]) => Number((v! - meanA).toFixed(4))),
    [3, 0, -1],
  );
  const spec = result.chart().spec as { encoding: { x: { type: string } } };
  assert.equal(spec.encoding.x.type, 'nominal');
  assert.throws(
    () => partialDependence(m, df, 'color', { x: ['a', 'b'] }),
    /"color" is categorical \(e\.g\. "red"\), and the model takes numbers: pass the fitted encoder as \{ transform \}/,
  );
});

test('clear errors for features, models and data that do not fit', () => {
  const df = DataFrame.from({ mass: [1, 2, 3], beak: [4, 5, 6], depth: [7, 8, 9] });
  const x = ['mass', 'beak', 'depth'];
  assert.throws(
    () => partialDependence(linear(), df, 'Mass', { x }),
    /unknown column "Mass" \(did you mean "mass"\?\)\. Available columns: "mass", "beak", "depth"/,
  );
  assert.throws(
    () => partialDependence(linear(), df, 'mass'),
    /pass the model's feature columns as \{ x: \[\.\.\.\] \}.*Columns: "mass", "beak", "depth"/,
  );
  assert.throws(
    () => partialDependence(linear(), df, 'mass', { x: ['mass', 'beak'] }),
    /the model expects 3 features but the data gives 2/,
  );
  assert.throws(() => partialDependence(linear(), rows(), ['x0', 'x1', 'x2'] as never), /give one feature or two/);
  assert.throws(() => partialDependence(linear(), rows(), 7), /feature index 7 is out of range; there are 3 features/);
  assert.throws(
    () => partialDependence(linear(), rows(), 'x0', { target: 'yes' }),
    /target "yes" is not one of the model's outputs: "prediction"/,
  );
  const cnn = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 2 })] });
  assert.throws(
    () => partialDependence(cnn, rows(), 'x0'),
    /input of shape \[null, 4, 4, 1\], not tabular.*use lepton\.explain\.saliency/,
  );
  assert.throws(() => partialDependence(linear(), tf.zeros([2, 3, 1]), 'x0'), /x must be 2-D/);
});
