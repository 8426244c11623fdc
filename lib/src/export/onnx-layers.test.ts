// Every supported layer, exported from a small model with random weights, gives tfjs's outputs in onnxruntime-node.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { onnx } from './onnx.js';
import { decodeModel } from '../onnx/decode.js';
import { randomInputs } from '../onnx/run.js';
import { supportedLayers } from './convert/registry.js';
import { supportedActivations } from './convert/activations.js';
import { transformer } from '../models/transformer.js';

/** Replaces every weight with random values (variances positive), so zero biases and unit statistics hide nothing. */
/** The names tfjs's layer configs accept as `activation`. */
type ActivationName = NonNullable<Parameters<typeof tf.layers.dense>[0]['activation']>;

function randomize(model: tf.LayersModel, seed = 7): tf.LayersModel {
  const weights = model.weights.map((w, i) => {
    const positive = /variance/.test(w.originalName);
    return tf.randomUniform(w.shape as number[], positive ? 0.5 : -0.5, positive ? 1.5 : 0.5, 'float32', seed + i);
  });
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

const seq = (inputShape: number[], ...layers: tf.layers.Layer[]): tf.LayersModel => {
  const model = tf.sequential();
  layers.forEach((layer, i) => {
    if (i === 0) model.add(tf.layers.inputLayer({ inputShape }));
    model.add(layer);
  });
  return model;
};

/** The cases: a name (what a failure reports) and a model using the layer. */
const cases: [string, () => tf.LayersModel][] = [
  ['Dense on a vector', () => seq([6], tf.layers.dense({ units: 4 }))],
  ['Dense without bias on a sequence (rank 3)', () => seq([3, 6], tf.layers.dense({ units: 4, useBias: false }))],
  ...supportedActivations.map((a): [string, () => tf.LayersModel] => [
    `Dense with activation ${a}`,
    () => seq([6], tf.layers.dense({ units: 5, activation: a as ActivationName })),
  ]),
  ...supportedActivations.map((a): [string, () => tf.LayersModel] => [
    `Activation layer ${a}`,
    () => seq([2, 6], tf.layers.activation({ activation: a as ActivationName })),
  ]),
  ['ReLU layer with maxValue', () => seq([8], tf.layers.reLU({ maxValue: 0.2 }))],
  ['ReLU layer', () => seq([8], tf.layers.reLU({}))],
  ['LeakyReLU', () => seq([8], tf.layers.leakyReLU({ alpha: 0.1 }))],
  ['PReLU', () => seq([3, 4], tf.layers.prelu({}))],
  ['ELU layer', () => seq([8], tf.layers.elu({}))],
  ['ThresholdedReLU', () => seq([8], tf.layers.thresholdedReLU({ theta: 0.1 }))],
  ['Softmax layer', () => seq([8], tf.layers.softmax({}))],
  [
    'Flatten after Conv2D keeps the (h, w, c) order',
    () =>
      seq(
        [4, 5, 2],
        tf.layers.conv2d({ filters: 3, kernelSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3 }),
      ),
  ],
  ['Reshape', () => seq([12], tf.layers.reshape({ targetShape: [3, 4] }), tf.layers.dense({ units: 2 }))],
  ['Dropout is the identity', () => seq([6], tf.layers.dropout({ rate: 0.5 }), tf.layers.dense({ units: 2 }))],
  ['Permute', () => seq([3, 4, 2], tf.layers.permute({ dims: [3, 1, 2] }))],
  ['RepeatVector', () => seq([4], tf.layers.repeatVector({ n: 3 }))],
  ['Conv2D valid', () => seq([6, 5, 3], tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }))],
  [
    'Conv2D same, stride 2, odd sizes',
    () => seq([7, 6, 2], tf.layers.conv2d({ filters: 3, kernelSize: [3, 2], strides: 2, padding: 'same' })),
  ],
  [
    'Conv2D same, dilation 2',
    () => seq([7, 7, 2], tf.layers.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same' })),
  ],
  ['Conv1D valid', () => seq([9, 3], tf.layers.conv1d({ filters: 4, kernelSize: 3 }))],
  [
    'Conv1D same, stride 2',
    () => seq([9, 3], tf.layers.conv1d({ filters: 4, kernelSize: 4, strides: 2, padding: 'same' })),
  ],
  [
    'Conv1D same, dilation 2',
    () => seq([9, 3], tf.layers.conv1d({ filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same' })),
  ],
  [
    'DepthwiseConv2D, multiplier 2',
    () => seq([6, 6, 3], tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 })),
  ],
  [
    'DepthwiseConv2D same, stride 2',
    () =>
      seq([7, 6, 2], tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6' })),
  ],
  [
    'SeparableConv2D',
    () => seq([6, 6, 3], tf.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2 })),
  ],
  [
    'SeparableConv2D same, stride 2',
    () => seq([7, 7, 2], tf.layers.separableConv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' })),
  ],
  ['MaxPooling2D valid', () => seq([6, 6, 2], tf.layers.maxPooling2d({ poolSize: 2 }))],
  [
    'MaxPooling2D same, odd sizes',
    () => seq([7, 5, 2], tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' })),
  ],
  [
    'AveragePooling2D same excludes padding',
    () => seq([7, 5, 2], tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' })),
  ],
  ['AveragePooling2D valid', () => seq([6, 6, 2], tf.layers.averagePooling2d({ poolSize: 2 }))],
  ['MaxPooling1D', () => seq([9, 3], tf.layers.maxPooling1d({ poolSize: 2 }))],
  ['AveragePooling1D same', () => seq([9, 3], tf.layers.averagePooling1d({ poolSize: 2, padding: 'same' }))],
  ['GlobalAveragePooling2D', () => seq([5, 4, 3], tf.layers.globalAveragePooling2d({}))],
  ['GlobalMaxPooling2D', () => seq([5, 4, 3], tf.layers.globalMaxPooling2d({}))],
  ['GlobalAveragePooling1D', () => seq([5, 3], tf.layers.globalAveragePooling1d({}))],
  ['GlobalMaxPooling1D', () => seq([5, 3], tf.layers.globalMaxPooling1d({}))],
  ['BatchNormalization after Dense', () => seq([6], tf.layers.dense({ units: 4 }), tf.layers.batchNormalization())],
  [
    'BatchNormalization after Conv2D',
    () => seq([5, 5, 2], tf.layers.conv2d({ filters: 3, kernelSize: 3 }), tf.layers.batchNormalization()),
  ],
  [
    'BatchNormalization without center and scale',
    () => seq([4, 3], tf.layers.batchNormalization({ center: false, scale: false })),
  ],
  ['LayerNormalization', () => seq([3, 6], tf.layers.layerNormalization({}))],
  [
    'Embedding',
    () =>
      seq([4], tf.layers.embedding({ inputDim: 11, outputDim: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })),
  ],
  ['LSTM', () => seq([4, 3], tf.layers.lstm({ units: 5 }))],
  [
    'LSTM returning sequences, sigmoid gates',
    () => seq([4, 3], tf.layers.lstm({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid' })),
  ],
  ['LSTM going backwards', () => seq([4, 3], tf.layers.lstm({ units: 3, goBackwards: true, returnSequences: true }))],
  ['GRU', () => seq([4, 3], tf.layers.gru({ units: 5 }))],
  ['GRU returning sequences', () => seq([4, 3], tf.layers.gru({ units: 4, returnSequences: true }))],
  ['SimpleRNN', () => seq([4, 3], tf.layers.simpleRNN({ units: 4 }))],
  ['Bidirectional LSTM (concat)', () => seq([4, 3], tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3 }) }))],
  [
    'Bidirectional GRU returning sequences (sum)',
    () =>
      seq(
        [4, 3],
        tf.layers.bidirectional({
          layer: tf.layers.gru({ units: 3, returnSequences: true }),
          mergeMode: 'sum',
        }),
      ),
  ],
  [
    'LeptonPositionEmbedding and LeptonSelfAttention (lepton.models.transformer)',
    () => transformer({ steps: 5, vocabulary: 9, dModel: 8, heads: 2, layers: 1, classes: 3 }),
  ],
  [
    'Embedding then LSTM on int32 input',
    () => {
      const input = tf.input({ shape: [5], dtype: 'int32' });
      const x = tf.layers.embedding({ inputDim: 20, outputDim: 4 }).apply(input) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: tf.layers.lstm({ units: 3 }).apply(x) as tf.SymbolicTensor });
    },
  ],
  ...(['concatenate', 'add', 'multiply', 'average', 'maximum', 'minimum'] as const).map(
    (kind): [string, () => tf.LayersModel] => [
      `functional merge ${kind} of two inputs`,
      () => {
        const a = tf.input({ shape: [4], name: 'a' });
        const b = tf.input({ shape: [4], name: 'b' });
        const da = tf.layers.dense({ units: 3 }).apply(a) as tf.SymbolicTensor;
        const db = tf.layers.dense({ units: 3 }).apply(b) as tf.SymbolicTensor;
        const merged = tf.layers[kind]({}).apply([da, db]) as tf.SymbolicTensor;
        return tf.model({ inputs: [a, b], outputs: merged });
      },
    ],
  ),
  [
    'functional model with two inputs and two outputs, Concatenate on the channel axis',
    () => {
      const image = tf.input({ shape: [6, 6, 1], name: 'image' });
      const extra = tf.input({ shape: [6, 6, 2], name: 'extra' });
      const joined = tf.layers.concatenate({ axis: -1 }).apply([image, extra]) as tf.SymbolicTensor;
      const conv = tf.layers
        .conv2d({ filters: 2, kernelSize: 3, activation: 'relu' })
        .apply(joined) as tf.SymbolicTensor;
      const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
      const cls = tf.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(flat) as tf.SymbolicTensor;
      const reg = tf.layers.dense({ units: 1, name: 'reg' }).apply(flat) as tf.SymbolicTensor;
      return tf.model({ inputs: [image, extra], outputs: [cls, reg] });
    },
  ],
  [
    'LSTM returning its states (three outputs)',
    () => {
      const input = tf.input({ shape: [4, 3] });
      const outs = tf.layers.lstm({ units: 2, returnState: true }).apply(input) as tf.SymbolicTensor[];
      return tf.model({ inputs: input, outputs: outs });
    },
  ],
  [
    'a Sequential model nested in a functional one, with a shared layer',
    () => {
      const inner = seq([5], tf.layers.dense({ units: 4, activation: 'tanh' }), tf.layers.dense({ units: 3 }));
      const shared = tf.layers.dense({ units: 3 });
      const input = tf.input({ shape: [5] });
      const h = inner.apply(input) as tf.SymbolicTensor;
      const out = shared.apply(shared.apply(h)) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    },
  ],
];

