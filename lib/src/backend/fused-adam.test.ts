import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backend } from './select.js';
import { FusedAdamOptimizer, fuseAdam, isFusedAdam } from './fused-adam.js';

/** Seeded values in [-1, 1), so every run and both optimizers see the same numbers. */
function random(size: number, seed: number): Float32Array {
  let state = seed;
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

// A conv kernel, biases (one not a multiple of 4 long: the scalar tail), a dense kernel, a scalar.
const shapes = [[3, 3, 1, 8], [8], [10], [37, 5], [1]];
let run = 0;

/** Fresh variables with seeded values, named apart from every other run's. */
function variables(): tf.Variable[] {
  run++;
  return shapes.map((shape, i) =>
    tf.variable(tf.tensor(random(tf.util.sizeFromShape(shape), 7 + i), shape), true, `adam-test-${run}-${i}`),
  );
}

/** Step `s`'s gradients for `vars`, the same for every call (scaled so some entries are tiny, some large). */
function gradients(vars: tf.Variable[], s: number): Record<string, tf.Variable> {
  return Object.fromEntries(
    vars.map((v, i) => [
      v.name,
      tf.tensor(
        random(v.size, 1000 * s + i).map((x) => x * 10 ** ((i % 3) - 1)),
        v.shape,
      ),
    ]),
  ) as unknown as Record<string, tf.Variable>;
}

/** Runs `steps` Adam steps with `optimizer` and returns the weights and the optimizer's saved state. */
async function train(
  optimizer: tf.Optimizer,
  steps: number,
): Promise<{ weights: Float32Array[]; state: Float32Array[]; kernelsPerStep: number }> {
  const vars = variables();
  let kernelsPerStep = 0;
  for (let s = 0; s < steps; s++) {
    const grads = gradients(vars, s);
    const profile = await tf.profile(() => optimizer.applyGradients(grads));
    kernelsPerStep = profile.kernels.length;
    tf.dispose(Object.values(grads));
  }
  const weights = vars.map((v) => v.dataSync() as Float32Array);
  const state = await Promise.all(
    (await optimizer.getWeights()).map(async (w) => (await w.tensor.data()) as Float32Array),
  );
  tf.dispose(vars);
  return { weights, state, kernelsPerStep };
}

function assertSame(actual: Float32Array[], expected: Float32Array[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: counts differ`);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    assert.equal(a.length, e.length, `${label} ${i}: sizes differ`);
    for (let k = 0; k < e.length; k++) {
      assert.ok(
        Math.abs(a[k]! - e[k]!) <= 1e-6 * Math.max(1, Math.abs(e[k]!)),
        `${label} ${i}[${k}]: fused ${a[k]} vs tf.train.adam ${e[k]}`,
      );
    }
  });
}

describe('The fused Adam optimizer', () => {
  before(async () => {
    await backend('wasm');
  });

  test("gives tf.train.adam's weights, moments and iterations to 1e-6 over 10 steps, in a few kernels per step", async () => {
    const expected = await train(tf.train.adam(0.01), 10);
    const actual = await train(new FusedAdamOptimizer(0.01), 10);
    assertSame(actual.weights, expected.weights, 'weight');
    assertSame(actual.state, expected.state, 'optimizer state');
    // tfjs runs ~14 kernels per variable; the fused step none but the moments' creation on the first step.
    assert.ok(expected.kernelsPerStep >= 10 * shapes.length, `tf.train.adam ran ${expected.kernelsPerStep} kernels`);
    assert.equal(actual.kernelsPerStep, 0, 'the fused step should run no tfjs kernel');
  });

  test('trains a CNN (weights that XNNPACK packs and caches) exactly as tf.train.adam does', async () => {
    const losses = async (optimizer: tf.Optimizer): Promise<number[]> => {
      const init = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 4, kernelSize: 3, activation: 'relu', ...init(1) }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 8, activation: 'relu', ...init(2) }),
          tf.layers.dense({ units: 2, activation: 'softmax', ...init(3) }),
        ],
      });
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const x = tf.tensor(random(32 * 36, 5), [32, 6, 6, 1]);
      const y = tf.oneHot(
        tf.tensor1d(
          Array.from({ length: 32 }, (_, i) => i % 2),
          'int32',
        ),
        2,
      );
      const seen: number[] = [];
      for (let s = 0; s < 5; s++) {
        await model.trainOnBatch(x, y);
        // evaluate runs the fused (cached) kernels, trainOnBatch the unfused ones: both must see the new weights.
        seen.push((model.evaluate(x, y) as tf.Scalar).dataSync()[0]!);
      }
      tf.dispose([x, y]);
      model.dispose();
      return seen;
    };
    const expected = await losses(tf.train.adam(0.05));
    const actual = await losses(new FusedAdamOptimizer(0.05));
    assertSame([Float32Array.from(actual)], [Float32Array.from(expected)], 'loss after each step');
  });

  test('keeps the values of a clone taken before a step (a shared buffer is not overwritten)', () => {
    const [w] = [tf.variable(tf.tensor(random(12, 3), [12]), true, 'adam-clone-test')];
    const saved = w.clone();
    const before = saved.dataSync().slice();
    const optimizer = new FusedAdamOptimizer(0.1);
    const grads = { [w.name]: tf.ones([12]) } as unknown as Record<string, tf.Variable>;
    optimizer.applyGradients(grads);
    assert.deepEqual(saved.dataSync(), before, 'the clone changed');
    assert.notDeepEqual(w.dataSync(), before, 'the weight did not move');
    tf.dispose([w, saved, ...Object.values(grads)]);
    optimizer.dispose();
  });

  test("falls back to tfjs's step on the cpu backend, with the same numbers", async () => {
    await backend('cpu');
    try {
      const expected = await train(tf.train.adam(0.01), 3);
      const actual = await train(new FusedAdamOptimizer(0.01), 3);
      assertSame(actual.weights, expected.weights, 'weight');
    } finally {
      await backend('wasm');
    }
  });

  test('fuseAdam upgrades a model compiled with adam in place, and it still serializes as Adam', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const optimizer = model.optimizer;
    assert.equal(fuseAdam(model), true);
    assert.equal(model.optimizer, optimizer, 'the optimizer object was replaced');
    assert.ok(isFusedAdam(model.optimizer));
    assert.equal(model.optimizer.getClassName(), 'Adam');
    const sgd = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    sgd.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    assert.equal(fuseAdam(sgd), false);
    model.dispose();
    sgd.dispose();
  });
});
