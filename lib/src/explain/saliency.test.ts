import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../core/random.js';
import { displaySymbol } from '../display/mime.js';
import { fit } from '../train/fit.js';
import { saliency } from './saliency.js';

const size = 12;
/** The 3×3 patch that decides the label: rows and columns 2 to 4. */
const inPatch = (p: number) => Math.floor(p / size) >= 2 && Math.floor(p / size) <= 4 && p % size >= 2 && p % size <= 4;

/** Grey 12×12 images of noise; the label is 1 exactly when the 3×3 patch is bright (the noise elsewhere is the same for both). */
function patchImages(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const random = seededRandom(seed);
  const pixels = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < size * size; p++)
      pixels[i * size * size + p] = inPatch(p) ? labels[i]! * 0.6 + random() * 0.4 : random();
  }
  return { x: tf.tensor4d(pixels, [n, size, size, 1]), y: tf.tensor1d(labels, 'int32') };
}

/** Per map, the share of its total heat in the patch, and whether its hottest pixel is there; averaged over the maps. */
function patchStats(maps: tf.Tensor3D): { share: number; hottestInPatch: number } {
  const values = maps.dataSync();
  const n = maps.shape[0];
  let share = 0;
  let hottestInPatch = 0;
  for (let i = 0; i < n; i++) {
    let [inside, total, hottest] = [0, 0, 0];
    for (let p = 0; p < size * size; p++) {
      const v = values[i * size * size + p]!;
      total += v;
      if (inPatch(p)) inside += v;
      if (v > values[i * size * size + hottest]!) hottest = p;
    }
    share += inside / total / n;
    if (inPatch(hottest)) hottestInPatch++;
  }
  return { share, hottestInPatch: hottestInPatch / n };
}

/** A small CNN trained with lepton.fit until it reads the patch. */
async function trainedCnn(): Promise<tf.Sequential> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [size, size, 1],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({
        units: 2,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }),
      }),
    ],
  });
  const { x, y } = patchImages(400, 1);
  await fit(
    model,
    { x, y },
    {
      loss: 'sparseCategoricalCrossentropy',
      optimizer: tf.train.adam(0.02),
      epochs: 15,
      batchSize: 32,
      seed: 1,
      live: false,
    },
  );
  x.dispose();
  y.dispose();
  return model;
}

const modelPromise = trainedCnn();

for (const method of ['gradient', 'integratedGradients'] as const) {
  test(`${method}: the heat of a trained CNN concentrates on the patch that decides the label`, async () => {
    const model = await modelPromise;
    const { x, y } = patchImages(20, 99);
    const result = saliency(model, x, { method, steps: 16 });
    assert.deepEqual(result.maps.shape, [20, size, size]);
    assert.deepEqual(result.attributions.shape, [20, size, size, 1]);
    assert.equal(result.score, 'logit');
    // The model learned the task, so the predictions (the default targets) are the labels.
    assert.deepEqual(result.predicted, Array.from(y.dataSync()));
    assert.deepEqual(result.targets, result.predicted);
    const maps = result.maps.dataSync();
    assert.ok(
      maps.every((v) => v >= 0 && v <= 1),
      'maps are normalized to [0, 1]',
    );
    // The patch is 9 of 144 pixels (6%): an unfocused map would put about that share of its heat there. The trained
    // model puts about 40%; its weights on the noise never reach 0, so the rest is spread thin over 135 pixels.
    const { share, hottestInPatch } = patchStats(result.maps);
    assert.ok(share > 0.3, `${method}: only ${(share * 100).toFixed(1)}% of the heat is in the patch`);
    assert.ok(
      hottestInPatch >= 0.9,
      `${method}: the hottest pixel is in the patch in only ${(hottestInPatch * 100).toFixed(0)}% of the maps`,
    );
    result.dispose();
    x.dispose();
    y.dispose();
  });
}

test('integrated gradients add up to the change of the logit from the black baseline', async () => {
  const model = await modelPromise;
  const { x } = patchImages(4, 5);
  const result = saliency(model, x, { method: 'integratedGradients', steps: 64, target: 1 });
  const total = result.attributions.sum([1, 2, 3]).dataSync();
  // The explained score: class 1's logit, computed here from the last layer's weights.
  const last = model.layers[model.layers.length - 1]!;
  const features = tf.model({ inputs: model.inputs, outputs: last.input });
  const [kernel, bias] = last.getWeights() as [tf.Tensor2D, tf.Tensor1D];
  const logit = (input: tf.Tensor) =>
    tf
      .matMul(features.predict(input) as tf.Tensor2D, kernel)
      .add(bias)
      .slice([0, 1], [-1, 1])
      .reshape([-1])
      .dataSync();
  const atImage = logit(x);
  const atBaseline = logit(tf.zerosLike(x));
  for (let i = 0; i < 4; i++) {
    const change = atImage[i]! - atBaseline[i]!;
    assert.ok(
      Math.abs(total[i]! - change) <= 0.05 * Math.abs(change) + 0.05,
      `image ${i}: attributions sum to ${total[i]}, the logit changed by ${change}`,
    );
  }
  result.dispose();
});

