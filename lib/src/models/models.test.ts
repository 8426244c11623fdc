import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setHost, getHost, type Host } from '../display/host.js';
import { backend } from '../backend/select.js';
import { fit } from '../train/fit.js';
import { cnn, embeddingBag, lossFor, lstm, mlp, transformer } from './index.js';

const quiet: Host = { ...getHost(), display() {}, update() {} };
before(async () => {
  setHost(quiet);
  await backend('wasm');
});

test('mlp, cnn, lstm and transformer build with the requested input and output shapes', () => {
  assert.deepEqual(mlp({ inputs: 784, classes: 10 }).outputs[0]!.shape, [null, 10]);
  assert.deepEqual(cnn({ inputShape: [28, 28, 1], filters: [8, 16], classes: 10 }).outputs[0]!.shape, [null, 10]);
  assert.deepEqual(lstm({ steps: 12, features: 3, outputs: 2 }).outputs[0]!.shape, [null, 2]);
  assert.deepEqual(
    lstm({ steps: 12, vocabulary: 50, classes: 2, binary: true, bidirectional: true }).outputs[0]!.shape,
    [null, 1],
  );
  assert.deepEqual(transformer({ steps: 8, vocabulary: 20, classes: 3 }).outputs[0]!.shape, [null, 3]);
  assert.throws(() => transformer({ steps: 8, vocabulary: 20, dModel: 30, heads: 4 }), {
    code: 'LEPTON_MODEL_BAD_OPTION',
    message: /divisible by heads/,
  });
});

for (const [name, build, x, y] of [
  [
    'mlp',
    () => mlp({ inputs: 6, hidden: [8], classes: 3, seed: 1 }),
    () => tf.randomNormal([24, 6], 0, 1, 'float32', 1),
    () =>
      tf.tensor1d(
        Array.from({ length: 24 }, (_, i) => i % 3),
        'float32',
      ),
  ],
  [
    'cnn',
    () => cnn({ inputShape: [8, 8, 1], filters: [4], dense: 8, classes: 3, seed: 1 }),
    () => tf.randomNormal([24, 8, 8, 1], 0, 1, 'float32', 2),
    () =>
      tf.tensor1d(
        Array.from({ length: 24 }, (_, i) => i % 3),
        'float32',
      ),
  ],
  [
    'lstm',
    () => lstm({ steps: 5, features: 2, units: [4], classes: 3, seed: 1 }),
    () => tf.randomNormal([24, 5, 2], 0, 1, 'float32', 3),
    () =>
      tf.tensor1d(
        Array.from({ length: 24 }, (_, i) => i % 3),
        'float32',
      ),
  ],
  [
    'transformer',
    () => transformer({ steps: 6, vocabulary: 12, dModel: 8, heads: 2, layers: 1, classes: 3, seed: 1 }),
    () => tf.randomUniform([24, 6], 0, 12, 'int32', 4),
    () =>
      tf.tensor1d(
        Array.from({ length: 24 }, (_, i) => i % 3),
        'float32',
      ),
  ],
  [
    'embeddingBag',
    () => embeddingBag({ steps: 6, vocabulary: 12, embedding: 8, classes: 3, seed: 1 }),
    () => tf.randomUniform([24, 6], 0, 12, 'int32', 5),
    () =>
      tf.tensor1d(
        Array.from({ length: 24 }, (_, i) => i % 3),
        'float32',
      ),
  ],
] as const) {
  test(`a ${name} trains on the wasm backend with lepton.fit and its loss goes down`, async () => {
    // Seeded weights, data and shuffling: the run is the same every time (an unlucky start on these tiny models could
    // leave the loss flat).
    const history = await fit(
      build(),
      { x: x(), y: y() },
      { loss: lossFor({ classes: 3 }), optimizer: tf.train.adam(0.02), epochs: 8, batchSize: 8, seed: 1, live: false },
    );
    const loss = history.history.loss!;
    assert.ok(loss.every(Number.isFinite), `${name}: loss ${loss.join(',')}`);
    assert.ok(loss.at(-1)! < loss[0]!, `${name}: loss went from ${loss[0]} to ${loss.at(-1)}`);
  });
}

for (const [name, build] of [
  ['mlp', (seed: number) => mlp({ inputs: 4, hidden: [8], classes: 3, seed })],
  ['cnn', (seed: number) => cnn({ inputShape: [8, 8, 1], filters: [4], dense: 8, classes: 3, seed })],
  [
    'lstm',
    (seed: number) =>
      lstm({ steps: 5, vocabulary: 12, embedding: 4, units: [4, 4], bidirectional: true, classes: 3, seed }),
  ],
  [
    'transformer',
    (seed: number) => transformer({ steps: 6, vocabulary: 12, dModel: 8, heads: 2, layers: 1, classes: 3, seed }),
  ],
  [
    'embeddingBag',
    (seed: number) => embeddingBag({ steps: 6, vocabulary: 12, embedding: 4, hidden: [4], classes: 3, seed }),
  ],
] as const) {
  test(`${name} with a seed builds the same initial weights every time, and different ones for another seed`, () => {
    const weights = (seed: number) =>
      build(seed)
        .getWeights()
        .map((w) => Array.from(w.dataSync()));
    assert.deepEqual(weights(1), weights(1));
    assert.notDeepEqual(weights(1), weights(2));
  });
}

test("a seeded transformer's attention projections start apart (each weight has its own seed)", () => {
  const model = transformer({ steps: 6, vocabulary: 12, dModel: 8, heads: 2, layers: 1, classes: 3, seed: 1 });
  const projections = model
    .getWeights()
    .filter((w) => w.shape.length === 2 && w.shape[0] === 8 && w.shape[1] === 8)
    .map((w) => Array.from(w.dataSync()));
  assert.equal(projections.length, 4);
  assert.equal(new Set(projections.map((p) => p.join())).size, 4);
});
