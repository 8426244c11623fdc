import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as datasets from './datasets.js';

test('penguins, cars and seattleWeather load offline with their documented columns, once', () => {
  const penguins = datasets.penguins();
  assert.equal(penguins.numRows(), 344);
  assert.deepEqual(penguins.columnNames(), [
    'Species',
    'Island',
    'Beak Length (mm)',
    'Beak Depth (mm)',
    'Flipper Length (mm)',
    'Body Mass (g)',
    'Sex',
  ]);
  assert.equal(datasets.penguins(), penguins, 'the second call is served from the cache');
  const cars = datasets.cars();
  assert.equal(cars.numRows(), 406);
  assert.equal(cars.types().Year, 'date');
  const weather = datasets.seattleWeather();
  assert.equal(weather.numRows(), 1461);
  assert.deepEqual(weather.types(), {
    date: 'date',
    precipitation: 'number',
    temp_max: 'number',
    temp_min: 'number',
    wind: 'number',
    weather: 'string',
  });
});

test('flights(n) reads the first n rows of the Arrow file', async () => {
  const flights = await datasets.flights(1000);
  assert.equal(flights.numRows(), 1000);
  assert.deepEqual(flights.columnNames(), ['delay', 'distance', 'time']);
  assert.equal((await datasets.flights()).numRows(), 200_000);
  await assert.rejects(datasets.flights(0), /positive whole number/);
});

test('flights from the zstd-compressed Parquet file reads on every supported Node.js', async () => {
  const flights = await datasets.flights(1000, { source: 'parquet' });
  assert.deepEqual(flights.columnNames(), ['date', 'delay', 'distance', 'origin', 'destination']);
  assert.equal(flights.numRows(), 1000);
});

test('mnist gives [n,28,28,1] images in [0,1] and int labels with a seeded stratified split', () => {
  const a = datasets.mnist({ testSize: 0.2, seed: 1 });
  assert.deepEqual(a.train.images.shape, [8000, 28, 28, 1]);
  assert.deepEqual(a.test.images.shape, [2000, 28, 28, 1]);
  assert.equal(a.test.labels.dtype, 'int32');
  assert.ok(a.train.images.min().dataSync()[0]! >= 0 && a.train.images.max().dataSync()[0]! <= 1);
  const counts = new Array<number>(10).fill(0);
  for (const label of a.test.labels.dataSync()) counts[label]!++;
  assert.ok(
    counts.every((c) => c >= 150 && c <= 240),
    `per-class test counts ${counts.join(', ')}`,
  );
  const b = datasets.mnist({ testSize: 0.2, seed: 1, n: 500 });
  assert.equal(b.train.labels.shape[0] + b.test.labels.shape[0], 500);
  const again = datasets.mnist({ testSize: 0.2, seed: 1, n: 500 });
  assert.deepEqual(Array.from(again.test.labels.dataSync()), Array.from(b.test.labels.dataSync()));
  for (const part of [a.train, a.test, b.train, b.test, again.train, again.test]) {
    part.images.dispose();
    part.labels.dispose();
  }
});
