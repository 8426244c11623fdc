// compress.distill: a small student learns from the teacher's softened logits and the labels (Hinton et al.'s loss).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backend } from '../backend/select.js';
import { fit } from '../train/fit.js';
import { CompressError } from './errors.js';
import { distill, distillationLoss, softTargets } from './distill.js';

type Head = 'softmax' | 'linear' | 'sigmoid' | 'softmax-layer';

/** An 8-input MLP with `hidden` relu units and 3 outputs; the same `seed` gives the same weights whatever the head. */
function mlp(hidden: number, seed: number, head: Head = 'softmax'): tf.Sequential {
  const layers: tf.layers.Layer[] = [
    tf.layers.dense({
      units: hidden,
      inputShape: [8],
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
    tf.layers.dense({
      units: 3,
      activation: head === 'softmax-layer' ? 'linear' : head,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  ];
  if (head === 'softmax-layer') layers.push(tf.layers.activation({ activation: 'softmax' }));
  return tf.sequential({ layers });
}

/** 3 classes: the largest of the first three features. */
function problem(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const x = tf.randomUniform<tf.Rank.R2>([n, 8], -1, 1, 'float32', seed);
  const y = tf.tidy(() => x.slice([0, 0], [n, 3]).argMax(-1).toFloat()) as tf.Tensor1D;
  return { x, y };
}

function accuracy(model: tf.LayersModel, data: { x: tf.Tensor; y: tf.Tensor }): number {
  return tf.tidy(
    () => (model.predict(data.x) as tf.Tensor).argMax(-1).toFloat().equal(data.y).toFloat().mean().dataSync()[0]!,
  );
}

const softmax = (row: number[], t = 1) => {
  const e = row.map((v) => Math.exp(v / t));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

const isBad = (e: unknown) => e instanceof CompressError && e.code === 'LEPTON_COMPRESS_BAD_INPUT';
const isUnsupported = (e: unknown) => e instanceof CompressError && e.code === 'LEPTON_COMPRESS_UNSUPPORTED';

describe('compress.distill', () => {
  // wasm, as lepton.fit picks it: tensors made on cpu before fit switches backends can arrive garbled (a cpu
  // int32→float32 cast moved to wasm reads as zeros), so every tensor here is made on the backend that trains.
  before(async () => {
    await backend('wasm');
  });

  test('soft targets: temperature flattens the teacher probabilities, the same for softmax and logit outputs', () => {
    const logits = mlp(8, 1, 'linear');
    const probs = mlp(8, 1, 'softmax');
    const layer = mlp(8, 1, 'softmax-layer');
    const x = tf.randomNormal([5, 8], 0, 2, 'float32', 3);
    const a = softTargets(logits, x, 4).arraySync();
    for (const model of [probs, layer]) {
      const b = softTargets(model, x, 4).arraySync();
      a.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - b[i]![j]!) < 1e-5)));
    }
    const sharp = softTargets(probs, x, 1).max(-1).mean().dataSync()[0]!;
    const soft = softTargets(probs, x, 4).max(-1).mean().dataSync()[0]!;
    assert.ok(soft < sharp, `max probability at T=4 (${soft}) should be below T=1 (${sharp})`);
  });

  test('the loss is alpha·T²·KL(teacher‖student at T) + (1 − alpha)·CE(labels, student), by hand on two samples', () => {
    const z = [
      [2, -1, 0.5],
      [0, 3, -2],
    ];
    const v = [
      [4, 0, 1],
      [-1, 2, 2.5],
    ];
    const labels = [0, 2];
    const [t, alpha] = [2, 0.7];
    const expected = z.map((zRow, i) => {
      const p = softmax(v[i]!, t);
      const qT = softmax(zRow, t);
      const kl = p.reduce((sum, pc, c) => sum + pc * Math.log(pc / qT[c]!), 0);
      const ce = -Math.log(softmax(zRow)[labels[i]!]!);
      return alpha * t * t * kl + (1 - alpha) * ce;
    });
    const got = distillationLoss(tf.tensor2d(z), tf.tensor2d(v), tf.tensor1d(labels, 'int32'), {
      temperature: t,
      alpha,
    }).arraySync();
    got.forEach((value, i) =>
      assert.ok(Math.abs(value - expected[i]!) < 1e-5, `sample ${i}: ${value} vs ${expected[i]}`),
    );
    const oneHot = distillationLoss(tf.tensor2d(z), tf.tensor2d(v), tf.oneHot(tf.tensor1d(labels, 'int32'), 3), {
      temperature: t,
      alpha,
    }).arraySync();
    oneHot.forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) < 1e-5));
    // alpha = 1 with identical logits: KL of a distribution with itself is 0.
    assert.ok(
      Math.abs(
        distillationLoss(tf.tensor2d(v), tf.tensor2d(v), tf.tensor1d(labels, 'int32'), { alpha: 1 })
          .sum()
          .dataSync()[0]!,
      ) < 1e-6,
    );
  });

  test('distill trains on that loss of the logits before the softmax (one batch, learning rate 0)', async () => {
    const { x, y } = problem(64, 5);
    const teacher = mlp(16, 30);
    const student = mlp(8, 40);
    const before = student.getWeights().map((w) => w.arraySync());
    const result = await distill(
      teacher,
      student,
      { x, y },
      { temperature: 3, alpha: 0.6, epochs: 1, batchSize: 64, optimizer: tf.train.sgd(0), live: false, seed: 1 },
    );
    // Linear twins (same seeds) give the logits the softmax heads are computed from.
    const expected = distillationLoss(
      mlp(8, 40, 'linear').predict(x) as tf.Tensor2D,
      mlp(16, 30, 'linear').predict(x) as tf.Tensor2D,
      y,
      { temperature: 3, alpha: 0.6 },
    );
    const loss = result.history.epochs[0]!.logs.loss!;
    assert.ok(
      Math.abs(loss - expected.mean().dataSync()[0]!) < 1e-5,
      `trained loss ${loss} vs ${expected.mean().dataSync()[0]}`,
    );
    assert.ok(
      result.history.epochs[0]!.logs.acc! >= 0 && result.history.epochs[0]!.logs.acc! <= 1,
      'the chart has the accuracy on the labels',
    );
    assert.deepEqual(
      student.getWeights().map((w) => w.arraySync()),
      before,
    );
  });

  test('with alpha = 0 distillation is plain crossentropy training on the labels', async () => {
    const { x, y } = problem(96, 6);
    const teacher = mlp(16, 50);
    const distilled = mlp(8, 60);
    const plain = mlp(8, 60);
    const result = await distill(
      teacher,
      distilled,
      { x, y },
      { alpha: 0, epochs: 3, batchSize: 16, optimizer: tf.train.adam(0.01), live: false, seed: 2 },
    );
    const history = await fit(
      plain,
      { x, y },
      {
        loss: 'sparseCategoricalCrossentropy',
        epochs: 3,
        batchSize: 16,
        optimizer: tf.train.adam(0.01),
        live: false,
        seed: 2,
      },
    );
    result.history.history.loss!.forEach((loss, i) =>
      assert.ok(
        Math.abs(loss - history.history.loss![i]!) < 1e-4,
        `epoch ${i + 1}: ${loss} vs ${history.history.loss![i]}`,
      ),
    );
    const [a, b] = [distilled.getWeights(), plain.getWeights()];
    a.forEach((w, i) => assert.ok(tf.sub(w, b[i]!).abs().max().dataSync()[0]! < 1e-4, `weight ${i} differs`));
  });

  test('a student with half the units, distilled from a good teacher, is within two points of it on held-out data', async (t) => {
    const train = problem(600, 7);
    const test = problem(400, 8);
    const teacher = mlp(32, 10);
    teacher.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- tfjs does not export its ModelLoggingVerbosity enum, whose SILENT is 0
    await teacher.fit(train.x, train.y, { epochs: 30, batchSize: 32, shuffle: false, verbose: 0 });
    const teacherWeights = teacher.getWeights().map((w) => w.arraySync());
    const student = mlp(16, 20);
    const result = await distill(teacher, student, train, {
      temperature: 2,
      alpha: 0.7,
      epochs: 30,
      batchSize: 32,
      optimizer: tf.train.adam(0.01),
      live: false,
      seed: 1,
    });
    assert.equal(result.student, student);
    assert.equal(result.history.epochs.length, 30);
    const [teacherAcc, studentAcc] = [accuracy(teacher, test), accuracy(student, test)];
    t.diagnostic(
      `held-out accuracy: teacher ${teacherAcc}, student ${studentAcc}; agreement on training data ${result.agreement}`,
    );
    assert.ok(teacherAcc > 0.9, `the teacher is not good: ${teacherAcc}`);
    assert.ok(studentAcc >= teacherAcc - 0.02, `student ${studentAcc} vs teacher ${teacherAcc} on held-out data`);
    assert.ok(result.agreement > 0.9, `agreement ${result.agreement}`);
    const sums = tf.tidy(() => (student.predict(test.x) as tf.Tensor).sum(-1).arraySync() as number[]);
    assert.ok(
      sums.every((s) => Math.abs(s - 1) < 1e-5),
      'the student still outputs probabilities',
    );
    assert.deepEqual(
      teacher.getWeights().map((w) => w.arraySync()),
      teacherWeights,
      'the teacher is unchanged',
    );
    assert.equal(student.layers.length, 2, 'the student keeps its layers');
  });

  for (const [teacherHead, studentHead] of [
    ['softmax-layer', 'softmax-layer'],
    ['linear', 'softmax'],
    ['softmax', 'linear'],
  ] as const) {
    test(`a ${teacherHead} teacher distils into a ${studentHead} student`, async () => {
      const { x, y } = problem(200, 9);
      const teacher = mlp(16, 70, teacherHead);
      teacher.compile({
        optimizer: tf.train.adam(0.02),
        loss: teacherHead === 'linear' ? tf.losses.softmaxCrossEntropy : 'sparseCategoricalCrossentropy',
      });
      await teacher.fit(x, teacherHead === 'linear' ? tf.oneHot(y.toInt(), 3) : y, {
        epochs: 15,
        batchSize: 32,
        shuffle: false,
        // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- tfjs does not export its ModelLoggingVerbosity enum, whose SILENT is 0
        verbose: 0,
      });
      const result = await distill(
        teacher,
        mlp(8, 80, studentHead),
        { x, y },
        { epochs: 10, batchSize: 32, optimizer: tf.train.adam(0.02), live: false, seed: 3 },
      );
      const losses = result.history.history.loss!;
      assert.ok(losses.at(-1)! < losses[0]!, `loss ${losses[0]} → ${losses.at(-1)}`);
      assert.ok(result.agreement > 0.8, `agreement ${result.agreement}`);
    });
  }

  test('bad arguments fail clearly', async () => {
    const teacher = mlp(4, 1);
    const student = mlp(2, 2);
    const data = { x: tf.zeros([4, 8]), y: tf.tensor1d([0, 1, 2, 0], 'int32') };
    await assert.rejects(distill(teacher, student, undefined as never), isBad);
    await assert.rejects(distill(teacher, student, { x: data.x } as never), /\{ x, y \}/);
    await assert.rejects(distill(teacher, student, data, { alpha: 2 }), isBad);
    await assert.rejects(distill(teacher, student, data, { temperature: 0 }), isBad);
    await assert.rejects(distill(teacher, student, data, { epochs: 0 }), isBad);
    const wrong = tf.sequential({ layers: [tf.layers.dense({ units: 5, inputShape: [8], activation: 'softmax' })] });
    await assert.rejects(distill(teacher, wrong, data), /outputs 5 values but the teacher 3/);
    await assert.rejects(distill({} as never, student, data), isBad);
    await assert.rejects(
      distill(teacher, mlp(2, 2, 'sigmoid'), data),
      (e: unknown) =>
        isUnsupported(e) &&
        /the student: cannot find logits.*'dense_Dense\d+' is a Dense with activation 'sigmoid'/.test(
          (e as Error).message,
        ),
    );
    const relu = tf.sequential({
      layers: [tf.layers.dense({ units: 3, inputShape: [8] }), tf.layers.activation({ activation: 'relu' })],
    });
    await assert.rejects(
      distill(relu, student, data),
      (e: unknown) =>
        isUnsupported(e) &&
        /the teacher: cannot find logits.*Activation with activation 'relu'/.test((e as Error).message),
    );
    assert.throws(() => distillationLoss(tf.zeros([2, 3]), tf.zeros([2, 4]), tf.tensor1d([0, 1], 'int32')), isBad);
  });
});
