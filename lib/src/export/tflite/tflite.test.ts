// The TFLite exporter without Python: the file read back with the generated accessors, its metadata, and the
// errors users meet. TensorFlow Lite's interpreter judges the files in test/src/tflite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as flatbuffers from 'flatbuffers';
import * as tf from '@tensorflow/tfjs';
import { Model } from './generated/schema/tflite/model.js';
import { BuiltinOperator } from './generated/schema/tflite/builtin-operator.js';
import { TensorType } from './generated/schema/tflite/tensor-type.js';
import { readMetadata, METADATA_BUFFER_NAME } from './metadata.js';
import { tflite } from './tflite.js';
import { tfliteSupportedLayers } from './convert/registry.js';
import { displaySymbol } from '../../display/mime.js';
import { transformer } from '../../models/transformer.js';

function seeded(model: tf.LayersModel): tf.LayersModel {
  model.setWeights(model.weights.map((w, i) => tf.randomUniform(w.shape as number[], -0.5, 0.5, 'float32', i + 1)));
  return model;
}

const small = () =>
  seeded(
    tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    }),
  );

function read(bytes: Uint8Array): Model {
  const bb = new flatbuffers.ByteBuffer(bytes);
  assert.ok(Model.bufferHasIdentifier(bb), 'the file carries the TFL3 identifier');
  return Model.getRootAsModel(bb);
}

test('a float32 file reads back as schema 3 with NHWC tensors, a free batch, aligned buffers and a signature', async () => {
  const model = seeded(
    tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    }),
  );
  const e = await tflite(model);
  const m = read(e.data);
  assert.equal(m.version(), 3);
  const g = m.subgraphs(0)!;
  const input = g.tensors(g.inputs(0)!)!;
  assert.deepEqual(Array.from(input.shapeArray()!), [1, 6, 6, 2]);
  assert.deepEqual(Array.from(input.shapeSignatureArray()!), [-1, 6, 6, 2]);
  const codes = Array.from({ length: m.operatorCodesLength() }, (_, i) => m.operatorCodes(i)!.builtinCode());
  assert.deepEqual(codes.map((c) => BuiltinOperator[c]).sort(), ['CONV_2D', 'FULLY_CONNECTED', 'RESHAPE']);
  assert.ok(!codes.includes(BuiltinOperator.TRANSPOSE), 'no transposes around the convolution');
  // The conv kernel is stored [out, kh, kw, in].
  const conv = g.operators(0)!;
  assert.deepEqual(Array.from(g.tensors(conv.inputs(1)!)!.shapeArray()!), [3, 3, 3, 2]);
  for (let i = 1; i < m.buffersLength(); i++) {
    const data = m.buffers(i)!.dataArray();
    if (data && data.length) assert.equal(data.byteOffset % 16, 0, `buffer ${i} starts on a 16-byte boundary`);
  }
  assert.equal(m.signatureDefs(0)!.signatureKey(), 'serving_default');
  assert.ok(e.verification!.maxAbsDiff <= 1e-5);
});

test('int8 files store per-channel int8 weights, int32 biases at input × weight scale, and report int8 I/O parameters', async () => {
  const model = small();
  const calibration = tf.randomUniform([32, 4], 0, 1, 'float32', 9);
  const e = await tflite(model, undefined, { quantize: 'int8', calibration, integerIo: true });
  const g = read(e.data).subgraphs(0)!;
  const fc = g.operators(0)!;
  const input = g.tensors(fc.inputs(0)!)!;
  const weight = g.tensors(fc.inputs(1)!)!;
  const bias = g.tensors(fc.inputs(2)!)!;
  assert.equal(input.type(), TensorType.INT8);
  assert.equal(weight.type(), TensorType.INT8);
  assert.equal(weight.quantization()!.scaleLength(), 8, 'one scale per output channel');
  assert.equal(bias.type(), TensorType.INT32);
  const inScale = input.quantization()!.scale(0)!;
  for (let c = 0; c < 8; c++)
    assert.ok(Math.abs(bias.quantization()!.scale(c)! - inScale * weight.quantization()!.scale(c)!) < 1e-6 * inScale);
  assert.equal(e.inputs[0]!.fileType, 'int8');
  assert.ok(e.inputs[0]!.quantization!.scale > 0);
  assert.equal(e.outputs[0]!.quantization!.scale, 1 / 256, 'softmax outputs have the fixed scale TFLite requires');
  assert.equal(e.outputs[0]!.quantization!.zeroPoint, -128);
  assert.equal(e.int8!.calibrationSamples, 32);
  assert.equal(e.int8!.biasCorrected.length, 2);
  const shown = e[displaySymbol]()['text/plain'] as string;
  assert.match(shown, /int8/);
  assert.match(shown, /input {2}dense_Dense\d+_input \[batch, 4\] int8 scale [\d.e-]+, zero point -?\d+/);
  assert.match(shown, /ops: .*FULLY_CONNECTED.*SOFTMAX/);
});

test('float16 halves the file and dynamic (int8 weights, float biases) shrinks it under half, both with builtin ops', async () => {
  const model = seeded(
    tf.sequential({ layers: [tf.layers.dense({ inputShape: [64], units: 64 }), tf.layers.dense({ units: 4 })] }),
  );
  const [fp32, fp16, dyn] = await Promise.all([
    tflite(model),
    tflite(model, undefined, { quantize: 'float16' }),
    tflite(model, undefined, { quantize: 'dynamic' }),
  ]);
  assert.ok(fp16.sizeBytes < fp32.sizeBytes * 0.6 && fp16.operators.includes('DEQUANTIZE'));
  assert.ok(dyn.sizeBytes < fp32.sizeBytes * 0.45 && !dyn.operators.includes('DEQUANTIZE'));
});

