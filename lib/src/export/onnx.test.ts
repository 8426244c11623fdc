// export.onnx writes a verified model with a sidecar, reports its inputs and outputs, and fails clearly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { onnx } from './onnx.js';
import { readMeta } from './meta.js';
import { verifyExport } from './verify.js';
import { ExportError, UnsupportedLayerError } from './errors.js';
import { toMimeBundle } from '../display/mime.js';

const dir = mkdtempSync(join(tmpdir(), 'lepton-onnx-'));

function cnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

describe('export.onnx', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes the model and a sidecar, verified against tfjs, and reports names, shapes, dtypes and size', async () => {
    const model = cnn();
    const path = join(dir, 'cnn.onnx');
    const result = await onnx(model, path);
    assert.equal(result.path, path);
    assert.equal(result.sizeBytes, readFileSync(path).length);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- older notebooks read the alias; it must keep agreeing
    assert.equal(result.bytes, result.sizeBytes);
    assert.deepEqual(
      result.inputs.map((i) => [i.shape, i.dtype]),
      [[[null, 8, 8, 1], 'float32']],
    );
    assert.deepEqual(
      result.outputs.map((o) => [o.shape, o.dtype]),
      [[[null, 3], 'float32']],
    );
    assert.ok(result.verification && result.verification.maxAbsDiff <= 1e-4);
    assert.ok(result.operators.includes('Conv') && result.operators.includes('MaxPool'));
    const meta = readMeta(join(dir, 'cnn.meta.json'));
    assert.equal(meta.model, 'cnn.onnx');
    assert.equal(meta.bytes, result.sizeBytes);
    assert.deepEqual(meta.inputs, result.inputs);
    assert.deepEqual(meta.outputs, result.outputs);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary files are left',
    );
  });

  test('without a path it returns the bytes and writes nothing', async () => {
    const result = await onnx(cnn());
    assert.equal(result.path, undefined);
    assert.ok(result.data.length > 100);
  });

  test('the result displays as a table of inputs and outputs', async () => {
    const bundle = toMimeBundle(await onnx(cnn(), undefined, { verify: false }));
    assert.match(String(bundle['text/html']), /<table>.*input.*\[batch, 8, 8, 1\].*output/s);
    assert.match(String(bundle['text/plain']), /opset 17, not verified/);
  });

  test('an unsupported layer fails before writing, naming the layer and listing the supported ones', async () => {
    const model = tf.sequential({ layers: [tf.layers.upSampling2d({ inputShape: [4, 4, 1], size: [2, 2] })] });
    const path = join(dir, 'up.onnx');
    await assert.rejects(onnx(model, path), (error: unknown) => {
      assert.ok(error instanceof UnsupportedLayerError);
      assert.equal(error.code, 'LEPTON_UNSUPPORTED_LAYER');
      assert.match(error.message, /UpSampling2D/);
      assert.match(error.message, /Supported layers: .*Conv2D.*LSTM/);
      return true;
    });
    assert.equal(existsSync(path), false);
  });

  test('an unsupported option names the layer and the fix', async () => {
    const model = tf.sequential({
      layers: [tf.layers.embedding({ inputShape: [3], inputDim: 5, outputDim: 2, maskZero: true })],
    });
    await assert.rejects(onnx(model), /maskZero is not supported.*set maskZero: false/);
  });

  test('verification catches an ONNX model that does not compute what tfjs computes', async () => {
    const a = cnn();
    const b = cnn();
    const exported = await onnx(a, undefined, { verify: false });
    await assert.rejects(verifyExport(b, exported.data, exported.inputs, exported.outputs), (error: unknown) => {
      assert.ok(error instanceof ExportError);
      assert.equal(error.code, 'LEPTON_EXPORT_MISMATCH');
      return true;
    });
  });
});
