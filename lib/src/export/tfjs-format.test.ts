// export.tfjs writes tfjs's format atomically, and load reads back a model that predicts the same.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { load, tfjs } from './tfjs-format.js';
import { ExportError } from './errors.js';

const root = mkdtempSync(join(tmpdir(), 'lepton-tfjs-'));

const models: [string, () => tf.LayersModel, number[]][] = [
  [
    'a Sequential CNN',
    () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2 }),
        ],
      }),
    [2, 6, 6, 1],
  ],
  [
    'a functional LSTM',
    () => {
      const x = tf.input({ shape: [4, 3] });
      return tf.model({
        inputs: x,
        outputs: tf.layers.dense({ units: 1 }).apply(tf.layers.lstm({ units: 4 }).apply(x)) as tf.SymbolicTensor,
      });
    },
    [2, 4, 3],
  ],
];

describe('export.tfjs and load', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const [name, build, shape] of models) {
    test(`${name} saved and loaded predicts the same`, async () => {
      const model = build();
      const dir = join(root, name.replace(/\W+/g, '-'));
      const saved = await tfjs(model, dir);
      assert.ok(existsSync(saved.modelPath) && existsSync(saved.weightsPath));
      const again = await load(dir);
      const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
      assert.deepEqual((again.predict(x) as tf.Tensor).dataSync(), (model.predict(x) as tf.Tensor).dataSync());
    });
  }

  test('saving over a model replaces it and leaves no stale weights or temporary files', async () => {
    const dir = join(root, 'twice');
    await tfjs(models[0]![1](), dir);
    const second = models[0]![1]();
    const saved = await tfjs(second, dir);
    assert.deepEqual(readdirSync(dir).sort(), ['model.json', saved.weightsPath.split('/').pop()!].sort());
    const x = tf.ones([1, 6, 6, 1]);
    assert.deepEqual(
      ((await load(join(dir, 'model.json'))).predict(x) as tf.Tensor).dataSync(),
      (second.predict(x) as tf.Tensor).dataSync(),
    );
  });

  test('loading a folder without a model says how to make one', async () => {
    await assert.rejects(
      load(join(root, 'missing')),
      (e: unknown) => e instanceof ExportError && /export\.tfjs/.test(e.message),
    );
  });

  test('loading a model.json whose weights file is gone names the file', async () => {
    const dir = join(root, 'broken');
    const saved = await tfjs(models[0]![1](), dir);
    rmSync(saved.weightsPath);
    await assert.rejects(load(dir), /names weights file weights\.[0-9a-f]+\.bin, which is missing/);
    writeFileSync(join(dir, 'model.json'), '{not json');
    await assert.rejects(load(dir), /not valid JSON/);
  });
});
