import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { backend } from '../backend/select.js';
import { seededRandom } from '../core/random.js';
import { getHost, setHost, type Host } from '../display/host.js';
import { displaySymbol } from '../display/mime.js';
import { evaluate } from '../evaluate/evaluate.js';
import { saliency } from '../explain/saliency.js';
import { cnn } from '../models/cnn.js';
import { brightness, contrast } from '../preprocess/augment.js';
import { fit } from '../train/fit.js';
import { ImageDataset } from './dataset.js';
import { images } from './read.js';
import { trainedOn } from './trained.js';

const quiet: Host = { ...getHost(), display() {}, update() {} };

/** 24 reddish and 24 bluish 12×12 PNGs with seeded noise, in class folders. */
async function colours(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lepton-colours-'));
  const rand = seededRandom(5);
  for (const [name, rgb] of [
    ['blue', [40, 60, 200]],
    ['red', [200, 50, 40]],
  ] as const) {
    mkdirSync(join(dir, name));
    for (let i = 0; i < 24; i++) {
      const px = Buffer.alloc(12 * 12 * 3);
      for (let p = 0; p < px.length; p++)
        px[p] = Math.max(0, Math.min(255, rgb[p % 3]! + Math.round((rand() - 0.5) * 120)));
      writeFileSync(
        join(dir, name, `${i}.png`),
        await sharp(px, { raw: { width: 12, height: 12, channels: 3 } })
          .png()
          .toBuffer(),
      );
    }
  }
  return dir;
}

describe('lepton.fit and lepton.evaluate on an image dataset', () => {
  let dir: string;
  let cache: string;
  before(async () => {
    setHost(quiet);
    await backend('wasm');
    dir = await colours();
    cache = mkdtempSync(join(tmpdir(), 'lepton-image-cache-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  const train = async (streamed: boolean) => {
    const ds = await images(dir, { size: [8, 8], validationSplit: 0.25, seed: 1, cache, memory: !streamed });
    const model = cnn({ inputShape: [8, 8, 3], filters: [4], dense: 8, classes: 2, seed: 1 });
    const augment = { flip: true, rotate: 10, zoom: true, shift: 0.1, contrast: 0.2, brightness: 0.1 };
    const data = streamed ? ds.train.batches(8, { seed: 1 }) : ds.train;
    assert.ok(ds.validation, 'a validationSplit gives a validation part');
    const history = await fit(model, data, {
      validation: ds.validation,
      augment,
      loss: 'sparseCategoricalCrossentropy',
      optimizer: tf.train.adam(0.03),
      epochs: 6,
      batchSize: 8,
      seed: 1,
      live: false,
    });
    return { ds, model, history };
  };

  it('trains on its tensors with seeded augmentation, the same losses every run, and evaluates with class names and the worst mistakes', async () => {
    const a = await train(false);
    const b = await train(false);
    assert.deepEqual(a.history.history.loss, b.history.history.loss);
    assert.ok(a.history.history.val_acc!.at(-1)! >= 0.9, `val accuracy ${JSON.stringify(a.history.history.val_acc)}`);
    assert.deepEqual(trainedOn(a.model), {
      classNames: ['blue', 'red'],
      image: { size: [8, 8], channels: 3, fit: 'cover' },
    });
    const report = await evaluate(a.model, a.ds.validation!);
    assert.equal(report.metrics.task, 'classification');
    assert.deepEqual(report.metrics.classNames, ['blue', 'red']);
    assert.ok(report.accuracy! >= 0.9);
    const html = report[displaySymbol]()['text/html'] as string;
    assert.match(html, report.worstMistakes.length ? /Worst mistakes/ : /No mistakes/);
    assert.ok(
      report.worstMistakes.every(
        (m, i, all) => m.trueLabel !== m.predicted && (i === 0 || all[i - 1]!.probability >= m.probability),
      ),
    );
  });

  it('explains a trained model on the dataset itself: saliency maps of its first images, captioned with its class names', async () => {
    const { ds, model } = await train(false);
    const validation = ds.validation!;
    const result = await saliency(model, validation, { count: 3 });
    assert.deepEqual(result.maps.shape, [Math.min(3, validation.length), 8, 8]);
    assert.match(result.toString(), /predicted (blue|red)/);
    // The same images given as tensors give the same maps: the dataset path reads them as training did.
    const { x, y } = await validation.tensors(3);
    const direct = saliency(model, x);
    assert.deepEqual(Array.from(result.maps.dataSync()), Array.from(direct.maps.dataSync()));
    tf.dispose([x, y]);
    [result, direct].forEach((r) => r.dispose());
    await assert.rejects(saliency(model, validation, { count: 0 }), /count must be a whole number ≥ 1/);
  });

  it('trains on a stream of batches read from the disk cache', async () => {
    const { history } = await train(true);
    assert.equal(history.history.loss!.length, 6);
    assert.ok(history.history.val_acc!.at(-1)! >= 0.9, `val accuracy ${JSON.stringify(history.history.val_acc)}`);
  });

  it("a dataset streamed by lepton.fit (larger than maxTensorBytes) is shuffled by fit's seed, not the dataset's", async () => {
    const ds = await images(dir, { size: [8, 8], seed: 1, cache });
    const losses = async (seed: number) => {
      const model = cnn({ inputShape: [8, 8, 3], filters: [4], dense: 8, classes: 2, seed: 1 });
      const history = await fit(model, ds.train, {
        loss: 'sparseCategoricalCrossentropy',
        optimizer: tf.train.sgd(0.1),
        epochs: 2,
        batchSize: 4,
        seed,
        live: false,
      });
      return history.history.loss!;
    };
    const limit = ImageDataset.maxTensorBytes;
    ImageDataset.maxTensorBytes = 0; // every dataset streams
    try {
      const [a, again, other] = [await losses(1), await losses(1), await losses(2)];
      assert.deepEqual(a, again, 'the same seed gives the same batches');
      // Same weights, same data: only the order of the batches differs, so the losses differ with the seed.
      assert.notDeepEqual(a, other, 'another seed gives another order');
    } finally {
      ImageDataset.maxTensorBytes = limit;
    }
  });

  it('contrast and brightness change each image by a seeded random amount and keep pixels in [0, 1]', () => {
    const x = tf.randomUniform([4, 6, 6, 3], 0, 1, 'float32', 1);
    for (const f of [
      (t: tf.Tensor) => contrast(t, { factor: 0.5, seed: 2 }),
      (t: tf.Tensor) => brightness(t, { delta: 0.3, seed: 2 }),
    ]) {
      const [y1, y2] = [f(x), f(x)];
      assert.deepEqual(Array.from(y1.dataSync()), Array.from(y2.dataSync()));
      assert.ok(Math.abs(y1.sub(x).abs().mean().dataSync()[0]!) > 1e-3);
      assert.ok(y1.min().dataSync()[0]! >= 0 && y1.max().dataSync()[0]! <= 1);
    }
  });
});
