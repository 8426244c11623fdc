import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { augmenter, crop, flip, noise, rotate, shift, zoom } from './augment.js';

/** A 1×4×4×1 image with one bright pixel at (row 0, col 0). */
const corner = () => tf.tensor4d([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 4, 4, 1]);
const pixels = (t: tf.Tensor) => Array.from(t.dataSync()).map((v) => Number(v.toFixed(4)));

test('flip with p = 1 mirrors each image left-right (and up-down when asked)', () => {
  const image = corner();
  assert.equal(pixels(flip(image, { p: 1 }))[3], 1);
  assert.equal(pixels(flip(image, { p: 1, vertical: true }))[15], 1);
  assert.equal(pixels(flip(image, { p: 0 }))[0], 1);
});

test('shift moves content by whole pixels and fills with zeros', () => {
  const image = tf.ones([8, 10, 10, 1]);
  const out = shift(image, { fraction: 0.3, seed: 1 });
  assert.deepEqual(out.shape, [8, 10, 10, 1]);
  const sum = out.sum().dataSync()[0]!;
  assert.ok(sum < 800 && sum > 0, `some pixels were shifted out (sum ${sum})`);
});

test('rotate by 90 degrees turns the corner pixel to another corner', () => {
  const image = corner();
  const out = pixels(rotate(image, { degrees: 90, random: () => 1 })); // angle = +90°
  assert.equal(out[0], 0);
  assert.equal(out.filter((v) => v > 0.99).length, 1);
  assert.ok([3, 12].includes(out.findIndex((v) => v > 0.99)));
});

test('zoom, crop and noise keep shapes and ranges; the same seed gives the same result', () => {
  const images = tf.randomUniform([4, 12, 12, 1], 0, 1, 'float32', 7);
  for (const f of [
    (t: tf.Tensor) => zoom(t, { range: [1.2, 1.5], seed: 3 }),
    (t: tf.Tensor) => crop(t, { fraction: 0.7, seed: 3 }),
    (t: tf.Tensor) => noise(t, { std: 0.2, seed: 3 }),
  ]) {
    const a = f(images);
    const b = f(images);
    assert.deepEqual(a.shape, [4, 12, 12, 1]);
    assert.deepEqual(pixels(a), pixels(b));
    assert.ok(a.min().dataSync()[0]! >= 0 && a.max().dataSync()[0]! <= 1);
    assert.notDeepEqual(pixels(a), pixels(images));
  }
  assert.deepEqual(crop(images.slice([0, 0, 0, 0], [1, 12, 12, 1]).squeeze([0]), { size: [6, 6] }).shape, [6, 6, 1]);
});

test('an augmenter draws new values per batch from one seeded sequence and does not leak tensors', () => {
  const batch = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 1);
  const a = augmenter({ rotate: 20, shift: 0.2, noise: 0.05, seed: 9 });
  const b = augmenter({ rotate: 20, shift: 0.2, noise: 0.05, seed: 9 });
  const before = tf.memory().numTensors;
  const a1 = a(batch);
  const a2 = a(batch);
  assert.equal(tf.memory().numTensors, before + 2, 'only the two outputs remain');
  assert.deepEqual(pixels(b(batch)), pixels(a1));
  assert.notDeepEqual(pixels(a1), pixels(a2));
  assert.throws(() => augmenter({ seed: 1 }), /turn on at least one step/);
  assert.throws(() => flip(tf.zeros([4])), /expected images as a \[n, height, width, channels\]/);
});
