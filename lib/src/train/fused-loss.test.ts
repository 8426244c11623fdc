import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backend } from '../backend/select.js';
import { fuseCrossentropy } from './fused-loss.js';

type SampleFunction = (target: tf.Tensor, output: tf.Tensor) => tf.Tensor;
type Compiled = { lossFunctions: SampleFunction[]; metricsTensors: [SampleFunction, number][] };

/** Seeded values in [0, 1), so both versions see the same numbers. */
function random(size: number, seed: number): Float32Array {
  let state = seed;
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    values[i] = state / 2 ** 32;
  }
  return values;
}

/** A small classifier compiled with crossentropy and accuracy (the functional model a Sequential wraps). */
function classifier(classes: number, loss = 'categoricalCrossentropy'): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [6], units: 8, activation: 'relu', kernelInitializer: 'ones' }),
      tf.layers.dense({ units: classes, activation: classes > 1 ? 'softmax' : 'sigmoid', kernelInitializer: 'ones' }),
    ],
  });
  model.compile({ optimizer: 'sgd', loss, metrics: ['accuracy'] });
  return model;
}

function compiled(model: tf.Sequential): Compiled {
  return (model as unknown as { model: Compiled }).model;
}

function worstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++)
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  return worst;
}

/** The loss per sample and its gradients with respect to the targets and the outputs, with `loss`. */
function lossAndGradients(loss: SampleFunction, target: tf.Tensor, output: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const value = loss(target, output);
    const [dTarget, dOutput] = tf.grads((t: tf.Tensor, o: tf.Tensor) => loss(t, o).mul(tf.range(1, 6)).sum())([
      target,
      output,
    ]);
    return [value, dTarget!, dOutput!].map((t) => t.dataSync() as Float32Array);
  });
}

describe('the one-pass categorical crossentropy and accuracy', () => {
  before(async () => {
    await backend('wasm');
  });

  // Rows of (output, target): probabilities, unnormalised outputs, a zero (clipped below), a certain class (clipped
  // above), soft targets.
  const rows: [number[], number[]][] = [
    [
      [0.1, 0.2, 0.3, 0.4],
      [0, 0, 0, 1],
    ],
    [
      [2, 1, 0.5, 0.25],
      [1, 0, 0, 0],
    ],
    [
      [0, 0.5, 0.25, 0.25],
      [0, 0.5, 0.5, 0],
    ],
    [
      [1, 0, 0, 0],
      [1, 0, 0, 0],
    ],
    [
      [0.3, 0.3, 0.2, 0.2],
      [0.25, 0.25, 0.25, 0.25],
    ],
  ];
  const outputs = rows.map(([output]) => output);
  const targets = rows.map(([, target]) => target);

  for (const name of ['wasm', 'cpu'] as const) {
    test(`gives tfjs's loss and gradients to 1e-5, clipped values included, on the ${name} backend`, async () => {
      await backend(name);
      const model = classifier(4);
      const stock = compiled(model).lossFunctions[0]!;
      assert.equal(fuseCrossentropy(model), 2);
      const fused = compiled(model).lossFunctions[0]!;
      assert.notEqual(fused, stock);
      const target = tf.tensor(targets);
      const output = tf.tensor(outputs);
      const expected = lossAndGradients(stock, target, output);
      const actual = lossAndGradients(fused, target, output);
      ['loss', 'target gradient', 'output gradient'].forEach((label, i) => {
        const worst = worstDifference(actual[i]!, expected[i]!);
        assert.ok(worst < 1e-5, `${label}: differs by ${worst}`);
      });
      tf.dispose([target, output]);
      model.dispose();
      await backend('wasm');
    });
  }

  test("gives tfjs's accuracy, ties going to the first largest class", () => {
    const model = classifier(4);
    const stock = compiled(model).metricsTensors[0]![0];
    fuseCrossentropy(model);
    const fused = compiled(model).metricsTensors[0]![0];
    assert.notEqual(fused, stock);
    const target = tf.tensor([...targets, [0, 1, 1, 0]]);
    const output = tf.tensor([...outputs, [0.2, 0.4, 0.4, 0]]);
    const expected = tf.tidy(() => stock(target, output).dataSync());
    const actual = tf.tidy(() => fused(target, output).dataSync());
    assert.deepEqual(Array.from(actual), Array.from(expected));
    tf.dispose([target, output]);
    model.dispose();
  });

  test('trains a classifier through the same losses as tfjs over 10 steps (to 1e-5)', async () => {
    const x = tf
      .tensor(random(32 * 6, 3), [32, 6])
      .sub(0.5)
      .mul(0.2);
    const y = tf
      .oneHot(
        tf.tensor1d(
          Array.from(random(32, 4), (v) => Math.floor(v * 3)),
          'int32',
        ),
        3,
      )
      .toFloat();
    const losses = async (fuse: boolean) => {
      const model = classifier(3);
      if (fuse) assert.equal(fuseCrossentropy(model), 2);
      const seen: number[][] = [];
      for (let step = 0; step < 10; step++) seen.push((await model.trainOnBatch(x, y)) as number[]);
      model.dispose();
      return seen;
    };
    const expected = await losses(false);
    const actual = await losses(true);
    for (let step = 0; step < 10; step++) {
      const worst = worstDifference(actual[step]!, expected[step]!);
      assert.ok(worst < 1e-5, `step ${step}: loss and accuracy differ by ${worst}`);
    }
    tf.dispose([x, y]);
  });

  test('leaves other losses, binary accuracy and an already fused model alone', () => {
    const mse = classifier(4, 'meanSquaredError');
    assert.equal(fuseCrossentropy(mse), 0);
    const binary = classifier(1, 'categoricalCrossentropy');
    const binaryAccuracy = compiled(binary).metricsTensors[0]![0];
    assert.equal(fuseCrossentropy(binary), 1, 'the loss only: one class makes accuracy binary');
    assert.equal(compiled(binary).metricsTensors[0]![0], binaryAccuracy);
    const model = classifier(4);
    assert.equal(fuseCrossentropy(model), 2);
    const once = compiled(model).lossFunctions[0];
    assert.equal(fuseCrossentropy(model), 0);
    assert.equal(compiled(model).lossFunctions[0], once);
    for (const m of [mse, binary, model]) m.dispose();
  });

  test("hands outputs larger than its limit to tfjs's own loss, and computes small ones without its kernels", async () => {
    const model = classifier(4);
    fuseCrossentropy(model);
    const fused = compiled(model).lossFunctions[0]!;
    const kernelsFor = async (rows: number) => {
      const target = tf.oneHot(tf.zeros([rows], 'int32'), 4).toFloat();
      const output = tf.fill([rows, 4], 0.25);
      const profile = await tf.profile(() => fused(target, output));
      tf.dispose([target, output, profile.result]);
      return profile.kernels.map((k) => k.name);
    };
    assert.ok((await kernelsFor(20000)).includes('Log'), 'tfjs computes the large loss');
    assert.ok(!(await kernelsFor(64)).includes('Log'), 'the one pass computes the small loss');
    model.dispose();
  });
});
