// compress.distill: a small student learns the teacher's decisions from blended soft targets.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CompressError } from './errors.js';
import { distill, softTargets } from './distill.js';

function mlp(hidden: number, seed: number, activation: 'softmax' | 'linear' = 'softmax'): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: hidden, inputShape: [8], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 3, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

const isBad = (e: unknown) => e instanceof CompressError && e.code === 'LEPTON_COMPRESS_BAD_INPUT';

describe('compress.distill', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  test('soft targets: temperature flattens the teacher probabilities, the same for softmax and logit outputs', () => {
    const logits = mlp(8, 1, 'linear');
    const probs = mlp(8, 1, 'softmax');
    const x = tf.randomNormal([5, 8], 0, 2, 'float32', 3);
    const a = softTargets(logits, x, 4).arraySync();
    const b = softTargets(probs, x, 4).arraySync();
    a.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - b[i]![j]!) < 1e-4)));
    const sharp = softTargets(probs, x, 1).max(-1).mean().dataSync()[0]!;
    const soft = softTargets(probs, x, 4).max(-1).mean().dataSync()[0]!;
    assert.ok(soft < sharp, `max probability at T=4 (${soft}) should be below T=1 (${sharp})`);
  });

  test('a small student agrees with the teacher on > 90% of samples', async () => {
    const x = tf.randomUniform([400, 8], -1, 1, 'float32', 7);
    const y = tf.tidy(() => x.slice([0, 0], [400, 3]).argMax(-1).toFloat());
    const teacher = mlp(32, 10);
    teacher.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
    await teacher.fit(x, y, { epochs: 30, batchSize: 32, verbose: 0 });
    const student = mlp(16, 20);
    const result = await distill(teacher, student, { x, y }, { temperature: 2, alpha: 0.7, epochs: 30, batchSize: 32, optimizer: tf.train.adam(0.01), live: false, seed: 1 });
    assert.equal(result.student, student);
    assert.equal(result.history.epochs.length, 30);
    assert.ok(result.agreement > 0.9, `agreement ${result.agreement}`);
    tf.dispose([x, y]);
  });

  test('bad arguments fail clearly', async () => {
    const teacher = mlp(4, 1);
    const student = mlp(2, 2);
    const data = { x: tf.zeros([4, 8]), y: tf.tensor1d([0, 1, 2, 0], 'int32') };
    await assert.rejects(distill(teacher, student, undefined as never), isBad);
    await assert.rejects(distill(teacher, student, { x: data.x } as never), /\{ x, y \}/);
    await assert.rejects(distill(teacher, student, data, { alpha: 2 }), isBad);
    await assert.rejects(distill(teacher, student, data, { temperature: 0 }), isBad);
    await assert.rejects(distill(teacher, student, data, { epochs: 0 }), isBad);
    const wrong = tf.sequential({ layers: [tf.layers.dense({ units: 5, inputShape: [8], activation: 'softmax' })] });
    await assert.rejects(distill(teacher, wrong, data), /outputs 5 values but the teacher 3/);
    await assert.rejects(distill({} as never, student, data), isBad);
  });
});
