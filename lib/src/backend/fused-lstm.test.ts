import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backend } from './select.js';
import { fuseLstm, fuseLstmLayers } from './fused-lstm.js';
import { lstm } from '../models/lstm.js';

const [batch, steps, features] = [4, 6, 3];

/** A tfjs LSTM with seeded weights (a random bias too, so every gate's bias gradient is exercised). */
function layer(
  units: number,
  returnSequences: boolean,
  recurrentActivation: 'hardSigmoid' | 'sigmoid',
): tf.layers.Layer {
  return tf.layers.lstm({
    units,
    returnSequences,
    recurrentActivation,
    kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    recurrentInitializer: tf.initializers.orthogonal({ seed: 2 }),
    biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 3 }),
  });
}

/** The output of `l` on `x` and the gradients of a weighted sum of it with respect to x and every weight. */
function run(
  l: tf.layers.Layer,
  x: tf.Variable,
  weights: tf.Tensor,
): { y: Float32Array; grads: Map<string, Float32Array> } {
  const y = (l.apply(x) as tf.Tensor).dataSync() as Float32Array;
  // A LayerVariable's read() hands back its tf.Variable, typed only as a Tensor.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- it is the Variable tfjs made
  const vars = [x, ...l.trainableWeights.map((w) => w.read() as tf.Variable)];
  const { grads } = tf.variableGrads(() => tf.sum<tf.Scalar>(tf.mul(l.apply(x) as tf.Tensor, weights)), vars);
  const names = ['x', 'kernel', 'recurrentKernel', 'bias'];
  return { y, grads: new Map(vars.map((v, i) => [names[i]!, grads[v.name]!.dataSync() as Float32Array])) };
}

function close(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  assert.ok(worst <= 1e-5, `${what}: largest difference ${worst}`);
}

describe('the fused LSTM', () => {
  before(async () => {
    await backend('wasm');
  });

  // 5 units: the products' rows are not whole SIMD groups, so their scalar tails run too.
  for (const units of [5, 8]) {
    for (const returnSequences of [false, true]) {
      for (const gate of ['hardSigmoid', 'sigmoid'] as const) {
        test(`equals tf.layers.lstm to 1e-5 on outputs and gradients (units ${units}, returnSequences ${returnSequences}, ${gate} gates)`, () => {
          tf.tidy(() => {
            const x = tf.variable(tf.randomUniform([batch, steps, features], -3, 3, 'float32', 4));
            const stock = layer(units, returnSequences, gate);
            const fused = fuseLstm(layer(units, returnSequences, gate));
            stock.apply(x);
            fused.apply(x);
            fused.setWeights(stock.getWeights());
            const weights = tf.randomUniform(
              returnSequences ? [batch, steps, units] : [batch, units],
              -1,
              1,
              'float32',
              5,
            );
            const expected = run(stock, x, weights);
            const actual = run(fused, x, weights);
            close(actual.y, expected.y, 'output');
            for (const [name, grad] of expected.grads) close(actual.grads.get(name)!, grad, `gradient of ${name}`);
          });
        });
      }
    }
  }

  test('runs all the steps as one operation, where tfjs runs many kernels per step', async () => {
    const x = tf.randomUniform([batch, steps, features], -1, 1, 'float32', 6);
    const kernelsOf = async (l: tf.layers.Layer) => {
      tf.dispose(l.apply(x) as tf.Tensor); // builds the weights (their initializers run kernels too)
      return (await tf.profile(() => tf.dispose(l.apply(x) as tf.Tensor))).kernels.length;
    };
    const stock = await kernelsOf(layer(4, false, 'hardSigmoid'));
    const fused = await kernelsOf(fuseLstm(layer(4, false, 'hardSigmoid')));
    assert.ok(stock >= steps * 10, `stock LSTM ran ${stock} kernels`);
    assert.ok(fused < steps, `fused LSTM ran ${fused} kernels`);
    x.dispose();
  });

  test('leaves the configurations it does not compute to tfjs (returned states, dropout)', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([batch, steps, features], -1, 1, 'float32', 7);
      const withState = fuseLstm(tf.layers.lstm({ units: 3, returnState: true }));
      const outs = withState.apply(x) as tf.Tensor[];
      assert.equal(outs.length, 3);
      const dropped = fuseLstm(tf.layers.lstm({ units: 3, dropout: 0.5 }));
      assert.deepEqual((dropped.apply(x) as tf.Tensor).shape, [batch, 3]);
    });
  });

  test("lepton.models.lstm's LSTM is fused as lepton.fit fuses it, and still saves as tfjs's LSTM", async () => {
    const model = lstm({ steps, features, units: [4], seed: 1 });
    assert.equal(fuseLstmLayers(model), 1);
    const x = tf.randomUniform([batch, steps, features], -1, 1, 'float32', 8);
    tf.dispose(model.predict(x));
    const { kernels } = await tf.profile(() => tf.dispose(model.predict(x)));
    assert.ok(
      kernels.length < steps * 2,
      `the model ran ${kernels.length} kernels: ${kernels.map((k) => k.name).join(', ')}`,
    );
    const json = model.toJSON(null, false) as unknown as { config: { layers: { class_name: string }[] } };
    assert.equal(json.config.layers[0]!.class_name, 'LSTM');
    x.dispose();
  });
});
