import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fit } from '../train/fit.js';
import { linear } from './linear.js';

describe('models.linear', () => {
  test('linear regression learns y = 2a − 3b + 1', async () => {
    const x = tf.randomUniform([200, 2], -1, 1, 'float32', 5);
    const y = tf.tidy(() => x.matMul(tf.tensor2d([[2], [-3]])).add(1));
    const model = linear({ inputs: 2, seed: 1, learningRate: 0.1 });
    await fit(model, { x, y }, { epochs: 60, batchSize: 32, seed: 1, live: false });
    const [w, b] = model.getWeights().map((t) => Array.from(t.dataSync()));
    assert.ok(
      Math.abs(w![0]! - 2) < 0.05 && Math.abs(w![1]! + 3) < 0.05 && Math.abs(b![0]! - 1) < 0.05,
      `weights ${w!.join(',')}, bias ${b!.join(',')}`,
    );
  });
  test('logistic regression separates two classes with one sigmoid unit; windows are flattened', async () => {
    const model = linear({ inputs: [3, 2], outputs: 2, task: 'classification', seed: 2 });
    assert.deepEqual(model.outputs[0]!.shape, [null, 1]);
    const x = tf.randomNormal([200, 3, 2], 0, 1, 'float32', 3);
    const y = tf.tidy(() => x.sum([1, 2]).greater(0).toFloat().reshape([200, 1]));
    const history = await fit(model, { x, y }, { epochs: 30, seed: 2, live: false });
    assert.ok(history.last.acc! > 0.9, `accuracy ${history.last.acc}`);
  });
  test('softmax for more classes, and clear errors for bad options', () => {
    assert.deepEqual(linear({ inputs: 4, outputs: 3, task: 'classification' }).outputs[0]!.shape, [null, 3]);
    assert.throws(() => linear({ inputs: 0 }), { code: 'LEPTON_BAD_ARGUMENT' });
    assert.throws(() => linear({ inputs: 2, task: 'classification', outputs: 1 }), { message: /number of classes/ });
  });
});
