// The models the TFLite tests export: small ones covering every layer the exporter supports (each option family
// in its own case, so a failure names it), and Lepton's built-in models. Weights are set from seeds.
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';

/** Sets every weight of `model` from a seed (variances positive), so a case is the same model on every run. */
export function seedWeights(model: tf.LayersModel, seed = 1): tf.LayersModel {
  const values = model.weights.map((w, i) => {
    const positive = /variance/.test(w.originalName);
    return tf.randomUniform(w.shape as number[], positive ? 0.5 : -0.5, positive ? 1.5 : 0.5, 'float32', seed + i);
  });
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

const seq = (layers: tf.layers.Layer[]) => tf.sequential({ layers });
const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) =>
  layer.apply(x) as tf.SymbolicTensor;

/** The activations tfjs offers that the TFLite exporter writes, each on a Dense layer. */
export const activations = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'softplus',
  'softsign',
  'softmax',
  'logSoftmax',
  'swish',
  'mish',
  'gelu',
  'gelu_new',
];

/** Small models, one per layer family; names say what they cover. */
export const layerCases: Record<string, () => tf.LayersModel> = {
  ...Object.fromEntries(
    activations.map((a) => [
      `Dense with activation ${a}`,
      () => seq([tf.layers.dense({ inputShape: [6], units: 5, activation: a as never })]),
    ]),
  ),
  'Conv2D same, stride 1, relu; Conv2D valid, strides 2×1, no bias': () =>
    seq([
      tf.layers.conv2d({ inputShape: [9, 9, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 5, kernelSize: [3, 2], strides: [2, 1], padding: 'valid', useBias: false }),
    ]),
  'Conv2D with dilation 2 (same) and tanh': () =>
    seq([
      tf.layers.conv2d({
        inputShape: [10, 10, 2],
        filters: 3,
        kernelSize: 3,
        dilationRate: 2,
        padding: 'same',
        activation: 'tanh',
      }),
    ]),
  'DepthwiseConv2D multiplier 2, stride 2, same; SeparableConv2D relu6': () =>
    seq([
      tf.layers.depthwiseConv2d({
        inputShape: [8, 8, 3],
        kernelSize: 3,
        depthMultiplier: 2,
        strides: 2,
        padding: 'same',
      }),
      tf.layers.separableConv2d({ filters: 4, kernelSize: 3, activation: 'relu6', padding: 'valid' }),
    ]),
  'MaxPooling2D, AveragePooling2D (same and valid), BatchNormalization, Flatten, Dropout': () =>
    seq([
      tf.layers.conv2d({ inputShape: [9, 9, 2], filters: 3, kernelSize: 2 }),
      tf.layers.batchNormalization(),
      tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
      tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      tf.layers.averagePooling2d({ poolSize: 2, padding: 'valid' }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ]),
  'GlobalAveragePooling2D and GlobalMaxPooling2D': () => {
    const x = tf.input({ shape: [6, 6, 4] });
    const c = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3 }), x);
    const avg = apply(tf.layers.globalAveragePooling2d({}), c);
    const max = apply(tf.layers.globalMaxPooling2d({}), c);
    return tf.model({ inputs: x, outputs: apply(tf.layers.concatenate(), [avg, max]) });
  },
  'Reshape, ReLU/LeakyReLU/PReLU/ELU/Softmax layers, GaussianNoise': () =>
    seq([
      tf.layers.dense({ inputShape: [12], units: 12 }),
      tf.layers.reshape({ targetShape: [3, 4] }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.prelu({}),
      tf.layers.reLU({ maxValue: 6 }),
      tf.layers.gaussianNoise({ stddev: 0.5 }),
      tf.layers.reshape({ targetShape: [12] }),
      tf.layers.elu({}),
      tf.layers.dense({ units: 4 }),
      tf.layers.reLU({ maxValue: 0.3 }),
      tf.layers.dense({ units: 4 }),
      tf.layers.softmax({}),
    ]),
  'two inputs and two outputs through Concatenate, Add, Multiply, Average, Maximum, Minimum': () => {
    const a = tf.input({ shape: [5], name: 'a' });
    const b = tf.input({ shape: [3], name: 'b' });
    const da = apply(tf.layers.dense({ units: 4 }), a);
    const db = apply(tf.layers.dense({ units: 4 }), b);
    const merged = [
      tf.layers.add(),
      tf.layers.multiply(),
      tf.layers.average(),
      tf.layers.maximum(),
      tf.layers.minimum(),
    ].map((l) => apply(l, [da, db]));
    const joined = apply(tf.layers.concatenate(), [...merged, a]);
    return tf.model({
      inputs: [a, b],
      outputs: [
        apply(tf.layers.dense({ units: 2, activation: 'softmax' }), joined),
        apply(tf.layers.dense({ units: 1 }), db),
      ],
    });
  },
  'Embedding, 1-D pooling and global pooling': () => {
    const ids = tf.input({ shape: [8], name: 'ids' });
    const e = apply(tf.layers.embedding({ inputDim: 20, outputDim: 4 }), ids);
    const p = apply(tf.layers.maxPooling1d({ poolSize: 2 }), e);
    const q = apply(tf.layers.averagePooling1d({ poolSize: 2, strides: 1, padding: 'same' }), p);
    const out = apply(tf.layers.concatenate(), [
      apply(tf.layers.globalAveragePooling1d({}), q),
      apply(tf.layers.globalMaxPooling1d({}), e),
    ]);
    return tf.model({ inputs: ids, outputs: out });
  },
  'LSTM (sequences, tanh/sigmoid gates), GRU, SimpleRNN going backwards': () =>
    seq([
      tf.layers.lstm({ inputShape: [5, 3], units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }),
      tf.layers.gru({ units: 3, returnSequences: true }),
      tf.layers.simpleRNN({ units: 2, goBackwards: true }),
    ]),
  'LSTM with returnState (three outputs)': () => {
    const x = tf.input({ shape: [4, 2] });
    const [out, h, c] = tf.layers.lstm({ units: 3, returnState: true }).apply(x) as tf.SymbolicTensor[];
    return tf.model({ inputs: x, outputs: [out!, h!, c!] });
  },
};