test('BatchNormalization and a ReLU layer after a convolution fold into it, and the result still matches tfjs', async () => {
  const model = seeded(
    tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, useBias: false }),
        tf.layers.batchNormalization(),
        tf.layers.reLU(),
        tf.layers.depthwiseConv2d({ kernelSize: 2 }),
        tf.layers.batchNormalization(),
        tf.layers.flatten(),
      ],
    }),
  );
  // Moving variances must stay positive: make them so after the seeded fill.
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const [gamma, beta, mean, variance] = layer.getWeights();
    layer.setWeights([gamma!, beta!, mean!, tf.abs(variance!).add(0.5)]);
  }
  const e = await tflite(model);
  assert.deepEqual([...e.operators], ['CONV_2D', 'DEPTHWISE_CONV_2D', 'RESHAPE']);
  assert.ok(e.verification!.maxAbsDiff <= 1e-5, `max |Δ| ${e.verification!.maxAbsDiff}`);
});

test('labels and normalization go into the TFLite metadata', async () => {
  const e = await tflite(small(), undefined, { labels: ['a', 'b', 'c'], normalization: { mean: [0.5], std: [0.25] } });
  const m = read(e.data);
  const entry = Array.from({ length: m.metadataLength() }, (_, i) => m.metadata(i)!).find(
    (x) => x.name() === METADATA_BUFFER_NAME,
  )!;
  const meta = readMetadata(m.buffers(entry.buffer())!.dataArray()!);
  const input = meta.subgraphMetadata[0]!.inputTensorMetadata[0]!;
  assert.deepEqual((input.processUnits[0]!.options as { mean: number[] }).mean, [0.5]);
  assert.equal(meta.subgraphMetadata[0]!.outputTensorMetadata[0]!.associatedFiles[0]!.name, 'labels.txt');
  assert.ok(
    new TextDecoder().decode(e.data.subarray(e.data.length - 200)).includes('labels.txt'),
    'the label file is appended',
  );
});

test('an unsupported layer names itself and the supported ones; int8 without calibration says what to pass', async () => {
  const model = tf.sequential({
    layers: [tf.layers.conv2dTranspose({ inputShape: [4, 4, 1], filters: 1, kernelSize: 2 })],
  });
  await assert.rejects(tflite(model), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'LEPTON_UNSUPPORTED_LAYER');
    assert.match(e.message, /Conv2DTranspose, which the TFLite exporter does not support/);
    assert.ok(e.message.includes(tfliteSupportedLayers.join(', ')));
    return true;
  });
  await assert.rejects(tflite(small(), undefined, { quantize: 'int8' }), {
    code: 'LEPTON_TFLITE_NO_CALIBRATION',
    message: /calibration: xTrain\.slice/,
  });
  await assert.rejects(tflite(small(), undefined, { quantize: 'int4' as never }), { code: 'LEPTON_TFLITE_BAD_OPTION' });
  await assert.rejects(tflite(small(), undefined, { labels: ['only one'] }), {
    code: 'LEPTON_TFLITE_BAD_OPTION',
    message: /one name per class of the first output \(3\)/,
  });
  await assert.rejects(tflite(small(), undefined, { quantize: 'int8', calibration: tf.zeros([8, 5]) }), {
    code: 'LEPTON_TFLITE_BAD_OPTION',
    message: /calibration input 0 has shape \[8, 5\]; the model's input .* takes \[batch, 4\]/,
  });
  await assert.rejects(tflite(small(), undefined, { normalization: { mean: [0], std: [0] } }), {
    code: 'LEPTON_TFLITE_BAD_OPTION',
    message: /every std > 0/,
  });
});

test('the built-in transformer exports in builtins (attention as BATCH_MATMUL, layer norm as MEAN/SUB/MUL/RSQRT) and matches tfjs', async () => {
  const model = transformer({ steps: 6, vocabulary: 30, dModel: 8, heads: 2, layers: 1, classes: 3, seed: 2 });
  const e = await tflite(model);
  for (const op of ['BATCH_MATMUL', 'GATHER', 'MEAN', 'RSQRT', 'SOFTMAX', 'SUB', 'TRANSPOSE'])
    assert.ok(e.operators.includes(op), `${op} in ${e.operators.join(', ')}`);
  assert.equal(e.inputs[0]!.fileType, 'int32', 'token ids stay int32');
  assert.ok(e.verification!.maxAbsDiff <= 1e-5, `max |Δ| ${e.verification!.maxAbsDiff}`);
});

test('LayerNormalization over two trailing axes, without scale, matches tfjs', async () => {
  const model = seeded(
    tf.sequential({
      layers: [
        tf.layers.reshape({ inputShape: [12], targetShape: [3, 4] }),
        tf.layers.layerNormalization({ axis: [-2, -1], scale: false, epsilon: 1e-2 }),
      ],
    }),
  );
  const e = await tflite(model);
  assert.ok(e.verification!.maxAbsDiff <= 1e-5, `max |Δ| ${e.verification!.maxAbsDiff}`);
  const bad = tf.sequential({
    layers: [tf.layers.reshape({ inputShape: [12], targetShape: [3, 4] }), tf.layers.layerNormalization({ axis: 1 })],
  });
  await assert.rejects(tflite(bad), {
    code: 'LEPTON_UNSUPPORTED_CONFIG',
    message: /normalizing over axis \[1\] is not supported; TFLite export normalizes the trailing axes/,
  });
});
