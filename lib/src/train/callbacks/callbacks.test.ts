import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getHost, setHost } from '../../display/host.js';
import { recordingHost } from '../../display/testing.js';
import { backend } from '../../backend/select.js';
import { fit } from '../fit.js';
import { TrainError } from '../errors.js';
import { csvLogger, earlyStopping, reduceLROnPlateau, terminateOnNaN } from './index.js';

/** A linear regression problem, seeded: y = 3·x₀ − 2·x₁. */
function line(n = 32) {
  const x = tf.tidy(() => tf.randomUniform([n, 2], -1, 1, 'float32', 11));
  const y = tf.tidy(() => tf.matMul(x, tf.tensor2d([[3], [-2]])));
  return { x, y };
}

/** A one-layer regression model with seeded weights, trained by SGD at `rate`. */
function regression(rate: number) {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(rate), loss: 'meanSquaredError' });
  return model;
}

const rateOf = (model: tf.LayersModel) => (model.optimizer as unknown as { learningRate: number }).learningRate;

/** The code of the TrainError `promise` rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TrainError, `expected a TrainError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('expected a TrainError');
}

describe('lepton.callbacks', () => {
  const previous = getHost();
  before(async () => {
    setHost(recordingHost().host);
    await backend('wasm');
  });
  after(() => setHost(previous));

  test('reduceLROnPlateau multiplies the rate by factor after patience epochs without improvement, then cools down', async () => {
    // At a rate of 1e-9 the loss cannot move by minDelta: every epoch after the first is a plateau.
    const model = regression(1e-9);
    const reduce = reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, cooldown: 2 });
    await fit(model, line(), { epochs: 7, batchSize: 32, shuffle: false, live: false, callbacks: [reduce] });
    // Epoch 1 sets the best; 2, 3 plateau → halve; 4 cools down; 5 ends the cooldown and counts one; 6 → halve.
    const r = 1e-9;
    assert.deepEqual(reduce.rates, [r, r, r, r / 2, r / 2, r / 2, r / 4]);
    assert.equal(rateOf(model), r / 4);
  });

  test('reduceLROnPlateau never goes below minLearningRate and keeps the rate while the loss improves', async () => {
    const stuck = regression(1e-9);
    const floor = reduceLROnPlateau({ monitor: 'loss', factor: 0.1, patience: 1, minLearningRate: 4e-10 });
    await fit(stuck, line(), { epochs: 4, batchSize: 32, shuffle: false, live: false, callbacks: [floor] });
    assert.equal(rateOf(stuck), 4e-10);
    const learning = regression(0.1);
    const steady = reduceLROnPlateau({ monitor: 'loss', patience: 1 });
    await fit(learning, line(), { epochs: 4, batchSize: 32, shuffle: false, live: false, callbacks: [steady] });
    assert.deepEqual(steady.rates, [0.1, 0.1, 0.1, 0.1]);
  });

  test('terminateOnNaN stops a diverging run at the batch whose loss is no longer finite', async () => {
    // SGD at a rate of 1e6 on this problem overflows within a few steps.
    const diverging = await fit(regression(1e6), line(), { epochs: 20, batchSize: 4, shuffle: false, live: false });
    assert.equal(diverging.status, 'finished', 'without the callback the run trains every epoch on NaN');
    assert.equal(diverging.epochs.length, 20);
    const history = await fit(regression(1e6), line(), {
      epochs: 20,
      batchSize: 4,
      shuffle: false,
      live: false,
      callbacks: [terminateOnNaN()],
    });
    assert.equal(history.status, 'stopped');
    const last = history.batches.at(-1)!;
    assert.ok(!Number.isFinite(last.logs.loss!), 'the last batch is the first non-finite one');
    assert.ok(history.batches.slice(0, -1).every((b) => Number.isFinite(b.logs.loss!)));
    assert.match(
      history.message!,
      new RegExp(
        `Stopped at epoch ${last.epoch}, batch ${last.batch}: the loss became (NaN|Infinity) \\(terminateOnNaN\\)`,
      ),
    );
  });

  test('csvLogger writes a header and one line per epoch with every log, and appends only to a file with the same columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lepton-csv-'));
    try {
      const path = join(dir, 'logs', 'run.csv');
      const history = await fit(regression(0.1), line(40), {
        epochs: 3,
        batchSize: 8,
        validation: 0.25,
        seed: 2,
        live: false,
        callbacks: [csvLogger(path)],
      });
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      assert.equal(lines[0], 'epoch,loss,val_loss');
      assert.deepEqual(
        lines.slice(1),
        history.epochs.map((e) => `${e.epoch},${e.logs.loss},${e.logs.val_loss}`),
      );
      await fit(regression(0.1), line(40), {
        epochs: 2,
        batchSize: 8,
        validation: 0.25,
        live: false,
        callbacks: [csvLogger(path, { append: true })],
      });
      assert.equal(readFileSync(path, 'utf8').trimEnd().split('\n').length, 1 + 3 + 2);
      const code = await codeOf(
        fit(regression(0.1), line(40), { epochs: 1, live: false, callbacks: [csvLogger(path, { append: true })] }),
      );
      assert.equal(code, 'LEPTON_TRAIN_LOG_FILE');
      writeFileSync(join(dir, 'semi.csv'), '');
      await fit(regression(0.1), line(8), {
        epochs: 1,
        live: false,
        callbacks: [csvLogger(join(dir, 'semi.csv'), { separator: ';', append: true })],
      });
      assert.match(readFileSync(join(dir, 'semi.csv'), 'utf8'), /^epoch;loss\n1;[-\d.e]+\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('earlyStopping as a callback stops as the earlyStopping option does', async () => {
    const history = await fit(regression(1e-9), line(), {
      epochs: 30,
      batchSize: 32,
      live: false,
      callbacks: [earlyStopping({ monitor: 'loss', patience: 2, minDelta: 10 })],
    });
    assert.equal(history.status, 'stopped');
    assert.equal(history.epochs.length, 3);
    assert.equal(history.bestEpoch, 1);
    assert.match(history.message!, /Early stopping after epoch 3: loss did not improve for 2 epochs/);
  });

  test('bad callback options fail before training with a TrainError code', async () => {
    assert.throws(
      () => reduceLROnPlateau({ factor: 1 }),
      (e: unknown) => e instanceof TrainError && e.code === 'LEPTON_TRAIN_BAD_OPTION',
    );
    assert.throws(
      () => reduceLROnPlateau({ patience: 1.5 }),
      (e: unknown) => e instanceof TrainError && e.code === 'LEPTON_TRAIN_BAD_OPTION',
    );
    assert.throws(
      () => csvLogger('x.csv', { separator: '' }),
      (e: unknown) => e instanceof TrainError && e.code === 'LEPTON_TRAIN_BAD_OPTION',
    );
    const model = regression(0.1);
    const before = model.getWeights().map((w) => w.dataSync().slice());
    assert.equal(
      await codeOf(fit(model, line(), { live: false, callbacks: [reduceLROnPlateau({ monitor: 'val_loss' })] })),
      'LEPTON_TRAIN_BAD_MONITOR',
    );
    assert.equal(
      await codeOf(fit(model, line(), { live: false, callbacks: [earlyStopping({ monitor: 'acc' })] })),
      'LEPTON_TRAIN_BAD_MONITOR',
    );
    assert.deepEqual(
      model.getWeights().map((w) => w.dataSync().slice()),
      before,
      'no step was taken',
    );
  });
});