async function runInOrt(
  bytes: Uint8Array,
  feeds: ReturnType<typeof randomInputs>,
  names: string[],
): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes);
  const input: Record<string, ort.Tensor> = {};
  for (const f of feeds)
    input[f.spec.name] = new ort.Tensor(f.data instanceof Int32Array ? 'int32' : 'float32', f.data, f.shape);
  const out = await session.run(input);
  await session.release();
  return names.map((n) => out[n]!.data as Float32Array);
}

describe('ONNX export of each supported layer matches tfjs in onnxruntime-node', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const [name, build] of cases) {
    test(`${name}: ONNX outputs equal tfjs's within 1e-4`, async () => {
      const model = randomize(build());
      const exported = await onnx(model, undefined, { verify: false });
      const decoded = decodeModel(exported.data);
      assert.equal(decoded.opsetImport[0]?.version, 17);
      assert.deepEqual(
        decoded.graph.input.map((i) => i.name),
        exported.inputs.map((i) => i.name),
      );
      assert.deepEqual(
        decoded.graph.output.map((o) => o.name),
        exported.outputs.map((o) => o.name),
      );
      const feeds = randomInputs(exported.inputs, 3, 11);
      const want = tf.tidy(() => {
        const xs = feeds.map((f) => tf.tensor(f.data, f.shape, f.spec.dtype));
        const ys = model.predict(xs.length === 1 ? xs[0]! : xs);
        return (Array.isArray(ys) ? ys : [ys]).map((y) => ({ shape: y.shape, data: y.dataSync() as Float32Array }));
      });
      const got = await runInOrt(
        exported.data,
        feeds,
        exported.outputs.map((o) => o.name),
      );
      assert.equal(got.length, want.length);
      want.forEach((w, k) => {
        assert.equal(got[k]!.length, w.data.length, `output ${k} size`);
        let worst = 0;
        for (let i = 0; i < w.data.length; i++) worst = Math.max(worst, Math.abs(got[k]![i]! - w.data[i]!));
        assert.ok(worst <= 1e-4, `output ${exported.outputs[k]!.name}: max |onnx - tfjs| = ${worst}`);
      });
      model.dispose();
    });
  }

  test('every supported layer class is exercised by a case above', () => {
    const used = new Set<string>();
    for (const [, build] of cases) {
      const visit = (m: tf.LayersModel): void =>
        m.layers.forEach((l) => ('layers' in l ? visit(l as tf.LayersModel) : used.add(l.getClassName())));
      const m = build();
      visit(m);
      m.dispose();
    }
    const untested = supportedLayers.filter(
      (c) => !used.has(c) && !['SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout'].includes(c),
    );
    assert.deepEqual(untested, []);
  });
});
