import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { penguins } from '../datasets/datasets.js';
import { gradientBoosting } from '../models/gradient-boosting/index.js';
import { labelEncoder } from '../preprocess/encoders.js';
import { decodeModel } from '../onnx/decode.js';
import { onnx } from './onnx.js';
import { probeRows } from './tree-ensemble.js';
import { runOnnx } from '../onnx/run.js';

const df = penguins();
const encoder = () => labelEncoder({ columns: ['Island', 'Sex'] });
const measured = df.filter((d: Record<string, unknown>) => d.Sex === 'MALE' || d.Sex === 'FEMALE');

describe('gradient boosting to ONNX', () => {
  test("a multiclass model is one TreeEnsembleClassifier whose probabilities equal Lepton's, missing values included", async () => {
    const gbm = gradientBoosting({ trees: 20, encoder: encoder() }).fit(df, 'Species');
    const exported = await onnx(gbm);
    assert.deepEqual(exported.operators, ['TreeEnsembleClassifier']);
    assert.deepEqual(exported.inputs, [{ name: 'x', shape: [null, 6], dtype: 'float32' }]);
    assert.deepEqual(exported.outputs, [{ name: 'probabilities', shape: [null, 3], dtype: 'float32' }]);
    assert.ok(exported.verification!.maxAbsDiff <= 1e-5);
    const model = decodeModel(exported.data);
    assert.deepEqual(model.opsetImport.map((o) => o.domain).sort(), ['', 'ai.onnx.ml']);
    // The raw frame's rows, missing measurements as NaN, through onnxruntime-node.
    const x = probeRows(gbm, 300, 7);
    const [ort] = await runOnnx(exported.data, [{ name: 'x', shape: [300, 6], data: x }], ['probabilities']);
    const ours = gbm.predictProba(tf.tensor2d(x, [300, 6])).dataSync();
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - ort![i]!));
    assert.ok(worst <= 1e-5, `largest difference ${worst}`);
    assert.ok(Array.from(x).some(Number.isNaN), 'the probe rows hold missing values');
  });
  test('a binary classifier gives [1 − p, p] as Lepton does', async () => {
    const gbm = gradientBoosting({ trees: 25, encoder: labelEncoder({ columns: ['Island'] }) }).fit(
      measured.select('Sex', 'Island', 'Beak Depth (mm)', 'Body Mass (g)'),
      'Sex',
    );
    const exported = await onnx(gbm);
    assert.deepEqual(exported.outputs[0]!.shape, [null, 2]);
    assert.ok(exported.verification!.maxAbsDiff <= 1e-5);
  });
  test("a regression is one TreeEnsembleRegressor whose predictions equal Lepton's", async () => {
    const gbm = gradientBoosting({
      trees: 30,
      leaves: 8,
      encoder: labelEncoder({ columns: ['Species', 'Island', 'Sex'] }),
    }).fit(
      df.filter((d: Record<string, unknown>) => d['Body Mass (g)'] != null),
      'Body Mass (g)',
    );
    const exported = await onnx(gbm);
    assert.deepEqual(exported.operators, ['TreeEnsembleRegressor']);
    assert.deepEqual(exported.outputs, [{ name: 'prediction', shape: [null, 1], dtype: 'float32' }]);
    assert.ok(exported.verification!.maxAbsDiff <= 1e-5 * 6000, `max |Δ| ${exported.verification!.maxAbsDiff}`);
  });
  test('an unfitted model is refused with the fix', async () => {
    await assert.rejects(onnx(gradientBoosting()), { code: 'LEPTON_BAD_MODEL', message: /not fitted; call fit first/ });
  });
});