test('a linear model that reads only the patch gets heat only there (exact)', () => {
  const weights = new Float32Array(size * size * 2);
  for (let p = 0; p < size * size; p++) if (inPatch(p)) [weights[p * 2], weights[p * 2 + 1]] = [-1, 1];
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [size, size, 1] }), tf.layers.dense({ units: 2, activation: 'softmax' })],
  });
  model.setWeights([tf.tensor2d(weights, [size * size, 2]), tf.zeros([2])]);
  const { x } = patchImages(6, 3);
  for (const method of ['gradient', 'integratedGradients'] as const) {
    const result = saliency(model, x, { method });
    assert.equal(patchStats(result.maps).hottestInPatch, 1, method);
    assert.ok(
      result.maps.dataSync().every((v, p) => inPatch(p % (size * size)) || v === 0),
      `${method}: heat outside the patch`,
    );
    result.dispose();
  }
});

test('a saliency result displays as PNG images (a strip, and one per image in HTML) with captions', async () => {
  const model = await modelPromise;
  const { x } = patchImages(3, 7);
  const result = saliency(model, x, { classNames: ['dark', 'bright'], scale: 4 });
  const bundle = result[displaySymbol]();
  const strip = Buffer.from(bundle['image/png'] as string, 'base64');
  assert.deepEqual(strip.subarray(1, 4).toString('latin1'), 'PNG');
  // Three 48×48 images with two 6-pixel gaps.
  assert.equal(strip.readUInt32BE(16), 3 * 48 + 2 * 6);
  assert.equal(strip.readUInt32BE(20), 48);
  const html = bundle['text/html'] as string;
  assert.equal(html.match(/<img src="data:image\/png;base64,/g)?.length, 3);
  assert.match(html, /predicted (dark|bright) \(\d\.\d\d\)/);
  assert.match(
    bundle['text/plain'] as string,
    /^Saliency \(gradient of the logit\): 3 images of 12×12\n {2}#0: predicted (dark|bright)/,
  );
  // The single-image PNG is the overlay: hot pixels are coloured, so the grey input is no longer grey everywhere.
  const single = result.png(0);
  const raw = inflateSync(single.subarray(41, 41 + single.readUInt32BE(33)));
  assert.equal(raw.length, (48 * 3 + 1) * 48);
  const image = result.image(1)[displaySymbol]();
  assert.equal(typeof image['image/png'], 'string');
  assert.match(image['text/plain'] as string, /^#1: predicted/);
  result.dispose();
});

test('clear errors for models and images saliency does not fit', async () => {
  const model = await modelPromise;
  const tabular = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [4], activation: 'softmax' })] });
  assert.throws(
    () => saliency(tabular, tf.zeros([2, 4])),
    /the model's input is \[null, 4\], not images.*permutationImportance or partialDependence/,
  );
  assert.throws(
    () => saliency(model, tf.zeros([2, 10, 10, 1])),
    /the model takes images of shape \[12, 12, 1\] \(a batch \[n, 12, 12, 1\]\), but the images have shape \[2, 10, 10, 1\]/,
  );
  assert.throws(() => saliency(model, tf.zeros([2, 12, 12, 3])), /but the images have shape \[2, 12, 12, 3\]/);
  assert.throws(
    () => saliency(model, tf.zeros([2, 12, 12, 1]), { target: 2 }),
    /target class 2 is not one of the model's 2 outputs/,
  );
  assert.throws(() => saliency(model, tf.zeros([2, 12, 12, 1]), { target: [0] }), /1 targets for 2 images/);
  assert.throws(
    () => saliency(model, tf.zeros([1, 12, 12, 1]), { method: 'smoothgrad' as 'gradient' }),
    /method must be 'gradient' or 'integratedGradients'/,
  );
  assert.throws(
    () => saliency({ predict: () => tf.zeros([1]) } as never, tf.zeros([1, 12, 12, 1])),
    /expected a tfjs LayersModel/,
  );
  // Grey images without a channel axis, and a single image, are accepted.
  const result = saliency(model, tf.zeros([12, 12]));
  assert.deepEqual(result.maps.shape, [1, size, size]);
  result.dispose();
});
