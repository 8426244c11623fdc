// compress.prune: per-layer magnitude pruning to the target, masks that hold through fine-tuning, smaller gzipped ONNX.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { toMimeBundle } from '../display/mime.js';
import { CompressError } from './errors.js';
import { onnxBytesOf } from './source.js';
import { magnitudeMask, polynomialSparsity, prune } from './prune.js';

function mlp(inputs: number, hidden: number, classes: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: hidden,
        inputShape: [inputs],
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dense({
        units: classes,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
}

function task(n: number, inputs: number) {
  const x = tf.randomUniform([n, inputs], -1, 1, 'float32', 5);
  const y = tf.tidy(() => x.slice([0, 0], [n, 4]).argMax(-1));
  return { x, y };
}

const isBad = (e: unknown) => e instanceof CompressError && e.code === 'LEPTON_COMPRESS_BAD_INPUT';

describe('compress.prune', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  test('magnitudeMask zeros exactly the smallest |w|; the polynomial schedule ramps from 0 to the target', () => {
    assert.deepEqual([...magnitudeMask(Float32Array.from([0.5, -0.1, 2, -3, 0.2]), 0.4)], [1, 0, 1, 1, 0]);
    assert.equal(polynomialSparsity(0.8, 0, 100), 0);
    assert.ok(polynomialSparsity(0.8, 30, 100) > 0.4 && polynomialSparsity(0.8, 30, 100) < 0.8);
    assert.equal(polynomialSparsity(0.8, 75, 100), 0.8);
    assert.equal(polynomialSparsity(0.8, 100, 100), 0.8);
  });

  test('one shot: every kernel reaches the target, the original is untouched, and the result shows as a table', async () => {
    const model = mlp(32, 64, 4);
    const result = await prune(model, { sparsity: 0.8 });
    assert.notEqual(result.model, model);
    assert.deepEqual(Object.keys(result.sparsity).length, 2);
    for (const [layer, s] of Object.entries(result.sparsity)) assert.ok(Math.abs(s - 0.8) < 0.005, `${layer}: ${s}`);
    const original = model.layers[0]!.getWeights()[0]!.dataSync();
    assert.ok(
      original.every((v) => v !== 0),
      'the original model was changed',
    );
    const bundle = toMimeBundle(result);
    assert.match(String(bundle['text/html']), /<table>.*kernel.*80\.0%/s);
    assert.match(String(bundle['text/plain']), /Pruned to 80%/);
  });

  test('fine-tuning with the polynomial schedule ends at the target, and constant-schedule masks hold through training', async () => {
    const model = mlp(16, 32, 4);
    const data = task(256, 16);
    const poly = await prune(model, {
      sparsity: 0.7,
      fineTune: { data, epochs: 2, batchSize: 32, live: false, seed: 1 },
    });
    for (const [layer, s] of Object.entries(poly.sparsity))
      assert.ok(Math.abs(s - 0.7) < 0.01, `polynomial ${layer}: ${s}`);
    assert.equal(poly.history?.epochs.length, 2);

    const masks = model.layers.map((l) => magnitudeMask(l.getWeights()[0]!.dataSync() as Float32Array, 0.7));
    const constant = await prune(model, {
      sparsity: 0.7,
      schedule: 'constant',
      fineTune: { data, epochs: 2, live: false, seed: 1 },
    });
    constant.model.layers.forEach((layer, i) => {
      const w = layer.getWeights()[0]!.dataSync();
      const kept = masks[i]!.reduce((n, m, j) => n + (m === 0 && w[j] !== 0 ? 1 : 0), 0);
      assert.equal(kept, 0, `${layer.name}: ${kept} pruned weights came back after fine-tuning`);
    });
    const before = model.layers[1]!.getWeights()[0]!.dataSync();
    const after = constant.model.layers[1]!.getWeights()[0]!.dataSync();
    assert.ok(
      after.some((v, j) => v !== 0 && v !== before[j]),
      'the kept weights were trained',
    );
    tf.dispose([data.x, data.y]);
  });

  test('the pruned model exports to an ONNX file that gzips under 0.6× the dense one at 80%', async () => {
    const model = mlp(128, 256, 10);
    const pruned = await prune(model, { sparsity: 0.8 });
    const dense = gzipSync(await onnxBytesOf(model)).length;
    const sparse = gzipSync(await onnxBytesOf(pruned.model)).length;
    assert.ok(sparse < 0.6 * dense, `gzipped ${sparse} vs ${dense} bytes (${(sparse / dense).toFixed(2)}×)`);
  });

  test('bad options fail clearly', async () => {
    const model = mlp(4, 4, 2);
    for (const sparsity of [0, 1, 1.5, -0.2, Number.NaN])
      await assert.rejects(prune(model, { sparsity }), isBad, `sparsity ${sparsity}`);
    await assert.rejects(prune(model, undefined as never), isBad);
    await assert.rejects(prune(model, { sparsity: 0.5, schedule: 'polynomial' }), /fineTune/);
    await assert.rejects(prune(model, { sparsity: 0.5, fineTune: { epochs: 1 } as never }), /fineTune\.data/);
    await assert.rejects(
      prune(model, { sparsity: 0.5, fineTune: { data: { x: tf.zeros([3, 4]), y: tf.zeros([2]) }, epochs: 1 } }),
      isBad,
    );
    await assert.rejects(prune({} as never, { sparsity: 0.5 }), isBad);
  });
});
