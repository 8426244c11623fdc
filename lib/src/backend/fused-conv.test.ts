import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backend } from './select.js';
import { conv2dBiasRelu, fuseConvLayers } from './fused-conv.js';

/** Seeded uniform values in [-1, 1): the same on both sides of a comparison. */
const seeded = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

/** The largest |a − e| / (1 + |e|) over two tensors or arrays of the same size. */
function worstDifference(actual: tf.TensorLike, expected: tf.TensorLike): number {
  return tf.tidy(() => {
    const [a, e] = [tf.tensor(actual), tf.tensor(expected)];
    assert.equal(a.size, e.size);
    return tf.max(tf.abs(tf.sub(a, e)).div(tf.abs(e).add(1))).dataSync()[0]!;
  });
}

/** A small CNN of two ReLU convolutions (one input channel, then eight) and a softmax, compiled with Adam. */
function cnn(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

describe('conv2dBiasRelu', () => {
  before(async () => {
    await backend('wasm');
  });

  const cases: { x: [number, number, number, number]; f: [number, number, number, number]; stride: number }[] = [
    { x: [4, 12, 11, 1], f: [3, 3, 1, 8], stride: 1 },
    { x: [3, 9, 9, 8], f: [3, 3, 8, 16], stride: 1 },
    { x: [2, 10, 7, 3], f: [2, 3, 3, 5], stride: 2 },
  ];
  for (const { x, f, stride } of cases)
    for (const pad of ['valid', 'same'] as const)
      test(`gives tfjs's unfused relu(conv2d + bias) and its three gradients to 1e-5 for x ${String(x)}, filter ${String(f)}, stride ${stride}, ${pad}`, () => {
        const xs = seeded(x, 1) as tf.Tensor4D;
        const w = seeded(f, 2) as tf.Tensor4D;
        // A bias that puts some outputs exactly at the ReLU's kink region on both sides.
        const b = seeded([f[3]], 3) as tf.Tensor1D;
        const unfused = (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) =>
          tf.relu(tf.add(tf.conv2d(a as tf.Tensor4D, k as tf.Tensor4D, stride, pad), c));
        const fused = (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) =>
          conv2dBiasRelu(a as tf.Tensor4D, k as tf.Tensor4D, c as tf.Tensor1D, { strides: [stride, stride], pad });
        const dy = seeded(unfused(xs, w, b).shape, 4);
        for (const [label, worst] of [
          ['value', worstDifference(fused(xs, w, b).dataSync(), unfused(xs, w, b).dataSync())],
          ...(['x', 'filter', 'bias'] as const).map((name, i) => {
            const expected = tf.grads((a, k, c) => unfused(a, k, c).mul(dy).sum())([xs, w, b])[i]!;
            const actual = tf.grads((a, k, c) => fused(a, k, c).mul(dy).sum())([xs, w, b])[i]!;
            return [`${name} gradient`, worstDifference(actual.dataSync(), expected.dataSync())] as const;
          }),
        ] as const)
          assert.ok(worst < 1e-5, `${label} differs by ${worst}`);
      });

  test('trains a CNN for 10 steps with the losses and accuracies of the unfused layers, to 1e-5', async () => {
    const x = seeded([16, 12, 12, 1], 5);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 1, 1, 2, 2], 'int32'), 4).toFloat();
    const run = async (fuse: boolean) => {
      const model = cnn();
      // The same starting weights on both sides.
      model.setWeights(model.getWeights().map((w, i) => seeded(w.shape, 10 + i)));
      if (fuse) assert.equal(fuseConvLayers(model), 2);
      const seen: number[][] = [];
      for (let step = 0; step < 10; step++) seen.push((await model.trainOnBatch(x, y)) as number[]);
      const weights = model.getWeights().map((w) => w.dataSync());
      model.dispose();
      return { seen, weights };
    };
    const expected = await run(false);
    const actual = await run(true);
    for (let step = 0; step < 10; step++) {
      const worst = worstDifference(actual.seen[step]!, expected.seen[step]!);
      assert.ok(worst < 1e-5, `step ${step}: loss and accuracy differ by ${worst}`);
    }
    expected.weights.forEach((w, i) => {
      const worst = worstDifference(actual.weights[i]!, w);
      assert.ok(worst < 1e-5, `weight ${i} differs by ${worst} after 10 steps`);
    });
    tf.dispose([x, y]);
  });

  test('fuses a ReLU convolution with a bias and leaves the ones it does not compute (no bias, tanh, dilation) to the layer', async () => {
    const x = seeded([2, 9, 9, 2], 6);
    for (const [config, fusedHere] of [
      [{ activation: 'relu' }, true],
      [{ useBias: false, activation: 'relu' }, false],
      [{ activation: 'tanh' }, false],
      [{ activation: 'relu', dilationRate: 2 }, false],
    ] as const) {
      const layer = tf.layers.conv2d({ filters: 4, kernelSize: 3, ...config });
      const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [9, 9, 2] }), layer] });
      const expected = (layer.apply(x) as tf.Tensor).dataSync();
      assert.equal(fuseConvLayers(model), 1);
      const info = await tf.profile(() => layer.apply(x) as tf.Tensor);
      assert.equal(info.kernelNames.includes('LeptonConv2DBiasRelu'), fusedHere, JSON.stringify(config));
      assert.ok(worstDifference((layer.apply(x) as tf.Tensor).dataSync(), expected) < 1e-6, JSON.stringify(config));
      model.dispose();
    }
    x.dispose();
  });
});
