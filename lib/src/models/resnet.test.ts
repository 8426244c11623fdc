import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backend } from '../backend/select.js';
import { getHost, setHost, type Host } from '../display/host.js';
import { onnx } from '../export/onnx.js';
import { fit } from '../train/fit.js';
import { cnn, fineTune, resnet } from './index.js';

const quiet: Host = { ...getHost(), display() {}, update() {} };
before(async () => {
  setHost(quiet);
  await backend('wasm');
});

test('resnet builds residual stages that halve the resolution, with batch norm, and exports to ONNX matching tfjs', async () => {
  const model = resnet({ inputShape: [16, 16, 3], classes: 4, blocks: [1, 2], seed: 1 });
  assert.deepEqual(model.outputs[0]!.shape, [null, 4]);
  assert.equal(model.layers.filter((l) => l.getClassName() === 'Add').length, 3);
  assert.ok(model.layers.some((l) => l.getClassName() === 'BatchNormalization'));
  assert.deepEqual((model.getLayer('s2b1_add').output as tf.SymbolicTensor).shape, [null, 8, 8, 32]);
  const exported = await onnx(model);
  assert.ok(exported.sizeBytes > 1000);
  assert.ok(exported.verification!.maxAbsDiff < 1e-4, `max |Δ| ${exported.verification!.maxAbsDiff}`);
});

test('cnn takes [h, w, 3] colour images and exports to ONNX', async () => {
  const model = cnn({ inputShape: [12, 12, 3], filters: [4, 8], dense: 8, classes: 3, seed: 1 });
  assert.deepEqual(model.inputs[0]!.shape, [null, 12, 12, 3]);
  assert.ok((await onnx(model)).verification!.maxAbsDiff < 1e-4);
});

test('fineTune keeps the trained body (shared weights, frozen), replaces the head, trains only the head and exports', async () => {
  const base = cnn({ inputShape: [8, 8, 3], filters: [4], dense: 8, classes: 5, seed: 1 });
  const conv = base.layers[0]!;
  const before = Array.from(conv.getWeights()[0]!.dataSync());
  const tuned = fineTune(base, { classes: 2, seed: 2 });
  assert.deepEqual(tuned.outputs[0]!.shape, [null, 2]);
  assert.ok(tuned.layers.includes(conv), 'the body layers are shared, with their weights');
  assert.deepEqual(
    tuned.layers.filter((l) => l.trainable && l.trainableWeights.length > 0).map((l) => l.name),
    [tuned.layers.at(-1)!.name],
  );
  const x = tf.randomUniform([16, 8, 8, 3], 0, 1, 'float32', 3);
  const y = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 2));
  const history = await fit(
    tuned,
    { x, y },
    { loss: 'sparseCategoricalCrossentropy', epochs: 3, batchSize: 8, seed: 1, live: false },
  );
  assert.ok(history.history.loss!.every(Number.isFinite));
  assert.deepEqual(Array.from(conv.getWeights()[0]!.dataSync()), before, 'frozen body weights did not change');
  assert.ok((await onnx(tuned)).verification!.maxAbsDiff < 1e-4);
  const partly = fineTune(base, { classes: 2, freeze: 1 });
  assert.deepEqual(
    partly.layers.filter((l) => !l.trainable && l.weights.length > 0).map((l) => l.name),
    [conv.name],
  );
  assert.throws(() => fineTune(base, { classes: 2, freeze: ['nope'] }), {
    code: 'LEPTON_MODEL_BAD_OPTION',
    message: /freeze names "nope", which is not a layer of the body/,
  });
});
