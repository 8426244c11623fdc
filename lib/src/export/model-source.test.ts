import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { resolveOnnx } from './model-source.js';
import { decodeModel } from '../onnx/decode.js';
import { onnx } from './onnx.js';

describe('the model resolver', () => {
  test('takes ONNX bytes as they are, then the bytes an object holds in data, and gives undefined for anything else', async () => {
    const bytes = new Uint8Array([8, 1]);
    assert.equal(await resolveOnnx(bytes), bytes);
    assert.equal(await resolveOnnx({ data: bytes }), bytes);
    for (const other of [null, 3, 'model.onnx', {}, { data: [8, 1] }, { bytes }])
      assert.equal(await resolveOnnx(other), undefined, JSON.stringify(other));
  });

  test('exports a tfjs model, and an export resolves to the same bytes it holds', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones' })],
    });
    const exported = await onnx(model, undefined, { verify: false });
    assert.equal(await resolveOnnx(exported), exported.data);
    assert.equal(exported.sizeBytes, exported.data.length);
    const resolved = await resolveOnnx(model, { verify: false });
    assert.ok(resolved instanceof Uint8Array);
    assert.deepEqual(
      decodeModel(resolved).graph.input.map((v) => v.name),
      exported.inputs.map((s) => s.name),
    );
    model.dispose();
  });
});
