// Lepton's text models (embedding bag, LSTM and transformer reading a textVectorizer's ids) export to ONNX, give
// tfjs's outputs in onnxruntime-node, and quantize to int8.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { embeddingBag, lstm, transformer } from '../models/index.js';
import { textVectorizer } from '../preprocess/index.js';
import { quantize } from '../compress/quantize.js';
import { onnx } from './onnx.js';
import { decodeModel } from '../onnx/decode.js';

const texts = [
  'Win a FREE cruise, reply now to claim your prize',
  'Meeting moved to noon, the agenda is attached',
  'Cheap meds online!!! no prescription needed',
  'Can you review my draft of the report before Friday?',
  'You have been selected for a cash reward, click here',
  'Lunch tomorrow with the team at the usual place',
  '😀 东京 emoji and CJK text',
  '',
];
const vectorizer = textVectorizer({ maxTokens: 64, sequenceLength: 12 }).fit(texts);
const ids = () => vectorizer.transform(texts);

/** Random weights from a seed, wide enough that every layer's output depends on them. */
function randomize(model: tf.LayersModel, seed: number): tf.LayersModel {
  const weights = model.weights.map((w, i) => tf.randomUniform(w.shape as number[], -0.5, 0.5, 'float32', seed + i));
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

async function ortRun(bytes: Uint8Array, x: tf.Tensor2D): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const input = session.inputNames[0]!;
  const data = x.dtype === 'int32' ? (x.dataSync() as Int32Array) : Float32Array.from(x.dataSync());
  const out = await session.run({ [input]: new ort.Tensor(x.dtype === 'int32' ? 'int32' : 'float32', data, x.shape) });
  await session.release();
  return out[session.outputNames[0]!]!.data as Float32Array;
}

const models: [string, () => tf.LayersModel][] = [
  [
    'transformer({ vectorizer, classes: 3 })',
    () => transformer({ vectorizer, classes: 3, dModel: 16, heads: 4, layers: 2, seed: 1 }),
  ],
  [
    'lstm({ vectorizer, classes: 2, binary: true })',
    () => lstm({ vectorizer, embedding: 8, units: [6], classes: 2, binary: true, seed: 1 }),
  ],
  [
    'bidirectional lstm({ vectorizer, classes: 3 })',
    () => lstm({ vectorizer, embedding: 8, units: [6, 5], bidirectional: true, classes: 3, seed: 1 }),
  ],
  [
    'embeddingBag({ vectorizer, hidden: [8], classes: 3 })',
    () => embeddingBag({ vectorizer, embedding: 8, hidden: [8], classes: 3, seed: 1 }),
  ],
];

describe('text models export to ONNX and match tfjs in onnxruntime-node', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  test("the text models read the vectorizer's sequence length and vocabulary size", () => {
    const model = transformer({ vectorizer, classes: 2 });
    assert.deepEqual(model.inputs[0]!.shape, [null, 12]);
    const embedding = model.layers.find((l) => l.getClassName() === 'Embedding')!;
    assert.equal(embedding.getConfig()['inputDim'], vectorizer.vocabularySize);
    assert.throws(
      () => transformer({ vectorizer: textVectorizer({ outputMode: 'tfidf' }).fit(texts), classes: 2 }),
      /outputMode 'int'/,
    );
    assert.throws(() => embeddingBag({ vectorizer: textVectorizer().fit(texts), classes: 2 }), /no sequenceLength/);
    assert.throws(() => lstm({ vectorizer: textVectorizer({ sequenceLength: 4 }), classes: 2 }), /not fitted/);
  });

  for (const [name, build] of models) {
    test(`${name}: ONNX outputs equal tfjs's within 1e-4`, async () => {
      const model = randomize(build(), 11);
      const exported = await onnx(model, undefined, { verify: false });
      const x = ids();
      const want = (model.predict(x) as tf.Tensor).dataSync();
      const got = await ortRun(exported.data, x);
      assert.equal(got.length, want.length);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      assert.ok(worst <= 1e-4, `max |onnx - tfjs| = ${worst}`);
      model.dispose();
    });
  }

  test('the transformer exports its attention as ONNX ops onnxruntime runs, for any batch size', async () => {
    const model = transformer({ vectorizer, classes: 2, dModel: 8, heads: 2, layers: 1, seed: 3 });
    const exported = await onnx(model, undefined, { verify: false });
    const ops = new Set(decodeModel(exported.data).graph.node.map((n) => n.opType));
    for (const op of ['Gather', 'Add', 'MatMul', 'Softmax', 'LayerNormalization'])
      assert.ok(ops.has(op), `${op} in ${[...ops].join(', ')}`);
    const one = tf.tensor2d(Array.from(ids().dataSync()).slice(0, 12), [1, 12], 'int32');
    const got = await ortRun(exported.data, one);
    const want = (model.predict(one) as tf.Tensor).dataSync();
    assert.ok(Math.abs(got[0]! - want[0]!) < 1e-4 && Math.abs(got[1]! - want[1]!) < 1e-4);
  });
});

describe('text models quantize to int8', () => {
  for (const [name, build] of models) {
    test(`${name}: static int8 stays within 0.05 of fp32 probabilities`, async () => {
      const model = randomize(build(), 5);
      const x = ids();
      const q = await quantize(model, { calibration: x });
      assert.ok(q.data.length > 0);
      const want = (model.predict(x) as tf.Tensor).dataSync();
      const got = await ortRun(q.data, x);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      assert.ok(worst <= 0.05, `max |int8 - fp32| = ${worst}`);
      const ops = decodeModel(q.data).graph.node.map((n) => n.opType);
      assert.ok(ops.includes('DequantizeLinear'), 'the weights are stored quantized');
      model.dispose();
    });
  }
});