/**
 * Gives every BatchNormalization of `model` seeded statistics, γ and β (variances positive), so folding them is
 * tested with values that change the output; a fresh model's (mean 0, variance 1, γ 1, β 0) would not.
 */
export function seedNormalization(model: tf.LayersModel, seed = 3): tf.LayersModel {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const values = layer.getWeights().map((w, i) => {
      const positive = /variance|gamma/.test(layer.weights[i]!.originalName);
      return tf.randomUniform(w.shape, positive ? 0.5 : -0.2, positive ? 1.5 : 0.2, 'float32', seed++);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
  return model;
}

/** Lepton's built-in models. */
export const builtinCases: Record<string, { make: () => tf.LayersModel; input: number[]; ids?: number }> = {
  mlp: { make: () => lepton.models.mlp({ inputs: 20, hidden: [32, 16], classes: 4, seed: 1 }), input: [20] },
  cnn: { make: () => lepton.models.cnn({ inputShape: [28, 28, 1], classes: 10, seed: 1 }), input: [28, 28, 1] },
  lstm: {
    make: () => lepton.models.lstm({ steps: 10, features: 3, units: [16], classes: 3, seed: 1 }),
    input: [10, 3],
  },
  'lstm over tokens': {
    make: () =>
      lepton.models.lstm({ steps: 12, vocabulary: 50, embedding: 8, units: [8, 8], classes: 2, binary: true, seed: 1 }),
    input: [12],
    ids: 50,
  },
  resnet: {
    make: () =>
      seedNormalization(
        lepton.models.resnet({ inputShape: [12, 12, 3], blocks: [1, 1], filters: [8, 16], classes: 5, seed: 1 }),
      ),
    input: [12, 12, 3],
  },
  transformer: {
    make: () =>
      lepton.models.transformer({ steps: 10, vocabulary: 40, dModel: 16, heads: 2, layers: 2, classes: 3, seed: 1 }),
    input: [10],
    ids: 40,
  },
};

/** A seeded batch for a model's inputs: floats in [0, 1), or token ids below `ids`. */
export function batchFor(model: tf.LayersModel, batch: number, seed = 7, ids?: number): tf.Tensor[] {
  return model.inputs.map((input, k) => {
    const shape = [batch, ...(input.shape.slice(1) as number[])];
    if (
      ids !== undefined ||
      model.inputs[k]!.sourceLayer.outboundNodes.some((n) => n.outboundLayer.getClassName() === 'Embedding')
    ) {
      return tf.floor(tf.randomUniform(shape, 0, ids ?? 20, 'float32', seed + k));
    }
    return tf.randomUniform(shape, 0, 1, 'float32', seed + k);
  });
}
