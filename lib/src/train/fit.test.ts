import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setHost, getHost } from '../display/host.js';
import { recordingHost } from '../display/testing.js';
import { toMimeBundle } from '../display/mime.js';
import { backend } from '../backend/select.js';
import { fit, lastHistory } from './fit.js';
import { stopRun } from './stop.js';
import { trainingMimeType, type TrainingBundle } from './training-bundle.js';
import { summary } from './summary.js';

function toyData(n = 64) {
  // Two separable classes: the label is whether the first feature is positive.
  const x = tf.tidy(() => tf.randomNormal([n, 4], 0, 1, 'float32', 7));
  const labels = Array.from(x.arraySync() as number[][], (row) => (row[0]! > 0 ? 1 : 0));
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
  return { x, y };
}

/** Seeded weights, so every run of a test starts from the same model. */
const seeded = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });

function toyModel() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu', ...seeded(1) }),
      tf.layers.dense({ units: 2, activation: 'softmax', ...seeded(2) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

describe('lepton.fit', () => {
  const previous = getHost();
  const rec = recordingHost();
  before(async () => {
    setHost(rec.host);
    await backend('wasm');
  });
  after(() => setHost(previous));

  test('trains, returns per-epoch and per-batch logs, and shows a live display updated under its id', async () => {
    rec.outputs.length = 0;
    const { x, y } = toyData();
    const model = toyModel();
    const history = await fit(
      model,
      { x, y },
      { epochs: 4, batchSize: 16, validation: 0.25, seed: 1, live: { maxUpdatesPerS: 1000 } },
    );
    assert.equal(history.epochs.length, 4);
    assert.equal(history.batches.length, 4 * 3);
    assert.deepEqual(Object.keys(history.last).sort(), ['acc', 'loss', 'val_acc', 'val_loss']);
    assert.ok(history.history.loss!.at(-1)! < history.history.loss![0]!, 'the loss did not go down');
    const first = rec.outputs[0]!;
    assert.equal(first.kind, 'display');
    assert.match(first.id!, /^lepton-training-/);
    assert.ok(rec.outputs.slice(1).every((o) => o.kind === 'update' && o.id === first.id));
    const final = rec.outputs.at(-1)!.bundle;
    const json = final[trainingMimeType] as TrainingBundle;
    assert.equal(json.status, 'finished');
    assert.equal(json.progress.epoch, 4);
    const chart = final['application/vnd.vegalite.v5+json'] as { data: { values: unknown[] } };
    assert.ok(chart.data.values.length > 0);
    assert.match(final['text/plain'] as string, /Trained .* epoch 4\/4/);
    assert.equal((toMimeBundle(history)[trainingMimeType] as TrainingBundle).runId, json.runId);
  });

  test('trains on a tf.data dataset of { xs, ys } batches, validating on another', async () => {
    const { x, y } = toyData(96);
    const batches = (from: number, to: number) =>
      tf.data
        .zip({
          xs: tf.data.array(x.slice(from, to - from).unstack()),
          ys: tf.data.array(y.slice(from, to - from).unstack()),
        })
        .batch(16) as unknown as Parameters<typeof fit>[1];
    const model = toyModel();
    const history = await fit(model, batches(0, 64), { epochs: 6, validation: batches(64, 96), live: false });
    assert.equal(history.epochs.length, 6);
    assert.equal(history.batches.length, 6 * 4, 'four batches of 16 per epoch');
    assert.ok(history.last.val_loss !== undefined, 'validated on the second dataset');
    assert.ok(history.history.loss!.at(-1)! < history.history.loss![0]!, 'the loss did not go down');
  });

  test('the live display is updated at a bounded rate', async () => {
    rec.outputs.length = 0;
    const { x, y } = toyData(256);
    const history = await fit(toyModel(), { x, y }, { epochs: 2, batchSize: 4, live: { maxUpdatesPerS: 2 } });
    const seconds = history.toJSON().progress.elapsedS;
    const updates = rec.outputs.filter((o) => o.kind === 'update').length;
    // At most 2 per second, plus one forced update per epoch end and the final one.
    assert.ok(updates <= Math.ceil(seconds * 2) + 2 + 2, `${updates} updates in ${seconds}s`);
    assert.ok(history.batches.length === 128);
  });

  test('an interrupt stops at the next batch boundary, keeps the weights and history, and says so', async () => {
    rec.outputs.length = 0;
    rec.reset();
    const { x, y } = toyData(256);
    const model = toyModel();
    const before = model.getWeights()[0]!.dataSync().slice();
    const history = await fit(
      model,
      { x, y },
      {
        epochs: 5,
        batchSize: 8,
        callbacks: {
          onBatchEnd: (batch, _logs, epoch) => {
            if (epoch === 1 && batch === 2) rec.interrupt();
          },
        },
      },
    );
    rec.reset();
    assert.equal(history.status, 'interrupted');
    assert.equal(history.epochs.length, 1);
    assert.equal(history.batches.length, 32 + 3);
    assert.match(
      history.message!,
      /Interrupted at epoch 2\/5, batch 3\/32: the model keeps the weights trained so far/,
    );
    assert.equal(lastHistory(), history);
    assert.notDeepEqual(model.getWeights()[0]!.dataSync(), before);
    assert.equal((rec.outputs.at(-1)!.bundle[trainingMimeType] as TrainingBundle).status, 'interrupted');
  });

  test('the Stop request for a run id stops that run at the next batch boundary', async () => {
    const { x, y } = toyData(128);
    const stopped = await fit(
      toyModel(),
      { x, y },
      {
        epochs: 3,
        batchSize: 8,
        callbacks: {
          onBatchEnd: (batch) => {
            if (batch === 4) stopRun(lastHistory()!.runId);
          },
        },
      },
    );
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.batches.length, 5);
    assert.match(stopped.message!, /Stopped at epoch 1\/3, batch 5\/16/);
    assert.equal(stopRun('run-unknown'), false);
  });

  test('early stopping restores the best weights and says why it stopped', async () => {
    const { x, y } = toyData(64);
    const model = toyModel();
    let epochsSeen = 0;
    const history = await fit(
      model,
      { x, y },
      {
        epochs: 30,
        batchSize: 64,
        earlyStopping: { monitor: 'loss', patience: 2, minDelta: 10 },
        callbacks: {
          onEpochEnd: () => {
            epochsSeen++;
          },
        },
        live: false,
      },
    );
    assert.equal(history.status, 'stopped');
    assert.equal(epochsSeen, 3);
    assert.equal(history.bestEpoch, 1);
    assert.match(history.message!, /Early stopping after epoch 3: loss did not improve for 2 epochs/);
  });

  test('restoreBestWeights also ends a full-length run on its best epoch', async () => {
    const { x, y } = toyData(64);
    const model = toyModel();
    let worstLast = 0;
    const history = await fit(
      model,
      { x, y },
      {
        epochs: 4,
        batchSize: 64,
        earlyStopping: { monitor: 'acc', mode: 'min', patience: 10 },
        callbacks: { onEpochEnd: (_e, logs) => void (worstLast = logs.acc!) },
        live: false,
      },
    );
    const accs = history.history.acc!;
    const best = accs.indexOf(Math.min(...accs)) + 1;
    if (best !== 4) {
      assert.equal(history.bestEpoch, best);
      assert.match(history.message!, new RegExp(`Restored the weights of epoch ${best}, the best by acc`));
    }
    assert.ok(Number.isFinite(worstLast));
  });

  test('a learning-rate schedule sets the optimizer rate before each epoch', async () => {
    const { x, y } = toyData(32);
    const model = toyModel();
    const rates: number[] = [];
    await fit(
      model,
      { x, y },
      {
        epochs: 3,
        batchSize: 32,
        live: false,
        learningRateSchedule: (epoch, lr) => (epoch === 0 ? 0.1 : lr / 2),
        callbacks: {
          onEpochBegin: () => void rates.push((model.optimizer as unknown as { learningRate: number }).learningRate),
        },
      },
    );
    assert.deepEqual(rates, [0.1, 0.05, 0.025]);
    await assert.rejects(
      fit(model, { x, y }, { live: false, learningRateSchedule: () => -1 }),
      /gave -1 for epoch 0: a learning rate must be a positive number/,
    );
  });

  test('a checkpoint saves the best weights atomically and a later fit resumes after its epoch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lepton-ckpt-'));
    try {
      const { x, y } = toyData(64);
      const model = toyModel();
      await fit(model, { x, y }, { epochs: 2, batchSize: 16, checkpoint: dir, live: false, seed: 3 });
      const files = readdirSync(dir).sort();
      assert.equal(files.length, 2);
      assert.equal(files[0], 'model.json');
      assert.match(files[1]!, /^weights-\d+-\d+\.bin$/);
      const fresh = toyModel();
      const resumed = await fit(fresh, { x, y }, { epochs: 4, batchSize: 16, checkpoint: dir, live: false });
      assert.deepEqual(
        resumed.epochs.map((e) => e.epoch),
        [3, 4],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad input fails before training with errors naming the problem', async () => {
    const model = toyModel();
    await assert.rejects(fit(model, { x: tf.zeros([10, 4]), y: tf.zeros([9, 2]) }), {
      code: 'LEPTON_TRAIN_SHAPE_MISMATCH',
      message: /10 samples in x \(shape \[10, 4\]\) but 9 labels in y \(shape \[9, 2\]\)/,
    });
    await assert.rejects(fit(model, { x: tf.zeros([10, 5]), y: tf.zeros([10, 2]) }), {
      code: 'LEPTON_TRAIN_SHAPE_MISMATCH',
      message: /expects inputs of shape \[\*, 4\] but x .* has shape \[10, 5\]/,
    });
    await assert.rejects(fit(model, { x: tf.zeros([10, 4]), y: tf.zeros([10]) }), {
      code: 'LEPTON_TRAIN_SHAPE_MISMATCH',
      message: /outputs shape \[\*, 2\] but y .* has shape \[10\]\. y looks like class indices/,
    });
    await assert.rejects(
      fit(model, {
        x: tf.tensor2d([
          [0, 0, 0, 0],
          [1, NaN, 0, 0],
        ]),
        y: tf.zeros([2, 2]),
      }),
      { code: 'LEPTON_TRAIN_BAD_VALUES', message: /x \(training data\) has NaN at sample 1, feature 1/ },
    );
    await assert.rejects(fit(toyModel(), { x: tf.zeros([4, 4]), y: tf.zeros([4, 2]) }, { loss: 'crossEntropy' }), {
      code: 'LEPTON_TRAIN_BAD_OPTION',
      message: /Unknown loss 'crossEntropy'\. Valid losses: meanSquaredError, .*categoricalCrossentropy/,
    });
    await assert.rejects(
      fit(
        toyModel(),
        { x: tf.zeros([4, 4]), y: tf.zeros([4, 2]) },
        { loss: 'categoricalCrossentropy', metrics: ['f1'] },
      ),
      { code: 'LEPTON_TRAIN_BAD_OPTION', message: /Unknown metric 'f1'\. Valid metrics: accuracy/ },
    );
  });

  test('augmentation hooks transform each training batch with the seeded random source', async () => {
    const { x, y } = toyData(32);
    const seen: number[] = [];
    await fit(
      toyModel(),
      { x, y },
      {
        epochs: 1,
        batchSize: 16,
        seed: 5,
        live: false,
        augment: (batch, { random }) => {
          seen.push(random());
          return batch.add(0.01);
        },
      },
    );
    assert.equal(seen.length, 2);
  });

  test('a tfjs model displays as its summary with layers, output shapes, parameters and size', () => {
    const model = toyModel();
    const bundle = toMimeBundle(model);
    const json = bundle['application/vnd.lepton.model+json'] as {
      params: number;
      layers: { type: string; outputShape: unknown }[];
      bytes: number;
    };
    assert.equal(json.params, 4 * 8 + 8 + 8 * 2 + 2);
    assert.deepEqual(
      json.layers.map((l) => l.type),
      ['Dense', 'Dense'],
    );
    assert.deepEqual(json.layers[0]!.outputShape, [null, 8]);
    assert.equal(json.bytes, 58 * 4);
    assert.match(bundle['text/plain'] as string, /Total params: 58 \(232 B\)/);
    assert.match(String(summary(model)), /dense_Dense\d+ \(Dense\)\s+\(None, 8\)\s+40/);
  });
});

test('labels made on the cpu backend from a comparison (bool → int32) train correctly on wasm', async () => {
  await tf.setBackend('cpu');
  const x = tf.randomNormal([512, 4], 0, 1, 'float32', 7);
  const y = x.slice([0, 0], [-1, 1]).reshape([-1]).greater(0).toInt();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4], ...seeded(3) }),
      tf.layers.dense({ units: 2, activation: 'softmax', ...seeded(4) }),
    ],
  });
  await fit(
    model,
    { x, y },
    {
      loss: 'sparseCategoricalCrossentropy',
      optimizer: tf.train.adam(0.05),
      epochs: 20,
      batchSize: 32,
      seed: 1,
      live: false,
    },
  );
  const predicted = (model.predict(x) as tf.Tensor).argMax(-1).dataSync();
  const truth = y.dataSync();
  let right = 0;
  for (let i = 0; i < truth.length; i++) right += predicted[i] === truth[i] ? 1 : 0;
  assert.ok(right / truth.length > 0.9, `trained to ${right / truth.length} on a separable problem`);
});
