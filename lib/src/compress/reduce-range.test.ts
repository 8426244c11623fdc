// Static int8 weights limited to ±63 where onnxruntime's integer kernels would saturate int16 pair sums (x86-64
// without VNNI), and the full ±127 where they would not.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { decodeModel } from '../onnx/decode.js';
import { DataType } from '../onnx/format.js';
import { cpuFlagsSaturate, integerPairsSaturate } from './cpu.js';
import { quantize } from './quantize.js';

/** The largest |int8| among the model's quantized weights (initializers read by a DequantizeLinear, int8 typed). */
function largestWeight(bytes: Uint8Array): number {
  const g = decodeModel(bytes).graph;
  const weights = new Set(g.node.filter((n) => n.opType === 'DequantizeLinear').map((n) => n.input[0]!));
  let largest = 0;
  for (const t of g.initializer) {
    if (!weights.has(t.name) || t.dataType !== DataType.INT8) continue;
    for (const v of new Int8Array(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength))
      largest = Math.max(largest, Math.abs(v));
  }
  return largest;
}

describe('compress.quantize reduceRange', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  test('the CPU flags decide it: AVX2 alone saturates, any VNNI or AMX does not', () => {
    assert.equal(cpuFlagsSaturate(new Set(['sse4_2', 'avx', 'avx2', 'fma'])), true);
    assert.equal(cpuFlagsSaturate(new Set(['avx2', 'avx512f', 'avx512_vnni'])), false);
    assert.equal(cpuFlagsSaturate(new Set(['avx2', 'avx_vnni'])), false);
    assert.equal(cpuFlagsSaturate(new Set(['avx2', 'amx_int8', 'amx_tile'])), false);
    assert.equal(cpuFlagsSaturate(undefined), false, 'flags that cannot be read: the full range');
  });

  test('static weights (and bias columns) stay within ±63 with reduceRange, use ±127 without, and info says which', async () => {
    // 100 → 512: a layer that also gets bias columns, whose rows must respect the same limit.
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 512,
          inputShape: [100],
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 31 }),
          biasInitializer: tf.initializers.randomNormal({ stddev: 0.3, seed: 32 }),
        }),
        tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 33 }) }),
      ],
    });
    const calibration = tf.randomUniform([128, 100], 0, 1, 'float32', 34);
    const reduced = await quantize(model, { calibration, reduceRange: true });
    const full = await quantize(model, { calibration, reduceRange: false });
    assert.equal(reduced.info.reduceRange, true);
    assert.equal(full.info.reduceRange, false);
    assert.ok(reduced.info.biasColumns.length > 0, 'the wide layer carries bias columns');
    assert.equal(largestWeight(reduced.data), 63);
    assert.equal(largestWeight(full.data), 127);
    const byDefault = await quantize(model, { calibration });
    assert.equal(byDefault.info.reduceRange, integerPairsSaturate(), 'the default follows this machine');
    const dynamic = await quantize(model, { mode: 'dynamic', reduceRange: true });
    assert.equal(dynamic.info.reduceRange, false, 'dynamic mode computes in float: nothing to reduce');
    for (const q of [reduced, full, byDefault, dynamic]) await q.dispose();
  });
});
